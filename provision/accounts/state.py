"""Where a class of accounts keeps its state, and how the kit acts inside a member account.

``<class dir>/`` (as for a single-account class) plus:
- ``accounts.json``        member -> account id, how it was obtained, its students; the class OU id;
- ``org/terraform/``       the organization layer's Terraform (the class OU and its SCPs);
- ``accounts/<member>/``   one directory per member account, laid out like a single-account class
                           (``terraform/`` with its own state, ``outputs.json``, ``handouts/``,
                           ``teardown-receipt.json``, ``teardown-progress.json``);
- ``class-receipt.json``   the class receipt of the last `down` (every account's result, totalled).

One Terraform state per member account (not one state with a provider alias per account): Terraform
cannot create provider configurations with ``for_each``, so a provider per account would mean
rendering N provider blocks and N module calls into one root whose every plan refreshes every
account, whose one failing account blocks all the others, and whose state file holds every account's
passwords. Separate states apply and destroy in parallel (bounded by ``[accounts] parallel``),
resume per account after a failure, and reuse terraform/classroom and the single-account teardown
unchanged — each state's provider assumes ``OrganizationAccountAccessRole`` in its account.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from botocore.credentials import RefreshableCredentials

from kitcore.statedir import ensure_dir, read_json, write_json
from provision import classroom

ACCOUNTS_FILE = "accounts.json"
CLASS_RECEIPT_FILE = "class-receipt.json"
SESSION_NAME = "classroom-kit"
SESSION_SECONDS = 3600
_CLIENT_LOCK = threading.Lock()  # creating clients from one boto3 session is not thread-safe


def accounts_file(settings) -> Path:
    return classroom.class_dir(settings) / ACCOUNTS_FILE


def load(settings) -> dict:
    data = read_json(accounts_file(settings), default={}) or {}
    data.setdefault("members", {})
    return data


def save(settings, data: dict) -> None:
    write_json(ensure_dir(classroom.class_dir(settings)) / ACCOUNTS_FILE, data)


def member_dir(settings, member: str) -> Path:
    return classroom.class_dir(settings) / "accounts" / member


def org_dir(settings) -> Path:
    return classroom.class_dir(settings) / "org"


def role_arn(account_id: str, role: str) -> str:
    return f"arn:aws:iam::{account_id}:role/{role}"


def member_credentials(
    account_id: str,
    role: str,
    region: str,
    base: boto3.session.Session | None = None,
    duration_s: int = SESSION_SECONDS,
    clock: Callable[[], dt.datetime] | None = None,
) -> RefreshableCredentials:
    """Credentials in the member account through its access role that renew themselves.

    An assumed role's credentials expire (AssumeRole DurationSeconds, 1 hour here; AWS caps role
    chaining at 1 hour), and a teardown or a training of a large class can outlast them. botocore's
    RefreshableCredentials calls AssumeRole again when less than 15 minutes are left (advisory; 10
    minutes: mandatory) — the mechanism botocore's own ``role_arn`` profiles use
    (botocore/credentials.py AssumeRoleProvider). Thread-safe: one object serves every client of the
    account. ``clock`` (UTC now) is for tests."""
    base = base or boto3.session.Session()
    with _CLIENT_LOCK:
        sts = base.client("sts", region_name=region)
    arn = role_arn(account_id, role)

    def fetch() -> dict:
        c = sts.assume_role(RoleArn=arn, RoleSessionName=SESSION_NAME, DurationSeconds=duration_s)[
            "Credentials"
        ]
        return {
            "access_key": c["AccessKeyId"],
            "secret_key": c["SecretAccessKey"],
            "token": c["SessionToken"],
            "expiry_time": c["Expiration"].isoformat(),
        }

    first = fetch()
    return RefreshableCredentials(
        first["access_key"],
        first["secret_key"],
        first["token"],
        dt.datetime.fromisoformat(first["expiry_time"]),
        fetch,
        "assume-role",
        time_fetcher=clock or (lambda: dt.datetime.now(dt.UTC)),
    )


def session_with(credentials: RefreshableCredentials, region: str) -> boto3.session.Session:
    """A new boto3 session (one per thread) acting with ``credentials``."""
    core = botocore.session.get_session()
    core._credentials = credentials  # botocore's documented-by-use hook: a session's credential object
    return boto3.session.Session(botocore_session=core, region_name=region)


def member_session(
    account_id: str, role: str, region: str, base: boto3.session.Session | None = None
) -> boto3.session.Session:
    """A boto3 session acting in the member account through its access role (renewed before expiry)."""
    return session_with(member_credentials(account_id, role, region, base=base), region)


def members_in_order(data: dict) -> list[tuple[str, dict[str, Any]]]:
    return sorted(data.get("members", {}).items())


def prefixed_log(log: Callable[[str], None], lock: threading.Lock, member: str) -> Callable[[str], None]:
    """``log`` with every line prefixed ``[member]`` (parallel accounts' output stays readable)."""

    def out(text: str) -> None:
        with lock:
            for line in text.splitlines() or [""]:
                log(f"[{member}] {line}")

    return out
