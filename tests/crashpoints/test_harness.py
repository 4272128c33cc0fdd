"""The crash-point harness itself (testkit/crashpoints.py), without an emulator: a SIGINT point must
really interrupt the kit, and a point whose signal was sent but did not stop the run is a problem.

Found in the sweep (issue 18 item 8): `python -m bench.bench_crashpoints ... &` from a script ran every
`classroom` with SIGINT ignored (a non-interactive shell's background job ignores it, and exec keeps an
ignored signal ignored), so each SIGINT point ran to its end uninterrupted and still counted as clean."""

from __future__ import annotations

import signal
import subprocess
import sys

from testkit.crashpoints import Harness, Point, Run, spawn

SHOW_SIGINT = "import signal; print(signal.getsignal(signal.SIGINT))"


def test_the_kit_gets_ctrl_c_even_when_the_harness_ignores_it():
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        # a plain child inherits the ignored signal: what the harness's children got before
        plain = subprocess.run([sys.executable, "-c", SHOW_SIGINT], capture_output=True, text=True)
        assert plain.stdout.strip() == str(int(signal.SIG_IGN)), plain.stdout
        proc = spawn([sys.executable, "-c", SHOW_SIGINT])
        out, _ = proc.communicate(timeout=60)
    finally:
        signal.signal(signal.SIGINT, before)
    assert "default_int_handler" in out, out


def test_a_signal_sent_that_did_not_stop_the_run_is_a_problem():
    names = ["sts:GetCallerIdentity", "efs:DeleteMountTarget", "efs:DeleteMountTarget", "s3:ListBuckets"]
    went_on = Run(["down", "--yes"], 0, "", "", 1.0, len(names), names)
    assert went_on.reached(2) and went_on.reached("efs:DeleteMountTarget#2")
    assert not went_on.reached(5) and not went_on.reached("efs:DeleteMountTarget#3")
    p = Harness._stopped(Point("down", 2, "INT"), went_on)
    assert not p.killed and "SIGINT after call 2 did not stop it (exit 0" in p.problem
    # K beyond the calls this run made: no signal was sent, the run simply finished
    assert Harness._stopped(Point("down", 5, "INT"), went_on).ok
    stopped = Run(["down", "--yes"], 130, "", "", 1.0, 2, names[:2])
    p = Harness._stopped(Point("down", 2, "INT"), stopped)
    assert p.killed and p.ok
    killed = Run(["down", "--yes"], -signal.SIGKILL, "", "", 1.0, 2, names[:2])
    assert Harness._stopped(Point("down", "efs:DeleteMountTarget#1", "KILL"), killed).ok
