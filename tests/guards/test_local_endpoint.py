"""Issue 18 item 5: "a real account must not point at a local emulator" is decided by address, not by
text: every spelling of 127.0.0.0/8, ::1, 0.0.0.0 / ::, IPv4-mapped loopback, localhost and any name
that resolves there (getaddrinfo: /etc/hosts for these names)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from provision.classroom import local_endpoint

CLASSROOM = str(Path(sys.executable).parent / "classroom")

LOCAL = [
    "http://127.0.0.1:4566",
    "http://127.1:4566",
    "http://2130706433:4566",
    "http://0x7f000001:4566",
    "http://0177.0.0.1:4566",
    "http://127.255.255.254",
    "http://0.0.0.0:4566",
    "http://0:4566",
    "http://[::1]:4566",
    "http://[::]:4566",
    "http://[::ffff:127.0.0.1]:4566",
    "http://[0:0:0:0:0:0:0:1]:4566",
    "http://localhost:4566",
    "http://LocalHost.:4566",
    "https://localhost",
]
REMOTE = [
    "https://52.94.236.248",
    "http://10.0.0.5:4566",
    "http://[2600:1f18::1]:443",
    "http://128.0.0.1",
    "http://126.255.255.255",
]


@pytest.mark.parametrize("url", LOCAL)
def test_every_spelling_of_this_machine_is_local(url):
    assert local_endpoint(url), url


@pytest.mark.parametrize("url", REMOTE)
def test_other_addresses_are_not(url):
    assert not local_endpoint(url), url


def test_a_name_that_resolves_to_loopback_is_local():
    name = socket.gethostname()
    try:
        addrs = {info[4][0] for info in socket.getaddrinfo(name, None)}
    except OSError:
        pytest.skip(f"this machine's name {name!r} does not resolve")
    if not any(a.startswith("127.") or a == "::1" for a in addrs):
        pytest.skip(f"{name!r} does not resolve to loopback here ({addrs})")
    assert local_endpoint(f"http://{name}:4566")


@pytest.mark.parametrize(
    "var, url",
    [
        ("AWS_ENDPOINT_URL", "http://127.1:4566"),
        ("AWS_ENDPOINT_URL", "http://0.0.0.0:4566"),
        ("AWS_ENDPOINT_URL_SAGEMAKER", "http://2130706433:4566"),
    ],
)
def test_target_aws_refuses_a_local_endpoint_before_any_call(tmp_path, var, url):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CLASSROOM_", "TARGET"))}
    env.update(
        {
            "CLASSROOM_STATE_DIR": str(tmp_path / "state"),
            "TARGET": "aws",
            var: url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }
    )
    proc = subprocess.run(
        [CLASSROOM, "up"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 1 and len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: TARGET=aws but") and url in lines[0], lines
    classes = tmp_path / "state" / "classes"
    assert not classes.exists() or not any(p.rglob("terraform.tfstate") for p in classes.iterdir())
