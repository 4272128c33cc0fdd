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
    return subprocess.run(
        [CLASSROOM, *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["deploy", "nosuchjob"], "error: unknown job 'nosuchjob': choose one of rainfall, credit, spam"),
        (["deploy", "spam", "--minutes", "0"], "error: --minutes must be between 1 and 1440 (got 0)"),
        (["serve", "--port", "70000"], "error: --port must be between 1 and 65535 (got 70000)"),
    ],
)
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


def test_deploy_then_serve_through_the_cli(trained_class, state_dir, emulator, tmp_path):
    """`classroom deploy rainfall --minutes 3`, then `classroom serve` lists it with its time left."""
    import signal
    import time
    import urllib.request

    from web_helpers import boto, sagemaker_names

    from kitcore.aws import delete_endpoint_with_parts

    sm = boto("sagemaker", emulator)
    before = sagemaker_names(sm)
    toml = tmp_path / "classroom.toml"
    toml.write_text('[class]\nname = "webclass"\nregion = "us-east-1"\ntarget = "local"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(CLASSROOM_STATE_DIR=str(state_dir), CLASSROOM_POLL_SECONDS="0.2")
    base = [CLASSROOM, "--settings", str(toml)]
    proc = subprocess.run(
        [*base, "deploy", "rainfall", "--minutes", "3"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    name = proc.stdout.split("endpoint ", 1)[1].split(",", 1)[0]
    try:
        assert name in sagemaker_names(sm)["endpoints"]
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen(
            [*base, "serve", "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        try:
            page = ""
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not page and server.poll() is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
                        page = r.read().decode()
                except OSError:
                    time.sleep(0.3)
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)  # like `kill PID`; Ctrl-C takes the same way out
            out, err = server.communicate(timeout=30)
        assert name in page and ("3 min left" in page or "2 min left" in page), err
        assert "Rainfall from temperature" in page
        assert f"on http://127.0.0.1:{port}/" in out and "stopped" in out, err
    finally:
        delete_endpoint_with_parts(sm, name)
    assert sagemaker_names(sm) == before
