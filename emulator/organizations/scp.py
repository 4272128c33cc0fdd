"""Service control policies: which SCPs apply to a member account, and what they decide for a request.

AWS's rule (Organizations user guide, "SCP evaluation"): a request from a member account is allowed by
SCPs only if, at EVERY level of the account's path — the root, each OU down to the account, and the
account itself — at least one attached SCP has an Allow statement that matches it, and no attached SCP
(at any level) has a matching Deny. SCPs never apply to the management account. An SCP Allow grants
nothing by itself: it only bounds what identity policies may grant, so the decision here is a *limit*.

Statements are matched by the embedded AWS's IAM evaluator (:func:`emulator.iam.policy.evaluate`:
conditions, set operators, variables) with the request context that the IAM enforcement built
(``aws:RequestedRegion``, ``aws:PrincipalArn``, ``sagemaker:InstanceTypes``…). :func:`levels_for` reads
the policies from moto's Organizations backend.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from emulator.iam import policy as P


@dataclass(frozen=True)
class Decision:
    allowed: bool
    explicit: bool = False  # an explicit Deny (else: no Allow at some level)
    where: str = ""  # the policy (explicit deny) or the level (no allow)


Levels = list[tuple[str, list[P.Policy]]]


def evaluate(levels: Levels, action: str, resource: str, context: dict[str, list[str]]) -> Decision:
    """``levels``: [(level name, [parsed SCPs])] from the root down to the account."""
    for _level, policies in levels:
        d = P.evaluate(policies, action, resource, context)
        if d.decision == "explicitDeny":
            return Decision(False, True, d.denied_by[0][0].source_id)
    for level, policies in levels:
        if not P.evaluate(policies, action, resource, context).allowed:
            return Decision(False, False, level)
    return Decision(True)


def parse(name: str, content: Any) -> P.Policy:
    text = content if isinstance(content, str) else json.dumps(content)
    return P.parse_text(text, name, "scp")


def management_account(account_id: str) -> str | None:
    """The management account of the organization ``account_id`` is a MEMBER of (None otherwise)."""
    from moto.organizations.models import organizations_backends

    owner = organizations_backends.master_accounts.get(account_id)
    return owner[0] if owner else None


def levels_for(account_id: str) -> Levels | None:
    """The SCPs of a member account by level (root, OUs, account), or None when SCPs do not apply
    (not a member account, the management account, or SCPs not enabled on the root)."""
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
    by_id = {ou.id: ou for ou in backend.ou}
    chain = []
    parent = account.parent_id
    while parent in by_id:
        chain.append(by_id[parent])
        parent = getattr(by_id[parent], "parent_id", None)
    chain.reverse()  # root first

    def scps(target: Any) -> list[P.Policy]:
        return [
            parse(p.name, p.content)
            for p in getattr(target, "attached_policies", [])
            if p.type == "SERVICE_CONTROL_POLICY"
        ]

    levels: Levels = [(f"{'root' if t.type == 'ROOT' else 'OU'} {t.id}", scps(t)) for t in chain]
    levels.append((f"account {account_id}", scps(account)))
    return levels
