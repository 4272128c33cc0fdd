"""The class's cost budget when its Terraform state does not hold it (an apply stopped before it
saved): only the budget named ``<class>-<stamp>`` that the class recorded before its apply, when the
account had no budget of that name then (provision/teardown/ledger.py). Budgets is a global service
answered in us-east-1."""

from __future__ import annotations

from provision.teardown.aws import paged
from provision.teardown.kinds._account import NOT_IN_STATE, gone, unrecorded
from provision.teardown.model import Context, Item, Kind, item
from provision.teardown.registry import register

BUDGETS_REGION = "us-east-1"


@register
class Budgets(Kind):
    name = "budgets"
    title = "The class's cost budget, not in its Terraform state"
    billable = False
    depends_on: dict[str, str] = {}
    gone_when_deleted = True  # DeleteBudget is synchronous

    def _names(self, ctx: Context) -> set[str]:
        budgets = ctx.aws.client("budgets", BUDGETS_REGION)
        rows = paged(budgets, "describe_budgets", "Budgets", AccountId=ctx.scope.account_id)
        return {b["BudgetName"] for b in rows}

    def list(self, ctx: Context, region: str) -> list[Item]:
        wanted = unrecorded(ctx, "budgets")
        if not wanted or not ctx.scope.account_id:
            return []
        return [
            item(
                self.name,
                region,
                n,
                "budget named in the class's record before its apply, when the account had none of "
                f"that name; {NOT_IN_STATE}",
            )
            for n in sorted(self._names(ctx) & set(wanted))
        ]

    def delete(self, ctx: Context, it: Item) -> None:
        budgets = ctx.aws.client("budgets", BUDGETS_REGION)
        gone(lambda: budgets.delete_budget(AccountId=ctx.scope.account_id, BudgetName=it.id))

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        return self._names(ctx) & {it.id for it in items}
