"""Write a job's log lines to CloudWatch Logs through moto's Logs backend (same process)."""

from __future__ import annotations

import threading
import time


def _logs(account_id: str, region: str):
    from moto.logs.models import logs_backends

    return logs_backends[account_id][region]


def _role_may_log(account_id: str, region: str, group: str, stream: str) -> bool:
    from emulator.iam import service_role

    base = f"arn:aws:logs:{region}:{account_id}:log-group:{group}"
    return service_role.allowed("logs:CreateLogStream", base) and service_role.allowed(
        "logs:PutLogEvents", f"{base}:log-stream:{stream}"
    )


class LogWriter:
    """Buffered writer for one log stream; ``flush()`` sends the buffered lines as one batch."""

    def __init__(self, account_id: str, region: str, group: str, stream: str) -> None:
        self.account_id, self.region, self.group, self.stream = account_id, region, group, stream
        self._buffer: list[dict] = []
        self._lock = threading.Lock()
        self._ready = False
        self._last_ts = 0
        # logs a job's execution role may not write are not written (AWS); decided in the job's thread
        self.allowed = _role_may_log(account_id, region, group, stream)

    def _ensure(self) -> None:
        if self._ready:
            return
        backend = _logs(self.account_id, self.region)
        if self.group not in backend.groups:
            try:
                backend.create_log_group(self.group, tags={})
            except Exception:  # noqa: BLE001 - created concurrently by another job
                pass
        backend.ensure_log_stream(self.group, self.stream)
        self._ready = True

    def write(self, line: str) -> None:
        with self._lock:
            ts = max(int(time.time() * 1000), self._last_ts)
            self._last_ts = ts
            self._buffer.append({"timestamp": ts, "message": line})

    def flush(self) -> None:
        with self._lock:
            events, self._buffer = self._buffer, []
        if not events or not self.allowed:
            return
        try:
            self._ensure()
            _logs(self.account_id, self.region).put_log_events(self.group, self.stream, events)
        except Exception:  # noqa: BLE001 - logging must never fail a job (e.g. after a reset)
            pass
