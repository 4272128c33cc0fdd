"""The optional Lambda + HTTP API path (``terraform/modules/endpoint-api``): build the function's zip.

Terraform's archive provider is not available offline, so the kit zips the handler itself,
deterministically (fixed timestamps and modes: the same source gives the same hash, so Terraform
only updates the function when the code changed)::

    python -m provision.web.endpoint_api .classroom/endpoint-api.zip
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

from kitcore.statedir import PROJECT_ROOT

MODULE_DIR = PROJECT_ROOT / "terraform" / "modules" / "endpoint-api"
HANDLER = MODULE_DIR / "lambda" / "index.py"


def build_package(out: Path) -> Path:
    """Write the function's zip (index.py at its root) to ``out``; returns ``out``."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    info = zipfile.ZipInfo("index.py", date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(info, HANDLER.read_bytes())
    return out


if __name__ == "__main__":  # pragma: no cover - a two-line CLI
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("endpoint-api.zip")
    print(build_package(target))
