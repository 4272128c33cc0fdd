"""Shared fixtures: a private state directory, the embedded AWS as a real process, boto3 clients.

Every test run refuses connections to non-loopback addresses (emulator/netguard.py): a test that
tries to reach the internet fails instead of leaking traffic. The emulator process is started with
the same guard (``--loopback-only``).

`make test` runs the suite in parallel (pytest-xdist, ``--dist loadfile``, Makefile's TEST_WORKERS):
every worker is its own process with its own session fixtures — its own emulator on a free port, its
own state folder (``tmp_path_factory`` is per worker) and environment. A test file is one unit of
work (its module-scoped fixtures are set up once); the files that take minutes start first.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from emulator import netguard
from testkit import aws as testkit_aws

REGION = "us-east-1"

# Files whose tests share one expensive session fixture: run by one worker together.
SHARED_GROUPS = {
    "tests/web/": "web",  # trained_class: three small models trained once
}
# The files that take the longest (minutes; measured with --durations), slowest first: in a parallel
# run they start first so that none of them is left to run alone at the end.
SLOW_FIRST = [
    "tests/accounts/test_class_of_accounts.py",
    "tests/crashpoints/test_crashpoints.py",
    "tests/crashpoints/test_up_killed.py",
    "tests/terraform/test_static.py",
    "tests/notebooks/test_lab.py",
    "tests/notebooks/test_notebooks.py",
    "tests/test_up_down_notebooks.py",
    "tests/jobs/test_jobs_e2e.py",
    "tests/test_reaper_e2e.py",
    # not tests/web/: its session fixture keeps a bucket of trained models until its worker ends, and
    # a test file run after it on that worker would see that bucket (e.g. as "left alone"); it is the
    # last unit handed out, so nothing runs after it on its worker
]


def pytest_configure(config):
    netguard.install()
    # the SDK and the CLI must never talk to a real account or phone home from a test
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        os.environ.pop(var, None)
    os.environ.setdefault("SAGEMAKER_VALIDATE_ROLE", "false")


def _group(nodeid: str) -> str:
    path = nodeid.split("::", 1)[0]
    return next((g for prefix, g in SHARED_GROUPS.items() if path.startswith(prefix)), path)


def _rank(nodeid: str) -> int:
    return next((i for i, p in enumerate(SLOW_FIRST) if nodeid.startswith(p)), len(SLOW_FIRST))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile`` (the Makefile's): a test file is one unit of work, run by one worker (so its
    module-scoped fixtures are set up once), and the files of a SHARED_GROUPS folder are one unit.
    (xdist's own ``loadgroup`` marks do not work with pytest 9: it renames ``item._nodeid``.)"""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FileGroups(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _group(nodeid)

    return FileGroups(config, log)


def pytest_collection_modifyitems(config, items):
    """The slow files first (xdist hands out the units in this order with --no-loadscope-reorder)."""
    items.sort(key=lambda item: _rank(item.nodeid))  # stable: the files' own order otherwise


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
