"""Service control policies: which SCPs apply to a member account, and what they decide for a request.

AWS's rule (Organizations user guide, "SCP evaluation"): a request from a member account is allowed by
SCPs only if, at EVERY level of the account's path — the root, each OU down to the account, and the
account itself — at least one attached SCP has an Allow statement that matches it, and no attached SCP
(at any level) has a matching Deny. SCPs never apply to the management account, nor to service-linked
roles. An SCP Allow grants nothing by itself: it only bounds what identity policies may grant, so the
result here is a *limit* (``Decision.allowed`` False = denied whatever IAM says).

This module is pure (no moto import at module level): :func:`evaluate` takes the policy documents by
level and a request context; :func:`levels_for` reads them from moto's Organizations backend. The
request-context keys the kit's SCPs use are evaluated: ``aws:RequestedRegion``, ``aws:PrincipalArn``
and service keys such as ``sagemaker:InstanceTypes``. Condition operators: String*, Arn*, Bool, Null,
the ``ForAnyValue:``/``ForAllValues:`` set prefixes and the ``IfExists`` suffix (IAM JSON policy
reference, "Condition operators"; a negated operator is true for a key absent from the request).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # "explicit deny in <policy>", "no SCP allows it at <level>", "allowed"
    policy: str = ""


@dataclass
class Request:
    """What an SCP sees of a request: the action (``service:Operation``), resource and context."""

    action: str
    resource: str = "*"
    context: dict[str, list[str]] = field(default_factory=dict)  # key (lower-case) -> values


@lru_cache(maxsize=4096)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{regex}$", (re.IGNORECASE if ignore_case else 0) | re.DOTALL)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [str(value)]


def _any_match(patterns: list[str], value: str, ignore_case: bool = False) -> bool:
    return any(_glob(p, ignore_case).match(value) for p in patterns)


def _arn_like(pattern: str, arn: str) -> bool:
    # ArnLike compares the six colon-separated parts, each with * and ? wildcards
    p_parts, a_parts = pattern.split(":", 5), arn.split(":", 5)
    if len(p_parts) != 6 or len(a_parts) != 6:
        return False
    return all(_glob(p, False).match(a) for p, a in zip(p_parts, a_parts, strict=True))


def _base_match(op: str, values: list[str], value: str) -> bool:
    """True if ``value`` satisfies the NON-negated form of ``op`` for some policy value."""
    if op in ("StringEquals", "StringNotEquals"):
        return value in values
    if op in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        return value.lower() in {v.lower() for v in values}
    if op in ("StringLike", "StringNotLike"):
        return _any_match(values, value)
    if op in ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"):
        return any(_arn_like(v, value) for v in values)
    if op == "Bool":
        return value.lower() in {v.lower() for v in values}
    raise ValueError(f"condition operator {op} is not supported by the embedded AWS's SCP evaluation")


def _condition_holds(op_full: str, key: str, policy_values: list[str], ctx: dict[str, list[str]]) -> bool:
    qualifier, _, op = op_full.rpartition(":")
    if_exists = op.endswith("IfExists")
    if if_exists:
        op = op[: -len("IfExists")]
    present = key.lower() in ctx
    request_values = ctx.get(key.lower(), [])
    if op == "Null":
        want_null = policy_values[0].lower() == "true"
        return (not present) == want_null
    negated = "Not" in op
    if not present or not request_values:
        # set operators (IAM user guide, "Multivalued context keys"): ForAnyValue over no value is
        # false, ForAllValues over no value is true — negated or not. Single-valued: IfExists makes a
        # missing key true; a negated operator is true for a missing key as well.
        if qualifier == "ForAnyValue":
            return False
        if qualifier == "ForAllValues":
            return True
        return if_exists or negated
    if qualifier == "ForAnyValue":
        hits = [(_base_match(op, policy_values, v) != negated) for v in request_values]
        return any(hits)
    if qualifier == "ForAllValues":
        hits = [(_base_match(op, policy_values, v) != negated) for v in request_values]
        return all(hits)
    # single-valued: the key's (first) value
    matched = any(_base_match(op, policy_values, v) for v in request_values)
    return not matched if negated else matched


def _conditions_hold(stmt: dict, ctx: dict[str, list[str]]) -> bool:
    for op, block in (stmt.get("Condition") or {}).items():
        for key, values in block.items():
            if not _condition_holds(op, key, _as_list(values), ctx):
                return False
    return True


def _statement_matches(stmt: dict, req: Request) -> bool:
    if "NotAction" in stmt:
        if _any_match(_as_list(stmt["NotAction"]), req.action, True):
            return False
    elif not _any_match(_as_list(stmt.get("Action")), req.action, True):
        return False
    if "NotResource" in stmt:
        if _any_match(_as_list(stmt["NotResource"]), req.resource):
            return False
    elif "Resource" in stmt and not _any_match(_as_list(stmt["Resource"]), req.resource):
        return False
    return _conditions_hold(stmt, req.context)


def _statements(doc: Any) -> list[dict]:
    if isinstance(doc, str):
        doc = json.loads(doc)
    stmts = doc.get("Statement", [])
    return [stmts] if isinstance(stmts, dict) else list(stmts)


def evaluate(levels: list[tuple[str, list[tuple[str, Any]]]], req: Request) -> Decision:
    """``levels``: [(level name, [(policy name, document), ...]), ...] from the root down to the account.

    Deny wins anywhere; otherwise every level must have a matching Allow.
    """
    for level, policies in levels:
        for name, doc in policies:
            for stmt in _statements(doc):
                if stmt.get("Effect") == "Deny" and _statement_matches(stmt, req):
                    return Decision(False, f"explicit deny in service control policy {name} ({level})", name)
    for level, policies in levels:
        if not any(stmt.get("Effect") == "Allow" and _statement_matches(stmt, req)
                   for _name, doc in policies for stmt in _statements(doc)):
            return Decision(False, f"no service control policy allows it at {level}")
    return Decision(True, "allowed")


# -- reading moto's Organizations backend ----------------------------------------------------------

def management_account(account_id: str) -> str | None:
    """The management account of the organization ``account_id`` is a MEMBER of (None otherwise)."""
    from moto.organizations.models import organizations_backends

    owner = organizations_backends.master_accounts.get(account_id)
    return owner[0] if owner else None


def levels_for(account_id: str) -> list[tuple[str, list[tuple[str, Any]]]] | None:
    """The SCPs of a member account by level (root, OUs, account), or None when SCPs do not apply
    (not a member account, the management account, SCPs not in use)."""
    from moto.organizations.models import organizations_backends

    owner = organizations_backends.master_accounts.get(account_id)
    if not owner or owner[0] == account_id:
        return None
    backend = organizations_backends[owner[0]][owner[1]]
    if backend.org is None:
        return None
    root = next((ou for ou in backend.ou if ou.type == "ROOT"), None)
    if root is None or not any(t["Type"] == "SERVICE_CONTROL_POLICY" for t in root.policy_types):
        return None  # SCPs apply only once the policy type is enabled on the root
    try:
        account = backend.get_account_by_id(account_id)
    except Exception:  # noqa: BLE001 - removed from the organization
        return None
    chain = []
    parent = account.parent_id
    by_id = {ou.id: ou for ou in backend.ou}
    while parent in by_id:
        chain.append(by_id[parent])
        parent = getattr(by_id[parent], "parent_id", None)
    chain.reverse()  # root first

    def scps(target) -> list[tuple[str, Any]]:
        return [(p.name, p.content) for p in getattr(target, "attached_policies", [])
                if p.type == "SERVICE_CONTROL_POLICY"]

    levels = [(f"{'root' if t.type == 'ROOT' else 'OU'} {t.id}", scps(t)) for t in chain]
    levels.append((f"account {account_id}", scps(account)))
    return levels
