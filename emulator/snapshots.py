"""Test-only: save and restore the embedded AWS's whole state (every moto backend), so a crash-point
sweep sets a class up once and starts each kill point from the same account (issue 18).

Off unless the emulator process was started with ``CLASSROOM_TEST_EMULATOR_SNAPSHOTS=1`` (the kit
never sets it; the crash-point harness does). Then:

    POST /__classroom/snapshot/NAME    save the state under NAME (a deep copy of every backend)
    PUT  /__classroom/snapshot/NAME    restore it (a fresh deep copy: NAME can be restored again)

moto keeps its state in module-level ``BackendDict`` objects (``BackendDict._instances``, what
``/moto-api/reset`` clears); their contents are plain Python objects, copied in one ``deepcopy`` so
that references between services stay shared. Locks, threads, executors and processes are not state:
a copy gets a new lock, the others are shared.
"""

from __future__ import annotations

import _thread
import concurrent.futures
import copy
import os
import subprocess
import threading
from typing import Any

ENV = "CLASSROOM_TEST_EMULATOR_SNAPSHOTS"
PATH = "/__classroom/snapshot/"

_saved: dict[str, list] = {}
_lock = threading.Lock()


def enabled() -> bool:
    return os.environ.get(ENV) == "1"


def _not_state() -> dict:
    memo_types: dict[type, Any] = {
        _thread.LockType: lambda x, memo: _thread.allocate_lock(),
        type(threading.RLock()): lambda x, memo: threading.RLock(),
    }
    for shared in (
        threading.Thread,
        threading.Event,
        threading.Condition,
        concurrent.futures.Executor,
        subprocess.Popen,
    ):
        memo_types[shared] = lambda x, memo: x
    return memo_types


def _copy(obj: Any) -> Any:
    """deepcopy, with locks renewed and threads / executors / processes shared (not state)."""
    dispatch = copy._deepcopy_dispatch  # type: ignore[attr-defined]
    special = _not_state()
    saved = {t: dispatch.get(t) for t in special}
    old_deepcopy = {}
    try:
        dispatch.update(special)
        # subclasses (ThreadPoolExecutor, Timer) are looked up by exact type: give them __deepcopy__
        for base in (threading.Thread, concurrent.futures.Executor, subprocess.Popen):
            for cls in [base, *_subclasses(base)]:
                old_deepcopy[cls] = cls.__dict__.get("__deepcopy__")
                cls.__deepcopy__ = lambda self, memo: self  # type: ignore[method-assign]
        return copy.deepcopy(obj)
    finally:
        for t, f in saved.items():
            if f is None:
                dispatch.pop(t, None)
            else:
                dispatch[t] = f
        for cls, f in old_deepcopy.items():
            if f is None:
                del cls.__deepcopy__
            else:
                cls.__deepcopy__ = f


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


def save(name: str) -> int:
    from moto.core.base_backend import BackendDict, backend_lock

    with _lock, backend_lock:
        instances = list(BackendDict._instances)
        contents = _copy([dict(bd) for bd in instances])
        _saved[name] = list(zip(instances, contents, strict=True))
        return len(instances)


def restore(name: str) -> int:
    from moto.core.base_backend import BackendDict, backend_lock

    with _lock:
        pairs = _saved[name]
        fresh = _copy([contents for _, contents in pairs])
        with backend_lock:
            for bd in BackendDict._instances:
                bd.clear()
            BackendDict._instances.clear()
            for (bd, _), contents in zip(pairs, fresh, strict=True):
                bd.update(contents)
                BackendDict._instances.append(bd)
        return len(pairs)


def handle(environ, start_response):
    """The WSGI answer for ``/__classroom/snapshot/NAME`` (404 when not enabled)."""
    import json

    name = environ.get("PATH_INFO", "")[len(PATH) :]
    method = environ.get("REQUEST_METHOD")
    status, body = "404 Not Found", {"error": "snapshots are off (test-only knob)"}
    if enabled() and name:
        try:
            if method == "POST":
                status, body = "200 OK", {"saved": name, "backends": save(name)}
            elif method == "PUT":
                status, body = "200 OK", {"restored": name, "backends": restore(name)}
            else:
                status, body = "405 Method Not Allowed", {"error": method}
        except KeyError:
            status, body = "404 Not Found", {"error": f"no snapshot {name!r}"}
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]
