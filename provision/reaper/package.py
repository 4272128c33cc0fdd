"""Build the reaper's zip: ``handler.py`` at the zip's root, fixed timestamps and modes.

Terraform's archive provider is not available offline (the provider mirror holds only hashicorp/aws),
so the kit zips the function itself before the apply; the same source gives the same bytes, so the
function's ``source_code_hash`` changes only when the code does.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

HANDLER = Path(__file__).with_name("handler.py")
ZIP_NAME = "reaper.zip"


def build_package(out: Path) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    info = zipfile.ZipInfo("handler.py", date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        zf.writestr(info, HANDLER.read_bytes())
    tmp.replace(out)
    return out
