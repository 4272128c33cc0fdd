"""`classroom` as a real process, the way a teacher types it, for the end-to-end tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CLASSROOM = str(Path(sys.executable).parent / "classroom")


def env_for(state: Path, **extra: str) -> dict[str, str]:
    """The environment of a run: this one without ``AWS_*`` (never a real account), the state folder
    ``state``, and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["CLASSROOM_STATE_DIR"] = str(state)
    env.update(extra)
    return env


def run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 600, check: bool = True):
    """``classroom <args>`` in ``cwd``; with ``check`` it must succeed (its output's end shown if not)."""
    proc = subprocess.run(
        [CLASSROOM, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    if check:
        assert proc.returncode == 0, (
            f"classroom {' '.join(args)} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-3000:]}"
        )
    return proc


def stop_emulator(cwd: Path, env: dict[str, str]) -> None:
    """``classroom emulator stop`` (whatever state the test left)."""
    subprocess.run([CLASSROOM, "emulator", "stop"], cwd=cwd, env=env, capture_output=True)


def emulator_url(state: Path) -> str:
    """The URL of the embedded AWS that `classroom` started with the state folder ``state``."""
    info = json.loads((state / "emulator" / "server.json").read_text())
    return f"http://127.0.0.1:{info['port']}"
