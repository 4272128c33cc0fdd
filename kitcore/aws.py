"""AWS details written once: which errors mean "not found" or "try again", retries with jitter, paging,
waiting for a status, one boto3 session per process, and deleting an endpoint with its config and
model(s).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import boto3
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from kitcore.errors import KitError

T = TypeVar("T")

THROTTLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
        "RequestThrottled",
        "ProvisionedThroughputExceededException",
        "PriorRequestNotComplete",
        "LimitExceededException",
    }
)
NOT_FOUND_CODES = frozenset(
    {
        "ResourceNotFound",
        "ResourceNotFoundException",
        "NoSuchEntity",
        "NoSuchBucket",
        "NotFound",
        "FileSystemNotFound",
        "MountTargetNotFound",
        "InvalidGroup.NotFound",
        "InvalidGroupId.NotFound",
        "ValidationException.NotFound",
    }
)


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
        "does not exist" in msg
        or "could not find" in msg
        or "not found" in msg
        or "cannot find" in msg
        or "recordnotfound" in msg
    )


def is_transient(err: BaseException) -> bool:
    """Throttling, a 5xx or a dropped connection: worth another try after a pause."""
    if isinstance(err, (EndpointConnectionError, ConnectionClosedError, ReadTimeoutError)):
        return True
    if isinstance(err, ClientError):
        return error_code(err) in THROTTLE_CODES or http_status(err) >= 500
    return False


def with_retries(
    fn: Callable[[], T],
    attempts: int = 6,
    base_s: float = 0.2,
    cap_s: float = 20.0,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``fn``; on a transient error wait (full jitter, exponential) and try again."""
    for attempt in range(attempts):
        try:
            return fn()
        except Exception as err:
            if not is_transient(err) or attempt == attempts - 1:
                raise
            sleep(random.uniform(0, min(cap_s, base_s * 2**attempt)))
    raise AssertionError("unreachable")


_SHARED: dict[str, boto3.session.Session] = {}
_SHARED_LOCK = threading.Lock()


def shared_session() -> boto3.session.Session:
    """One boto3 session per process: creating clients from it reuses the loaded service models
    (a fresh session spends ~0.3 s per client parsing them again)."""
    with _SHARED_LOCK:
        if "s" not in _SHARED:
            _SHARED["s"] = boto3.session.Session()
        return _SHARED["s"]


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


def short(err: BaseException) -> str:
    """The first line of an error, at most 200 characters (for one-line messages)."""
    return str(err).splitlines()[0][:200] if str(err) else type(err).__name__


def ignore_not_found(call: Callable[[], T]) -> T | None:
    """``call()``, or None when AWS says the thing does not exist."""
    try:
        return call()
    except ClientError as err:
        if is_not_found(err):
            return None
        raise


# -- waiting -------------------------------------------------------------------------------------------


def wait_for_status(
    describe: Callable[[], dict],
    status_key: str,
    final: Iterable[str],
    sleep: Callable[[], None],
    on_poll: Callable[[dict], None] | None = None,
) -> dict:
    """Describe until ``describe()[status_key]`` is one of ``final``; ``sleep()`` between polls (it may
    raise to stop waiting, e.g. on Ctrl-C). Returns the last description."""
    final = frozenset(final)
    while True:
        d = describe()
        if on_poll:
            on_poll(d)
        if d[status_key] in final:
            return d
        sleep()


# -- hosting: an endpoint with its config and model(s) ----------------------------------------------------


def endpoint_parts(sm: Any, endpoint: str) -> tuple[str, list[str]] | None:
    """(endpoint config, its models) of ``endpoint``; None when the endpoint does not exist."""
    described = ignore_not_found(lambda: sm.describe_endpoint(EndpointName=endpoint))
    if described is None:
        return None
    config = described["EndpointConfigName"]
    variants = ignore_not_found(lambda: sm.describe_endpoint_config(EndpointConfigName=config)) or {}
    models = [v["ModelName"] for v in variants.get("ProductionVariants", []) if v.get("ModelName")]
    return config, models


def delete_hosting(
    sm: Any, endpoint: str | None = None, config: str | None = None, models: Iterable[str | None] = ()
) -> list[str]:
    """Delete the endpoint, then the endpoint config, then the model(s) — each one named, each one
    that exists (plain boto3 calls, so a half-created deployment goes away too). Returns what was
    deleted (``"endpoint NAME"``, ``"endpoint-config NAME"``, ``"model NAME"``); every failure other
    than not-found is tried past and then reported in one KitError."""
    steps = [
        ("endpoint", endpoint, lambda n: sm.delete_endpoint(EndpointName=n)),
        ("endpoint-config", config, lambda n: sm.delete_endpoint_config(EndpointConfigName=n)),
    ]
    steps += [("model", m, lambda n: sm.delete_model(ModelName=n)) for m in models]
    done, errors = [], []
    for kind, name, delete in steps:
        if not name:
            continue
        try:
            delete(name)
            done.append(f"{kind} {name}")
        except Exception as err:  # noqa: BLE001 - reported below unless it is not-found
            if not is_not_found(err):
                errors.append(f"{kind} {name}: {short(err)}")
    if errors:
        raise KitError("could not delete " + "; ".join(errors) + " — run `make down` or delete them by hand")
    return done


def delete_endpoint_with_parts(sm: Any, endpoint: str, keep_configs: Iterable[str] = ()) -> list[str]:
    """Delete the endpoint and the config and model(s) it uses (the config and its models stay when
    the config is in ``keep_configs``: another endpoint still uses it). An endpoint that is already
    gone gives ``[]``."""
    parts = endpoint_parts(sm, endpoint)
    if parts is None:
        return []
    config, models = parts
    if config in set(keep_configs):
        return delete_hosting(sm, endpoint)
    return delete_hosting(sm, endpoint, config, models)
