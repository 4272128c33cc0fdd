"""Small in-memory files for tests and benchmarks: SageMaker's CSV rows, a Lambda function's zip."""

from __future__ import annotations

import io
import zipfile

import numpy as np


def csv_rows(X: np.ndarray, y: np.ndarray | None = None, digits: int = 6) -> str:
    """Label-first CSV without header, as SageMaker's built-in algorithms read it (features only when
    ``y`` is None); ``digits`` significant digits."""
    fmt = f".{digits}g"
    if y is None:
        return "\n".join(",".join(format(v, fmt) for v in row) for row in X) + "\n"
    return "\n".join(",".join(format(v, fmt) for v in (y[i], *X[i])) for i in range(len(y))) + "\n"


def zip_of(files: dict[str, str]) -> bytes:
    """A zip holding ``files`` ({name: text})."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()
