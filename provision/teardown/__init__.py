"""Ordered teardown of a class: plan → confirmation → delete kind by kind → receipt.

    ctx = Context(aws=Aws(), scope=scope_from_settings(settings))
    outcome = teardown(ctx, confirm=lambda plan: True)

Kinds live in ``provision.teardown.kinds`` (one module each) and declare what they wait for; the order
is derived from those declarations (``registry.order()``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from kitcore.errors import KitError
from provision.teardown import receipt as receipts
from provision.teardown import registry
from provision.teardown.aws import Aws, with_retries
from provision.teardown.model import ClassScope, Context, Item
from provision.teardown.plan import Plan, build_plan, format_plan, merge
from provision.teardown.runner import KindResult, Progress, execute, interrupted_reason

__all__ = ["Aws", "ClassScope", "Context", "Item", "Outcome", "check_account", "teardown"]


@dataclass
class Outcome:
    plan: Plan
    account_id: str
    results: list[KindResult] | None = None
    receipt: dict | None = None

    @property
    def ok(self) -> bool:
        return self.receipt is not None and bool(self.receipt["ok"])


def check_account(ctx: Context) -> str:
    """The caller's account; refuse (before anything is listed) if it is not the class's account."""
    actual = with_retries(lambda: ctx.aws.account_id(ctx.scope.region))
    expected = ctx.scope.account_id
    if not expected:
        raise KitError(
            f"no record of the account class {ctx.scope.class_name!r} was created in "
            "(class.json); refusing to delete anything"
        )
    if actual != expected:
        raise KitError(
            f"these credentials are for account {actual}, but class {ctx.scope.class_name!r} "
            f"was created in account {expected}; refusing to delete anything"
        )
    return actual


def resume_plan(ctx: Context, leftover: list[Item]) -> Plan:
    """The plan, with what an interrupted run left in the progress file.

    A left item that the fresh listing did not return is looked up with its kind's "what still
    exists" check (``Kind.remaining``: a listing, or a lookup by id where the listing cannot see it,
    e.g. a domain's home EFS once the domain is gone). If that says it is gone, it is gone, whatever
    its last delete got (an error the kit did not understand, a crash before the run recorded it):
    no item stays in the progress file forever. When the check itself fails, the item stays.
    """
    plan = build_plan(ctx)
    fresh = {it.key for it in plan.items}
    by_kind: dict[str, list[Item]] = {}
    kinds = registry.kinds()
    for it in leftover:
        if it.kind in kinds and it.key not in fresh:
            by_kind.setdefault(it.kind, []).append(it)
    keep: list[Item] = []
    for name, items in by_kind.items():
        try:
            keep.extend(with_retries(lambda k=kinds[name], i=items: k.remaining(ctx, i)))
        except Exception:  # cannot tell: its delete will look again
            keep.extend(items)
    plan.items = merge(
        plan.items, [Item(**{**it.__dict__, "reason": interrupted_reason(it.reason)}) for it in keep]
    )
    return plan


def teardown(
    ctx: Context,
    *,
    confirm: Callable[[Plan], bool] | None = None,
    dry_run: bool = False,
    log: Callable[[str], None] = print,
    brief: bool = False,
) -> Outcome:
    """Plan, print, confirm, delete, receipt. ``confirm`` returning False stops before any delete.

    ``brief`` (``classroom down --yes`` without ``-v``: nobody reads the plan before it runs): the plan
    is one line per part, the deletions one live line, the receipt only the kinds that had anything;
    every detail still goes to teardown-receipt.json."""
    started = dt.datetime.now(dt.UTC)
    account = check_account(ctx)
    progress = Progress(ctx.scope.state_dir)
    plan = resume_plan(ctx, progress.load())
    log(format_plan(plan, ctx.scope.class_name, brief=brief))
    outcome = Outcome(plan=plan, account_id=account)
    if dry_run:
        log("dry run: nothing was deleted")
        return outcome
    if confirm is not None and not confirm(plan):
        raise KitError("the class name was not confirmed; nothing was deleted")
    if brief:
        from provision import ui

        live = ui.LiveLine()
        try:
            outcome.results = execute(
                ctx, plan, progress, log=log, done=lambda line: live.update("deleting:" + line.strip())
            )
        finally:
            gone = sum(r.deleted for r in outcome.results or [])
            live.close(f"deleted {gone}/{len(plan.items)} item(s) in dependency order")
    else:
        log("Deleting, in dependency order:")
        outcome.results = execute(ctx, plan, progress, log=log)
    outcome.receipt = receipts.build(ctx, outcome.results, plan.items, started, account, plan)
    receipts.write(outcome.receipt, ctx.scope.state_dir)
    if outcome.ok:  # nothing of the class is left: what it recorded before its applies is done with
        from provision.teardown import ledger

        ledger.clear(ctx.scope.state_dir)
    log(receipts.format_table(outcome.receipt, brief=brief))
    return outcome
