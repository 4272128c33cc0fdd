"""Shared fixtures: a private state directory, the embedded AWS as a real process, boto3 clients.

Every test run refuses connections to non-loopback addresses (emulator/netguard.py): a test that
tries to reach the internet fails instead of leaking traffic. The emulator process is started with
the same guard (``--loopback-only``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from emulator import netguard
from testkit import aws as testkit_aws

REGION = "us-east-1"


def pytest_configure(config):
    netguard.install()
    # the SDK and the CLI must never talk to a real account or phone home from a test
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        os.environ.pop(var, None)
    os.environ.setdefault("SAGEMAKER_VALIDATE_ROLE", "false")


@pytest.fixture(scope="session")
def state_dir(tmp_path_factory) -> Path:
    """One private state directory for the whole session (the emulator's pid file lives there)."""
    d = tmp_path_factory.mktemp("classroom-state")
    os.environ["CLASSROOM_STATE_DIR"] = str(d)
    return d


@pytest.fixture(scope="session")
def emulator(state_dir):
    """The embedded AWS, started once per test session as its own process."""
    from provision import embedded

    emu = embedded.start()
    yield emu
    embedded.stop()


@pytest.fixture
def aws_env(emulator, monkeypatch):
    """Point every AWS client created in the test at the emulator."""
    for k, v in emulator.env(REGION).items():
        monkeypatch.setenv(k, v)
    return emulator


@pytest.fixture
def reset_emulator(emulator):
    """Wipe the emulator's state after the test (moto's /moto-api/reset)."""
    yield
    testkit_aws.reset(emulator.url)


@pytest.fixture
def client(aws_env):
    """``client("s3")`` → a boto3 client bound to the emulator."""
    return testkit_aws.clients(aws_env.url)
