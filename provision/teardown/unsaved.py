"""Before ``classroom up`` applies: what an earlier apply of this class created but never saved in its
Terraform state (an ``up`` killed mid-apply, issue 18) is deleted, so that the apply creates it again;
and a name the apply will create that exists and is NOT provably the class's stops ``up`` with one
``error:`` line before anything is created or deleted.

Why delete rather than ``terraform import``: importing needs each thing's resource address
(``module.students.aws_iam_user.this["s01"]``…), which ties the kit to the modules' internal naming
(a renamed module breaks it silently), and an import cannot bring back what the killed apply made
around the thing (a login profile's password is shown once at create and never again; an access key's
secret likewise; memberships and attachments are separate resources). The class never finished being
set up — nobody has its passwords yet — so deleting what the killed apply left and letting the apply
create it ends with exactly the class an uninterrupted ``up`` makes. The deletion reuses the teardown's
account-level kinds, so it deletes only what they prove is the class's (``ledger.py``: recorded before
the apply, not existing then, tagged ``classroom=<class>`` where the thing takes tags) and never
anything the Terraform state holds (those are the apply's to keep or change).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from kitcore.errors import KitError
from provision.teardown import ledger, registry
from provision.teardown.aws import with_retries
from provision.teardown.kinds._s3 import delete_bucket
from provision.teardown.model import Context, Item
from provision.teardown.ownership import CLASS_TAG, class_value

# the teardown kinds whose items are the class's things outside its Terraform state (none of them
# reaches into the state: kinds/_account.py); what a re-created name would collide with
KINDS = (
    "lambda-functions",
    "event-rules",
    "sns-topics",
    "function-log-groups",
    "studio-lifecycle-configs",
    "iam-users",
    "iam-groups",
    "iam-roles",
    "iam-policies",
    "account-alias",
    "budgets",
)
# the ledger's kinds (names the apply creates) -> the teardown kind that proves them the class's
PROVEN_BY = {
    "iam_users": "iam-users",
    "iam_groups": "iam-groups",
    "iam_roles": "iam-roles",
    "iam_policies": "iam-policies",
    "budgets": "budgets",
}
NOUN = {
    "iam_users": "IAM user",
    "iam_groups": "IAM group",
    "iam_roles": "IAM role",
    "iam_policies": "IAM policy",
    "budgets": "budget",
    "buckets": "S3 bucket",
}


def _unsaved_buckets(ctx: Context, present: set[str]) -> list[str]:
    """The class's recorded bucket names (their names carry the class's random stamp, and the account
    had no such bucket at the record) that exist and that the state does not hold."""
    owned = ledger.owned_names(ctx.scope.state_dir, "buckets")
    in_state = ledger.state_names(ctx.scope.state_dir)["buckets"]
    return sorted(b for b in owned if b in present and b not in in_state)


def conflicts(ctx: Context, variables: dict, listed: dict[str, Callable[[], set[str]]], items: list[Item]):
    """Lines naming each thing the apply will create that exists, is not in the class's state and is not
    proven the class's (then Terraform would fail on it with EntityAlreadyExists half-way)."""
    record = ledger.load(ctx.scope.state_dir)
    in_state = ledger.state_names(ctx.scope.state_dir)
    proven: dict[str, set[str]] = {}
    for it in items:
        proven.setdefault(it.kind, set()).add(it.id)
    out = []
    for kind, names in ledger.planned_names(variables).items():
        if not names:
            continue
        present = listed[kind]() & set(names)
        mine = in_state.get(kind, set()) | proven.get(PROVEN_BY.get(kind, ""), set())
        if kind == "buckets":
            mine |= set(_unsaved_buckets(ctx, present))
        for name in sorted(present - mine):
            why = (
                "it was there before the class's first `up`"
                if (record.get(kind) or {}).get(name, {}).get("existed", True)
                else f"it does not carry the tag {CLASS_TAG}={class_value(ctx)}"
            )
            out.append(f"{NOUN[kind]} {name!r} ({why})")
    return out


def reclaim(
    ctx: Context, variables: dict, session: Any, log: Callable[[str], None], earlier: bool = True
) -> int:
    """Check, then delete what an earlier apply left outside the state; returns how many were deleted.
    Call after ``ledger.record`` and after the state was repaired (``tfrunner.repair_state``).
    ``earlier`` False: the class had no record before this ``up`` (its first, or its first since a
    teardown that left nothing): nothing of it can be outside the state, only the names are checked."""
    if not ledger.load(ctx.scope.state_dir):
        return 0
    region = ctx.scope.region
    kinds = [k for k in registry.order() if k.name in KINDS] if earlier else []  # deletion order
    ctx.begin_pass()
    try:
        items = [it for k in kinds for it in with_retries(lambda k=k: k.list(ctx, region))]
    finally:
        ctx.end_pass()
    # each listing asked once (the conflicts and the buckets share the bucket listing)
    listed = {
        k: functools.cache(f) for k, f in ledger.listers(session, region, ctx.scope.account_id or "").items()
    }
    bad = conflicts(ctx, variables, listed, items)
    if bad:
        them = "it" if len(bad) == 1 else "them"
        raise KitError(
            f"the account already has {'; '.join(bad)}: the class's Terraform would fail on {them}; "
            f"rename or remove {them} (or change the class's names), then run `classroom up` again"
        )
    buckets = _unsaved_buckets(ctx, listed["buckets"]())
    if not items and not buckets:
        return 0
    log(
        f"an earlier `up` was stopped before Terraform saved {len(items) + len(buckets)} thing(s) it "
        "created: deleting them so that this apply creates them again"
    )
    by_name = {k.name: k for k in kinds}
    for it in items:
        with_retries(lambda it=it: by_name[it.kind].delete(ctx, it))
    s3 = ctx.aws.client("s3", region)
    for b in buckets:
        with_retries(lambda b=b: delete_bucket(s3, b))
    return len(items) + len(buckets)
