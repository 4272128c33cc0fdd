"""Build the reaper's zip: ``handler.py`` and the kit's core modules it imports, at the zip's root.

Terraform's archive provider is not available offline (the provider mirror holds only hashicorp/aws),
so the kit zips the function itself before the apply, deterministically (fixed timestamps and modes,
sorted names): the same source gives the same bytes, so ``source_code_hash`` changes only when the
code does. ``kitcore`` imports only the standard library and boto3/botocore, which AWS's Python
runtime provides.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import kitcore
from kitcore.statedir import ensure_dir

HANDLER = Path(__file__).with_name("handler.py")
KITCORE = Path(kitcore.__file__).parent
KITCORE_MODULES = ("__init__.py", "aws.py", "errors.py", "tags.py", "times.py")
ZIP_NAME = "reaper.zip"


def files() -> dict[str, bytes]:
    out = {"handler.py": HANDLER.read_bytes()}
    out.update({f"kitcore/{name}": (KITCORE / name).read_bytes() for name in KITCORE_MODULES})
    return out


def build_package(out: Path) -> Path:
    """Write the zip to ``out`` (mode 0600, its folder 0700: it lives in the private state folder)."""
    out = Path(out)
    ensure_dir(out.parent)
    tmp = out.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w") as zf:
        for name, data in sorted(files().items()):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    tmp.replace(out)
    return out
