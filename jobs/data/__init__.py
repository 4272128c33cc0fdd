"""Data loaders for the three lesson jobs (defaults ship in packages; ``--data`` takes local files)."""

from __future__ import annotations

import os
from pathlib import Path

from kitcore.errors import KitError
from kitcore.statedir import PROJECT_ROOT


def cache_root() -> Path:
    """Where downloaded or unpacked data sets live (git-ignored; independent of the state dir)."""
    return Path(os.environ.get("CLASSROOM_CACHE_DIR", PROJECT_ROOT / ".classroom" / "cache")).resolve()


def existing(path: str | Path, what: str) -> Path:
    """``path`` as a Path, or one clear error if it does not exist."""
    p = Path(path).expanduser()
    if not p.exists():
        raise KitError(f"{what}: {p} does not exist")
    return p
