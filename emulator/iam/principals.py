"""Who signed a request, and the identity policies that apply to them.

A request signed with an IAM user's access key (``AKIA...`` from CreateAccessKey) is that user; one
signed with an STS AssumeRole session (``ASIA...`` + session token) is the assumed role's session.
Any other key (the ``testing`` keys the kit and Terraform use, the emulator's root) is the
bootstrapping principal: not restricted. Policies are parsed once per principal and cached; the cache
is dropped whenever IAM or STS state may have changed (:func:`invalidate`, called around every IAM
and STS write).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from emulator.iam.policy import Policy, parse_text

_lock = threading.Lock()
_generation = 0
_keys: dict[tuple[str, str], Principal | None] = {}


def invalidate() -> None:
    global _generation
    with _lock:
        _generation += 1
        _keys.clear()


def _text(doc: Any) -> str:
    return doc if isinstance(doc, str) else json.dumps(doc)


def managed_policy(policy: Any) -> Policy:
    version = next((v for v in policy.versions if v.is_default), policy.versions[0])
    ptype = "aws-managed" if ":aws:policy/" in policy.arn else "user-managed"
    return parse_text(_text(version.document), policy.name, ptype)


def _inline(name: str, doc: Any, ptype: str) -> Policy:
    return parse_text(_text(doc), name, ptype)


def group_policies(group: Any) -> list[Policy]:
    return [_inline(n, d, "group") for n, d in group.policies.items()] + [
        managed_policy(p) for p in group.managed_policies.values()
    ]


def user_policies(backend: Any, name: str) -> list[Policy]:
    user = backend.get_user(name)
    out = [_inline(n, d, "user") for n, d in user.policies.items()] + [
        managed_policy(p) for p in user.managed_policies.values()
    ]
    for group in backend.get_groups_for_user(name):
        out += group_policies(group)
    return out


def role_policies(backend: Any, name: str) -> list[Policy]:
    role = backend.get_role(name)
    return [_inline(n, d, "role") for n, d in role.policies.items()] + [
        managed_policy(p) for p in role.managed_policies.values()
    ]


@dataclass
class Principal:
    arn: str  # the caller's ARN as AWS reports it (user ARN or assumed-role session ARN)
    account: str
    kind: str  # user | assumed-role
    name: str  # user name or role name
    user_id: str
    policies: list[Policy] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    #: the user's or role's permissions boundary (None: none set)
    boundary: list[Policy] | None = None
    #: a role session's session policies, AssumeRole ``Policy`` + ``PolicyArns`` (None: none given)
    session: list[Policy] | None = None

    def context(self) -> dict[str, list[str]]:
        cached = self.__dict__.get("_context")
        if cached is not None:
            return cached
        ctx = {
            "aws:principalarn": [
                self.arn if self.kind == "user" else f"arn:aws:iam::{self.account}:role/{self.name}"
            ],
            "aws:principalaccount": [self.account],
            "aws:principaltype": ["User" if self.kind == "user" else "AssumedRole"],
            "aws:userid": [self.user_id],
        }
        if self.kind == "user":
            ctx["aws:username"] = [self.name]
        for k, v in self.tags.items():
            ctx[f"aws:principaltag/{k.lower()}"] = [v]
        self.__dict__["_context"] = ctx
        return ctx


def _policy_by_arn(backend: Any, arn: str) -> Policy:
    """A managed policy named by ARN; one that does not exist allows nothing (an empty document)."""
    try:
        return managed_policy(backend.get_policy(arn))
    except Exception:  # noqa: BLE001 - deleted since it was named
        return parse_text('{"Statement": []}', arn, "none")


def boundary_of(backend: Any, entity: Any) -> list[Policy] | None:
    """The permissions boundary of a user or role (IAM User Guide, "Permissions boundaries for IAM
    entities"): moto keeps a role's (``permissions_boundary_arn``); the kit keeps a user's the same way
    (:mod:`emulator.account.iam`)."""
    arn = getattr(entity, "permissions_boundary_arn", None)
    return [_policy_by_arn(backend, arn)] if arn else None


def session_policies(backend: Any, session: Any) -> list[Policy] | None:
    """AssumeRole's ``Policy`` (moto keeps it) and ``PolicyArns`` (kept by :mod:`emulator.iam.enforce`
    as ``kit_policy_arns``); None when the session was given neither."""
    out: list[Policy] = []
    if getattr(session, "policy", None):
        out.append(parse_text(_text(session.policy), "session-policy", "none"))
    for arn in getattr(session, "kit_policy_arns", None) or []:
        out.append(_policy_by_arn(backend, arn))
    return out or None


def _tags(entity: Any) -> dict[str, str]:
    raw = getattr(entity, "tags", None) or {}
    if isinstance(raw, dict):
        return {
            str(v.get("Key", k)): str(v.get("Value", v)) if isinstance(v, dict) else str(v)
            for k, v in raw.items()
        }
    return {}


def _find(account: str, partition: str, access_key_id: str) -> Principal | None:
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    iam = iam_backends[account][partition]
    if access_key_id.startswith("AKIA"):
        for user in list(iam.users.values()):
            for key in user.access_keys:
                if key.access_key_id == access_key_id and key.status == "Active":
                    return Principal(
                        user.arn,
                        account,
                        "user",
                        user.name,
                        user.id,
                        user_policies(iam, user.name),
                        _tags(user),
                        boundary_of(iam, user),
                    )
        return None
    for session in list(sts_backends[account][partition].assumed_roles):
        if session.access_key_id == access_key_id:
            role_name = session.role_arn.split("/")[-1]
            try:
                role = iam.get_role(role_name)
            except Exception:  # noqa: BLE001 - the role was deleted: its sessions have no rights
                return Principal(
                    session.arn, account, "assumed-role", role_name, f"AROA:{session.session_name}", []
                )
            return Principal(
                session.arn,
                account,
                "assumed-role",
                role.name,
                f"{role.id}:{session.session_name}",
                role_policies(iam, role.name),
                _tags(role),
                boundary_of(iam, role),
                session_policies(iam, session),
            )
    return None


def is_root_key(access_key_id: str) -> bool:
    """moto's own default credentials (never an IAM user's)."""
    return access_key_id in ("AKIAIOSFODNN7EXAMPLE", "FOOBARKEY")


def lookup(account: str, partition: str, access_key_id: str) -> Principal | None:
    """The principal owning ``access_key_id``, or None for the unrestricted bootstrapping keys."""
    cache_key = (account, access_key_id)
    try:
        return _keys[cache_key]
    except KeyError:
        pass
    with _lock:
        generation = _generation
    found = _find(account, partition, access_key_id)
    with _lock:
        if generation == _generation:
            _keys[cache_key] = found
    return found
