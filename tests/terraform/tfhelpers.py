"""Shared helpers for the Terraform checks."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO_TERRAFORM = Path(__file__).resolve().parents[2] / "terraform"
MODULE_DIRS = sorted(
    [p.relative_to(REPO_TERRAFORM).as_posix() for p in (REPO_TERRAFORM / "modules").iterdir() if p.is_dir()]
) + ["classroom"]
# examples/<module>: a root that shows one module in use (the terraform-aws-modules layout)
EXAMPLE_DIRS = sorted(f"examples/{p.name}" for p in (REPO_TERRAFORM / "examples").iterdir() if p.is_dir())


def run_tf(
    args: list[str], cwd: Path, env: dict[str, str], timeout: int = 600
) -> subprocess.CompletedProcess:
    """Run terraform in ``cwd`` and capture its output (never raises on a non-zero exit)."""
    return subprocess.run(
        ["terraform", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
