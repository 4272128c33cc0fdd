"""The account alias: the class's removed, and the account's own alias put back when the class replaced it.

An account has one alias at most, and a new one overwrites the previous one (IAM User Guide, "Your AWS
account ID and its alias"; moto's create_account_alias: "alias is force updated"): the class's
``aws_iam_account_alias`` replaces the alias the account had before, and ``terraform destroy`` deletes
the class's and leaves none. The kit recorded, before the class's first apply, the alias the account
had (provision/teardown/ledger.py). So, like the password policy:

- an alias the class set that its Terraform state does not hold (an apply stopped before it saved) is
  deleted — or, when the account had its own alias before, replaced by it;
- after ``terraform destroy`` (it deletes the alias its state holds), the account's own alias is put
  back when the account has no alias then;
- never any other alias: an alias that is neither the class's nor the one recorded is left as it is.
"""

from __future__ import annotations

from provision.teardown import ledger
from provision.teardown.kinds._account import NOT_IN_STATE, gone
from provision.teardown.model import Context, Item, Kind, item
from provision.teardown.registry import register


def _recorded(ctx: Context) -> tuple[str, set[str]]:
    """(the alias the account had before the class or "", the aliases the class set)."""
    rec = ledger.load(ctx.scope.state_dir).get("account_alias") or {}
    before = [a for a in rec.get("before") or [] if a]
    return (before[0] if before else ""), set(rec.get("set") or []) - set(before)


@register
class AccountAlias(Kind):
    name = "account-alias"
    title = "The account alias the class set, not in its Terraform state; the account's own put back"
    billable = False
    depends_on = {
        "terraform": "terraform destroy deletes the alias its state holds: the owner's is put back after it",
    }
    relist = True  # after terraform destroy: the account may have no alias, and the owner's goes back
    gone_when_deleted = True  # CreateAccountAlias / DeleteAccountAlias are synchronous

    def _current(self, ctx: Context, region: str) -> list[str]:
        return ctx.aws.client("iam", region).list_account_aliases().get("AccountAliases") or []

    def list(self, ctx: Context, region: str) -> list[Item]:
        owner, mine = _recorded(ctx)
        if not mine:
            return []
        if ledger.state_names(ctx.scope.state_dir)["account_alias"]:
            return []  # terraform destroy's to delete first (then this kind lists again)
        current = self._current(ctx, region)
        restore = {"restore": owner} if owner else {}
        out = [
            item(
                self.name,
                region,
                a,
                f"the account alias the class set (recorded before its apply); {NOT_IN_STATE}"
                + (f"; replaced by the account's own alias {owner!r}" if owner else ""),
                **restore,
            )
            for a in current
            if a in mine
        ]
        if owner and not current:
            out.append(
                item(
                    self.name,
                    region,
                    owner,
                    "the account's own alias before the class (the class's replaced it): put back",
                    **restore,
                )
            )
        return out

    def delete(self, ctx: Context, it: Item) -> None:
        iam = ctx.aws.client("iam", it.region)
        _, mine = _recorded(ctx)
        current = self._current(ctx, it.region)
        if any(a not in mine for a in current):  # somebody else's alias since: never touched
            return
        owner = it.get("restore")
        if owner:
            iam.create_account_alias(AccountAlias=owner)  # overwrites the class's (one alias per account)
        elif it.id in current:
            gone(lambda: iam.delete_account_alias(AccountAlias=it.id))

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        return {it.id for it in self.list(ctx, region)} & {it.id for it in items}
