"""A bounded pool of daemon worker threads for training, model loading and batch transform.

One pool per SageMaker backend (account × region), created lazily, so ``/moto-api/reset`` (which
re-initialises the backend) closes it: pending tasks are cancelled and running ones see ``closed`` and
stop at their next checkpoint. Daemon threads never keep the emulator process alive.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future

log = logging.getLogger(__name__)
DEFAULT_WORKERS = 4


def default_size() -> int:
    try:
        return max(1, int(os.environ.get("CLASSROOM_EMULATOR_WORKERS", DEFAULT_WORKERS)))
    except ValueError:
        return DEFAULT_WORKERS


class WorkerPool:
    """At most ``size`` tasks run at once; the rest wait in FIFO order."""

    def __init__(self, size: int | None = None, name: str = "ml-worker") -> None:
        self.size = size or default_size()
        self.name = name
        self.closed = threading.Event()
        self._queue: queue.Queue = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def submit(self, fn: Callable[[], object]) -> Future:
        fut: Future = Future()
        if self.closed.is_set():
            fut.cancel()
            return fut
        self._queue.put((fut, fn))
        with self._lock:
            if len(self._threads) < self.size and self._queue.qsize() > self._idle():
                t = threading.Thread(target=self._run, name=f"{self.name}-{len(self._threads)}", daemon=True)
                self._threads.append(t)
                t.start()
        return fut

    def _idle(self) -> int:
        return sum(1 for t in self._threads if getattr(t, "_kit_idle", False))

    def _run(self) -> None:
        me = threading.current_thread()
        while not self.closed.is_set():
            me._kit_idle = True  # type: ignore[attr-defined]
            try:
                item = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            me._kit_idle = False  # type: ignore[attr-defined]
            if item is None:
                break
            fut, fn = item
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                fut.set_result(fn())
            except BaseException as err:  # noqa: BLE001 - reported through the future
                log.debug("worker task failed", exc_info=True)
                fut.set_exception(err)

    def close(self) -> None:
        """Cancel queued tasks and let the threads end (running tasks check ``closed``)."""
        self.closed.set()
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                item[0].cancel()
        for _ in self._threads:
            self._queue.put(None)

    def alive_threads(self) -> int:
        return sum(1 for t in self._threads if t.is_alive())
