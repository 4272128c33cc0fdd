"""EFS file systems that hold data: each file system's contents are a real directory, and
DescribeFileSystems reports their metered size (moto 5.2.5 always answers ``SizeInBytes.Value`` 0).

The directory is ``$KIT_EMULATOR_EFS_DIR/<account>/<region>/<file system id>/`` (the emulator process
sets the variable to ``<emulator dir>/efs`` when it serves); writing files there is what mounting the
file system and writing to it is on AWS (a Studio user's home directory is on the domain's EFS). Without
the variable, file systems stay empty as in moto. DeleteFileSystem removes the directory with the
file system.

Metered size, as AWS doc "Metering: How Amazon EFS reports file system and object sizes"
(docs.aws.amazon.com/efs/latest/ug/metered-sizes.html) gives it: every object (regular file,
directory, symbolic link, special file) is metered for 2 KiB of metadata plus its data in 4-KiB
increments — a regular file's logical size rounded up to the next 4 KiB (an empty file: 4 KiB, as
``du -k`` shows there), a directory 4 KiB (its entries; a very large directory uses more on AWS),
a symbolic link or special file always 4 KiB. All of it is in the Standard storage class (the
emulator has no lifecycle policy that moves files to Infrequent Access).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

EFS_DIR_ENV = "KIT_EMULATOR_EFS_DIR"
METADATA = 2 * 1024
BLOCK = 4 * 1024


def root() -> Path | None:
    value = os.environ.get(EFS_DIR_ENV, "")
    return Path(value) if value else None


def mount_path(base: Path, account_id: str, region: str, file_system_id: str) -> Path:
    """Where the file system's contents live (the same rule the emulator uses)."""
    return base / account_id / region / file_system_id


def _path_of(fs: Any) -> Path | None:
    base = root()
    if base is None:
        return None
    # arn:aws:elasticfilesystem:<region>:<account>:file-system/<id>
    _, _, _, region, account, _ = str(fs.file_system_arn).split(":", 5)
    return mount_path(base, account, region, fs.file_system_id)


def metered_size(path: Path) -> int:
    """The metered size in bytes of everything under ``path`` (the root directory included)."""
    if not path.is_dir():
        return 0
    total = METADATA + BLOCK  # the root directory
    for dirpath, dirnames, filenames in os.walk(path):
        total += len(dirnames) * (METADATA + BLOCK)  # directories (a symbolic link to one too: 4 KiB)
        for name in filenames:
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            data = st.st_size if os.path.isfile(full) and not os.path.islink(full) else 0
            total += METADATA + max(BLOCK, -(-data // BLOCK) * BLOCK)
    return total


def _size_in_bytes(fs: Any) -> dict[str, Any]:
    path = _path_of(fs)
    value = metered_size(path) if path is not None else 0
    return {"Value": value, "ValueInIA": 0, "ValueInStandard": value, "Timestamp": time.time()}


def install() -> None:
    """DescribeFileSystems' SizeInBytes from the directory; DeleteFileSystem removes it. Idempotent."""
    from moto.efs import models

    if getattr(models.FileSystem, "_kit_efs_data", False):
        return
    models.FileSystem.size_in_bytes = property(_size_in_bytes)  # type: ignore[assignment,method-assign]
    models.FileSystem._kit_efs_data = True  # type: ignore[attr-defined]
    delete = models.EFSBackend.delete_file_system

    def delete_file_system(self, file_system_id: str) -> None:  # noqa: ANN001
        fs = self.file_systems_by_id.get(file_system_id)
        path = _path_of(fs) if fs is not None else None
        delete(self, file_system_id)
        if path is not None:
            shutil.rmtree(path, ignore_errors=True)

    models.EFSBackend.delete_file_system = delete_file_system  # type: ignore[method-assign]
