"""The state folder lives in the core package (kitcore.statedir); these names stay for provision/."""

from kitcore.statedir import (
    PROJECT_ROOT,
    ensure_dir,
    lock_down,
    read_json,
    state_root,
    write_json,
    write_private,
)

__all__ = [
    "PROJECT_ROOT",
    "ensure_dir",
    "lock_down",
    "read_json",
    "state_root",
    "write_json",
    "write_private",
]
