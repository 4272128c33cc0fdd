"""Start, stop and find the embedded AWS process (``python -m emulator serve``).

The process binds 127.0.0.1 only. Its pid, port and log live in ``<state>/emulator/``. State lives
in the process's memory, so it survives between CLI invocations while the process runs.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from kitcore.errors import KitError
from kitcore.statedir import ensure_dir, read_json, state_root

HOST = "127.0.0.1"
ACCOUNT_ID = "123456789012"
START_TIMEOUT_S = 60


@dataclass(frozen=True)
class Emulator:
    pid: int
    port: int
    host: str = HOST

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def env(self, region: str) -> dict[str, str]:
        """Environment that points boto3, the SageMaker SDK and the AWS CLI at the emulator."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            # an operation the emulator lacks answers 500: fail fast instead of retrying for minutes
            "AWS_MAX_ATTEMPTS": "2",
        }


def emulator_dir() -> Path:
    return state_root() / "emulator"


def efs_dir() -> Path:
    """Where the embedded AWS keeps its EFS file systems' contents (``emulator/account/efs_data.py``):
    ``<this>/<account>/<region>/<file system id>/``; what is written there is what DescribeFileSystems
    reports as the file system's metered size."""
    return emulator_dir() / "efs"


def _ready_file() -> Path:
    return emulator_dir() / "server.json"


def log_file() -> Path:
    return emulator_dir() / "server.log"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child counts as dead
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ")[-1][:1] != "Z"
    except OSError:
        return True


def _answers(port: int, pid: int | None = None, timeout: float = 10.0) -> bool:
    """True if the kit's emulator (the process ``pid``, when given) answers on ``port``."""
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/__classroom/health", timeout=timeout) as r:
            info = json.loads(r.read())
    except (OSError, ValueError):
        return False
    return info.get("service") == "classroom-embedded-aws" and (pid is None or info.get("pid") == pid)


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return True
    return False


def find() -> Emulator | None:
    """The running emulator, or None. A recorded process that died is reported, not hidden."""
    info = read_json(_ready_file())
    if not info:
        return None
    emu = Emulator(pid=int(info["pid"]), port=int(info["port"]))
    if _alive(emu.pid) and _answers(emu.port, emu.pid):
        return emu
    return None


def recorded_but_dead() -> bool:
    info = read_json(_ready_file())
    return bool(info) and find() is None


def require() -> Emulator:
    """The running emulator, or one clear error saying how to start it."""
    emu = find()
    if emu:
        return emu
    if recorded_but_dead():
        raise KitError(
            f"the embedded AWS is not running any more (see {log_file()}); "
            "start it again with `classroom emulator start` — its state was lost with the process"
        )
    raise KitError("the embedded AWS is not running; start it with `classroom emulator start` or `make up`")


def start(port: int | None = None) -> Emulator:
    """Start the emulator in the background (or return the running one)."""
    running = find()
    if running:
        if port and running.port != port:
            raise KitError(f"the embedded AWS already runs on port {running.port}, not {port}; stop it first")
        return running
    if port and port_in_use(port):
        raise KitError(
            f"port {port} on {HOST} is already in use by another program; "
            "choose another with CLASSROOM_EMULATOR_PORT (0 = any free port)"
        )
    d = ensure_dir(emulator_dir())
    ready = _ready_file()
    ready.unlink(missing_ok=True)
    log_fd = os.open(log_file(), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.chmod(log_file(), 0o600)
    env = dict(os.environ)
    env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    env["PYTHONUNBUFFERED"] = "1"
    cmd = [
        sys.executable,
        "-m",
        "emulator",
        "serve",
        "--host",
        HOST,
        "--port",
        str(port or 0),
        "--ready-file",
        str(ready),
        "--loopback-only",
    ]
    proc = subprocess.Popen(
        cmd,
        stdout=log_fd,
        stderr=log_fd,
        stdin=subprocess.DEVNULL,
        cwd=str(d),
        env=env,
        start_new_session=True,
    )
    os.close(log_fd)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = _tail(log_file(), 3)
            raise KitError(f"the embedded AWS exited at start-up (code {proc.returncode}): {tail}")
        info = read_json(ready)
        if info and _answers(int(info["port"]), int(info["pid"]), timeout=2.0):
            return Emulator(pid=int(info["pid"]), port=int(info["port"]))
        time.sleep(0.1)
    proc.kill()
    raise KitError(f"the embedded AWS did not answer within {START_TIMEOUT_S} s (see {log_file()})")


def stop(timeout: float = 10.0) -> bool:
    """Stop the emulator if it runs; True if one was stopped."""
    info = read_json(_ready_file())
    if not info:
        return False
    pid = int(info["pid"])
    stopped = False
    if _alive(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        stopped = True
    _ready_file().unlink(missing_ok=True)
    return stopped


def _tail(path: Path, n: int) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return " | ".join(line.strip() for line in lines[-n:])


def logs(n: int = 50) -> list[str]:
    try:
        return log_file().read_text(errors="replace").splitlines()[-n:]
    except OSError:
        return []
