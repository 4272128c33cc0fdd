"""The account alias the class set, when its Terraform state does not hold it (an apply stopped before
it saved). An account has one alias at most: it is deleted only while it still equals an alias the
class recorded before its apply (and that the account did not have before) — never any other alias."""

from __future__ import annotations

from provision.teardown import ledger
from provision.teardown.kinds._account import NOT_IN_STATE, gone
from provision.teardown.model import Context, Item, Kind, item
from provision.teardown.registry import register


def _class_aliases(ctx: Context) -> set[str]:
    rec = ledger.load(ctx.scope.state_dir).get("account_alias") or {}
    mine = set(rec.get("set") or []) - set(rec.get("before") or [])
    return mine - ledger.state_names(ctx.scope.state_dir)["account_alias"]


@register
class AccountAlias(Kind):
    name = "account-alias"
    title = "The account alias the class set, not in its Terraform state"
    billable = False
    depends_on: dict[str, str] = {}
    gone_when_deleted = True  # DeleteAccountAlias is synchronous

    def _current(self, ctx: Context, region: str) -> list[str]:
        return ctx.aws.client("iam", region).list_account_aliases().get("AccountAliases") or []

    def list(self, ctx: Context, region: str) -> list[Item]:
        mine = _class_aliases(ctx)
        if not mine:
            return []
        return [
            item(
                self.name,
                region,
                a,
                f"the account alias the class set (recorded before its apply); {NOT_IN_STATE}",
            )
            for a in self._current(ctx, region)
            if a in mine
        ]

    def delete(self, ctx: Context, it: Item) -> None:
        iam = ctx.aws.client("iam", it.region)
        if it.id in self._current(ctx, it.region):  # the alias may have changed since: never another one
            gone(lambda: iam.delete_account_alias(AccountAlias=it.id))

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        return set(self._current(ctx, region)) & {it.id for it in items}
