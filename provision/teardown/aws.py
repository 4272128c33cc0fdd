"""boto3 clients for the teardown: adaptive retries, a record of every API call, and a retry loop of
our own for throttling / 5xx / dropped connections that outlast botocore's attempts.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    ReadTimeoutError,
)

T = TypeVar("T")

THROTTLE_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "RequestLimitExceeded", "SlowDown", "RequestThrottled",
    "ProvisionedThroughputExceededException", "PriorRequestNotComplete", "LimitExceededException",
})
NOT_FOUND_CODES = frozenset({
    "ResourceNotFound", "ResourceNotFoundException", "NoSuchEntity", "NoSuchBucket", "NotFound",
    "FileSystemNotFound", "MountTargetNotFound", "InvalidGroup.NotFound", "InvalidGroupId.NotFound",
    "ValidationException.NotFound",
})


def error_code(err: BaseException) -> str:
    if isinstance(err, ClientError):
        return str(err.response.get("Error", {}).get("Code", ""))
    return ""


def error_message(err: BaseException) -> str:
    if isinstance(err, ClientError):
        return str(err.response.get("Error", {}).get("Message", ""))
    return str(err)


def describe_error(err: BaseException) -> str:
    """One line for the receipt: ``Code: message`` for AWS errors, the message otherwise."""
    code, msg = error_code(err), error_message(err)
    if code:
        return f"{code}: {msg}" if msg else code
    return msg or type(err).__name__


def http_status(err: BaseException) -> int:
    if isinstance(err, ClientError):
        return int(err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    return 0


def is_not_found(err: BaseException) -> bool:
    """AWS says "does not exist" in many ways; SageMaker often with a ValidationException."""
    if not isinstance(err, ClientError):
        return False
    code = error_code(err)
    if code in NOT_FOUND_CODES or code.endswith(".NotFound") or code.endswith("NotFound"):
        return True
    msg = error_message(err).lower()
    # a missing notebook instance is ValidationException "RecordNotFound" (what terraform-provider-aws
    # matches: internal/service/sagemaker/find.go, findNotebookInstanceByName)
    return code in {"ValidationException", "ValidationError", "404"} and (
        "does not exist" in msg or "could not find" in msg or "not found" in msg or "cannot find" in msg
        or "recordnotfound" in msg)


def is_transient(err: BaseException) -> bool:
    """Throttling, a 5xx or a dropped connection: worth another try after a pause."""
    if isinstance(err, (EndpointConnectionError, ConnectionClosedError, ReadTimeoutError)):
        return True
    if isinstance(err, ClientError):
        return error_code(err) in THROTTLE_CODES or http_status(err) >= 500
    return False


def with_retries(fn: Callable[[], T], attempts: int = 6, base_s: float = 0.2, cap_s: float = 20.0,
                 sleep: Callable[[float], None] = time.sleep) -> T:
    """Call ``fn``; on a transient error wait (full jitter, exponential) and try again."""
    for attempt in range(attempts):
        try:
            return fn()
        except Exception as err:
            if not is_transient(err) or attempt == attempts - 1:
                raise
            sleep(random.uniform(0, min(cap_s, base_s * 2 ** attempt)))
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Call:
    service: str
    region: str
    operation: str
    params: dict


Hook = tuple[str, Callable[..., Any]]

_SHARED: dict[str, boto3.session.Session] = {}
_SHARED_LOCK = threading.Lock()


def shared_session() -> boto3.session.Session:
    """One boto3 session per process: creating clients from it reuses the loaded service models
    (a fresh session spends ~0.3 s per client parsing them again)."""
    with _SHARED_LOCK:
        if "s" not in _SHARED:
            _SHARED["s"] = boto3.session.Session()
        return _SHARED["s"]


class Aws:
    """Thread-safe cache of boto3 clients, one per (service, region), recording every API call.

    ``hooks`` are extra botocore event handlers registered on every client; tests use them to
    inject faults (throttling, a 5xx, an interruption) into real clients talking to the emulator.
    """

    def __init__(self, session: boto3.session.Session | None = None, max_attempts: int = 8,
                 hooks: list[Hook] | None = None, record_params: bool = False) -> None:
        self._session = session or shared_session()
        self._config = Config(retries={"mode": "adaptive", "max_attempts": max_attempts},
                              max_pool_connections=32, connect_timeout=10, read_timeout=60)
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._hooks = list(hooks or [])
        self._record_params = record_params
        self.calls: list[Call] = []
        self.attempts = 0  # HTTP requests, retries included

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:
            c = self._clients.get(key)
            if c is None:
                c = self._session.client(service, region_name=region, config=self._config)
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


PAGE_SIZE = 100  # the largest page most SageMaker List* calls allow


def page_size() -> int:
    """Page size for List* calls (a function, so tests can make pages small to prove paging)."""
    return PAGE_SIZE


def paged(client: Any, operation: str, key: str, **params: Any) -> list[dict]:
    """Every element of ``key`` across all pages (botocore paginator when there is one)."""
    out: list[dict] = []
    if client.can_paginate(operation):
        for page in client.get_paginator(operation).paginate(**params):
            out.extend(page.get(key) or [])
        return out
    token_in, token_out = "NextToken", "NextToken"
    while True:
        page = getattr(client, operation)(**params)
        out.extend(page.get(key) or [])
        token = page.get(token_out)
        if not token:
            return out
        params[token_in] = token
