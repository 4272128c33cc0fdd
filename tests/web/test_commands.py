"""`classroom deploy` / `classroom serve` through the real CLI: bad input is one error line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

CLASSROOM = str(Path(sys.executable).parent / "classroom")


def run(args, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["CLASSROOM_STATE_DIR"] = str(tmp_path)
    return subprocess.run([CLASSROOM, *args], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=120)


@pytest.mark.parametrize(("args", "message"), [
    (["deploy", "nosuchjob"], "error: unknown job 'nosuchjob': choose one of rainfall, credit, spam"),
    (["deploy", "spam", "--minutes", "0"], "error: --minutes must be between 1 and 1440 (got 0)"),
    (["serve", "--port", "70000"], "error: --port must be between 1 and 65535 (got 70000)"),
])
def test_one_error_line(args, message, tmp_path):
    proc = run(args, tmp_path)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 1
    assert lines == [message]


def test_serve_on_a_busy_port(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc = run(["serve", "--port", str(port)], tmp_path)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 1
    assert lines == [f"error: port {port} on 127.0.0.1 is already in use; choose another with --port"]
