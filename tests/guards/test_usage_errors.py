"""Issue 18 item 4: a usage mistake (unknown command or option, a value of the wrong type) is one line
starting with ``error:``, exit code 2 (click's code for usage errors), nothing else printed and
nothing run — like every other mistake."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CLASSROOM = str(Path(sys.executable).parent / "classroom")


@pytest.mark.parametrize(
    "args, says",
    [
        (["deploy", "spam", "--minutes", "abc"], "'abc' is not a valid integer"),
        (["nosuch"], "No such command 'nosuch'"),
        (["train", "--parallel", "many"], "'many' is not a valid integer"),
        (["down", "--bogus"], "No such option '--bogus'"),
        (["emulator", "start", "--port", "x"], "'x' is not a valid integer"),
        (["--settings"], "Option '--settings' requires an argument"),
    ],
)
def test_a_usage_mistake_is_one_error_line(tmp_path, args, says):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CLASSROOM_", "TARGET"))}
    env["CLASSROOM_STATE_DIR"] = str(tmp_path / "state")
    proc = subprocess.run(
        [CLASSROOM, *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], proc.stderr
    assert proc.stdout == ""
    # nothing ran: no emulator was started, no state was written
    assert not (tmp_path / "state" / "emulator").exists()
