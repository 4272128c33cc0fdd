"""A small IAM policy evaluator for SimulatePrincipalPolicy.

Covers what the kit needs: Allow/Deny, Action/NotAction, Resource/NotResource with ``*`` and ``?``
wildcards (actions case-insensitive), explicit deny over allow, implicit deny by default. Conditions
are not evaluated: a statement with a Condition does not apply, and its condition keys are reported
in ``MissingContextValues`` (what AWS does when the caller gives no context for them).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class SourcePolicy:
    """One policy document and where it came from (for MatchedStatements)."""

    policy_id: str
    policy_type: str  # user | group | role | aws-managed | user-managed | none
    document: dict[str, Any]


def load_document(doc: Any) -> dict[str, Any]:
    if isinstance(doc, dict):
        return doc
    from urllib.parse import unquote

    text = str(doc)
    try:
        return json.loads(text)  # type: ignore[no-any-return]
    except json.JSONDecodeError:
        return json.loads(unquote(text))  # type: ignore[no-any-return]


@lru_cache(maxsize=4096)
def _pattern(glob: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile(f"^{regex}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _matches_any(patterns: list[str], value: str, ignore_case: bool) -> bool:
    return any(_pattern(p, ignore_case).match(value) for p in patterns)


def _statement_applies(stmt: dict[str, Any], action: str, resource: str) -> bool:
    if "NotAction" in stmt:
        if _matches_any(_as_list(stmt["NotAction"]), action, True):
            return False
    elif not _matches_any(_as_list(stmt.get("Action")), action, True):
        return False
    if "NotResource" in stmt:
        return not _matches_any(_as_list(stmt["NotResource"]), resource, False)
    if "Resource" in stmt:
        return _matches_any(_as_list(stmt["Resource"]), resource, False)
    return True


def evaluate(policies: list[SourcePolicy], action: str, resource: str = "*") -> dict[str, Any]:
    """One EvaluationResult (botocore's IAM shape) for ``action`` on ``resource``."""
    allowed: list[dict[str, str]] = []
    denied: list[dict[str, str]] = []
    missing: set[str] = set()
    for policy in policies:
        statements = policy.document.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        for stmt in statements:
            if not _statement_applies(stmt, action, resource):
                continue
            if stmt.get("Condition"):
                for operator_block in stmt["Condition"].values():
                    missing.update(operator_block.keys())
                continue
            ref = {"SourcePolicyId": policy.policy_id, "SourcePolicyType": policy.policy_type}
            (denied if stmt.get("Effect") == "Deny" else allowed).append(ref)
    if denied:
        decision, matched = "explicitDeny", denied
    elif allowed:
        decision, matched = "allowed", allowed
    else:
        decision, matched = "implicitDeny", []
    return {
        "EvalActionName": action,
        "EvalResourceName": resource,
        "EvalDecision": decision,
        "MatchedStatements": matched,
        "MissingContextValues": sorted(missing),
    }
