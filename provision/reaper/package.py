"""Build the reaper's zip: ``handler.py`` and the kit's core modules it imports, at the zip's root.

Terraform's archive provider is not available offline (the provider mirror holds only hashicorp/aws),
so the kit zips the function itself before the apply, deterministically (fixed timestamps and modes,
sorted names): the same source gives the same bytes, so ``source_code_hash`` changes only when the
code does. ``kitcore`` imports only the standard library and boto3/botocore, which AWS's Python
runtime provides.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import kitcore

HANDLER = Path(__file__).with_name("handler.py")
KITCORE = Path(kitcore.__file__).parent
KITCORE_MODULES = ("__init__.py", "aws.py", "errors.py", "tags.py", "times.py")
ZIP_NAME = "reaper.zip"


def files() -> dict[str, bytes]:
    out = {"handler.py": HANDLER.read_bytes()}
    out.update({f"kitcore/{name}": (KITCORE / name).read_bytes() for name in KITCORE_MODULES})
    return out


def build_package(out: Path) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for name, data in sorted(files().items()):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    tmp.replace(out)
    return out
