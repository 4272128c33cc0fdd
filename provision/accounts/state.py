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

import threading
from pathlib import Path
from typing import Any

import boto3

from kitcore.statedir import ensure_dir, read_json, write_json
from provision import classroom

ACCOUNTS_FILE = "accounts.json"
CLASS_RECEIPT_FILE = "class-receipt.json"
SESSION_NAME = "classroom-kit"
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


def member_session(
    account_id: str, role: str, region: str, base: boto3.session.Session | None = None
) -> boto3.session.Session:
    """A boto3 session acting in the member account through its access role (1 hour)."""
    base = base or boto3.session.Session()
    with _CLIENT_LOCK:
        sts = base.client("sts", region_name=region)
    creds = sts.assume_role(
        RoleArn=role_arn(account_id, role),
        RoleSessionName=SESSION_NAME,
        DurationSeconds=3600,
    )["Credentials"]
    return boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=region,
    )


def members_in_order(data: dict) -> list[tuple[str, dict[str, Any]]]:
    return sorted(data.get("members", {}).items())
