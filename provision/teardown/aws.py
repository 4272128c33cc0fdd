"""boto3 clients for the teardown: adaptive retries, a record of every API call, and a retry loop of
our own for throttling / 5xx / dropped connections that outlast botocore's attempts (kitcore.aws).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from kitcore.aws import (  # noqa: F401 - the teardown kinds import these from here
    NOT_FOUND_CODES,
    PAGE_SIZE,
    THROTTLE_CODES,
    describe_error,
    error_code,
    error_message,
    http_status,
    is_not_found,
    is_transient,
    page_size,
    paged,
    shared_session,
    with_retries,
)


@dataclass(frozen=True)
class Call:
    service: str
    region: str
    operation: str
    params: dict


Hook = tuple[str, Callable[..., Any]]


class Aws:
    """Thread-safe cache of boto3 clients, one per (service, region), recording every API call.

    ``hooks`` are extra botocore event handlers registered on every client; tests use them to
    inject faults (throttling, a 5xx, an interruption) into real clients talking to the emulator.
    """

    def __init__(
        self,
        session: boto3.session.Session | None = None,
        max_attempts: int = 8,
        hooks: list[Hook] | None = None,
        record_params: bool = False,
    ) -> None:
        self._session = session or shared_session()
        self._config = Config(
            retries={"mode": "adaptive", "max_attempts": max_attempts},
            max_pool_connections=32,
            connect_timeout=10,
            read_timeout=60,
        )
        self._clients: dict[tuple, Any] = {}
        self._lock = threading.Lock()
        self._hooks = list(hooks or [])
        self._record_params = record_params
        self.calls: list[Call] = []
        self.attempts = 0  # HTTP requests, retries included

    def client(self, service: str, region: str, max_attempts: int | None = None) -> Any:
        """The client for (service, region); ``max_attempts`` gives a client of its own with fewer
        attempts, for a question whose answer is information only (``classroom status``'s free plan)
        and must not wait out eight adaptive retries of a 500."""
        key = (service, region) if max_attempts is None else (service, region, max_attempts)
        with self._lock:
            c = self._clients.get(key)
            if c is None:
                config = self._config
                if max_attempts is not None:
                    config = config.merge(
                        Config(retries={"mode": "standard", "total_max_attempts": max_attempts})
                    )
                c = self._session.client(service, region_name=region, config=config)
                c.meta.events.register("before-parameter-build", self._recorder(service, region))
                c.meta.events.register("before-send", self._count_attempt)
                for event, handler in self._hooks:
                    c.meta.events.register(event, handler)
                self._clients[key] = c
            return c

    def _recorder(self, service: str, region: str) -> Callable[..., None]:
        def record(model=None, params=None, **_: Any) -> None:
            p = dict(params or {}) if self._record_params else {}
            call = Call(service, region, model.name if model else "?", p)
            with self._lock:
                self.calls.append(call)

        return record

    def _count_attempt(self, **_: Any) -> None:
        with self._lock:
            self.attempts += 1

    def account_id(self, region: str) -> str:
        return str(self.client("sts", region).get_caller_identity()["Account"])

    def count(self, operation: str | None = None) -> int:
        with self._lock:
            if operation is None:
                return len(self.calls)
            return sum(1 for c in self.calls if c.operation == operation)

    def by_operation(self) -> Counter:
        with self._lock:
            return Counter(c.operation for c in self.calls)
