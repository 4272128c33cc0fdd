"""The kit's state directory (git-ignored; default ``.classroom/`` in the project root).

Everything written here is private to the user: directories 0700, files 0600, because it holds
Terraform state (with generated passwords), credential handouts and the emulator's log.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from kitcore.errors import KitError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def state_root() -> Path:
    return Path(os.environ.get("CLASSROOM_STATE_DIR", PROJECT_ROOT / ".classroom")).resolve()


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (and parents) with mode 0700; fail with one line if that is impossible."""
    try:
        root = state_root()
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        # every level from the state root down is private (mkdir's parents get the umask's mode)
        private = (
            [path, *(p for p in path.parents if p == root or root in p.parents)]
            if (path == root or root in path.parents)
            else [path]
        )
        for level in private:
            os.chmod(level, 0o700)
        probe = path / ".write-test"
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        probe.unlink()
    except OSError as err:
        raise KitError(
            f"state directory {path} is not writable ({err.strerror}); "
            "set CLASSROOM_STATE_DIR to a writable folder"
        ) from None
    return path


def write_private(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically with mode 0600."""
    ensure_dir(path.parent)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # processes writing one file never share it
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def write_json(path: Path, data) -> Path:
    return write_private(path, json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def read_json(path: Path, default=None):
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, NotADirectoryError):
        return default


def lock_down(root: Path) -> None:
    """Make every file below ``root`` 0600 and every directory 0700 (Terraform writes 0644)."""
    for dirpath, _dirnames, filenames in os.walk(root):
        os.chmod(dirpath, 0o700)
        for name in filenames:
            p = os.path.join(dirpath, name)
            if not os.path.islink(p):
                mode = os.stat(p).st_mode & 0o777
                # keep executables executable (provider plugins), but never for group/others
                os.chmod(p, 0o700 if mode & 0o100 else 0o600)
