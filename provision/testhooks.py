"""A knob for crash-point tests (issue 18 item 8); the kit reads it only when a test sets it.

    CLASSROOM_TEST_KILL_AFTER_CALL=K:SIGNAL   after the K-th AWS call returns, send SIGNAL (INT or
                                              KILL) — to the whole process group when this process
                                              leads it (as Ctrl-C in a terminal reaches Terraform
                                              too), else to this process only; K may also be
                                              NAME#N: the N-th call whose name starts with NAME
                                              (e.g. sagemaker:DeleteNotebookInstance#1)
    CLASSROOM_TEST_CALL_LOG=PATH              append one line per AWS call (its number and name)

An "AWS call" is one boto3 operation made by this process (botocore's ``_make_api_call``: retries
inside botocore count once), or one resource Terraform finished creating or destroying (its
``apply_complete`` event, fed by ``provision.tfrunner``): Terraform's own requests are made by
another program, but each finished resource stands for at least one of them.
"""

from __future__ import annotations

import os
import signal
import threading

KILL_ENV = "CLASSROOM_TEST_KILL_AFTER_CALL"
LOG_ENV = "CLASSROOM_TEST_CALL_LOG"

_lock = threading.Lock()
_state = {"count": 0, "installed": False}


def _target() -> tuple[str, int, int] | None:
    """(name prefix or "", N, signal)."""
    raw = os.environ.get(KILL_ENV, "")
    if not raw:
        return None
    k, _, sig = raw.rpartition(":")
    prefix, _, n = k.rpartition("#") if "#" in k else ("", "", k)
    return prefix, int(n), {"INT": signal.SIGINT, "KILL": signal.SIGKILL}[sig.upper()]


def record(name: str) -> None:
    """One AWS call finished: log it, and kill this process (group) if it was the K-th."""
    target = _target()
    log = os.environ.get(LOG_ENV)
    if target is None and not log:
        return
    with _lock:
        _state["count"] += 1
        n = _state["count"]
        if target is not None and target[0] and name.startswith(target[0]):
            _state[target[0]] = _state.get(target[0], 0) + 1
        if log:
            with open(log, "a") as fh:
                fh.write(f"{n} {name}\n")
        hit = (
            target is not None
            and (_state.get(target[0], 0) if target[0] else n) == target[1]
            and not _state.get("fired")
        )
        if hit:
            _state["fired"] = 1
    if hit:
        sig = target[2]  # type: ignore[index]
        if os.getpgrp() == os.getpid():
            os.killpg(os.getpgrp(), sig)
        else:
            os.kill(os.getpid(), sig)


def install() -> None:
    """Count every boto3 call of this process (only when a test set the knob)."""
    if _state["installed"] or not (os.environ.get(KILL_ENV) or os.environ.get(LOG_ENV)):
        return
    from botocore.client import BaseClient

    original = BaseClient._make_api_call

    def counted(self, operation_name, api_params):
        try:
            return original(self, operation_name, api_params)
        finally:
            record(f"{self.meta.service_model.service_name}:{operation_name}")

    BaseClient._make_api_call = counted  # type: ignore[method-assign]
    _state["installed"] = True
