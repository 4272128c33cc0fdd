"""IAM users of the class that its Terraform state does not hold: an apply stopped before it saved
(SIGKILL, a crash) leaves users the provider created. Only names the class recorded before the apply
(and that did not exist then) which carry ``classroom=<class>`` (provision/teardown/ledger.py)."""

from __future__ import annotations

from provision.teardown.aws import paged
from provision.teardown.kinds._account import delete_user, tagged_items, unrecorded
from provision.teardown.model import Context, Item, Kind
from provision.teardown.registry import register


@register
class IamUsers(Kind):
    name = "iam-users"
    title = "IAM users of the class not in its Terraform state (an apply stopped before it saved)"
    billable = False
    depends_on: dict[str, str] = {}
    gone_when_deleted = True  # DeleteUser is synchronous (IAM API reference)

    def list(self, ctx: Context, region: str) -> list[Item]:
        wanted = unrecorded(ctx, "iam_users")
        if not wanted:
            return []
        iam = ctx.aws.client("iam", region)
        users = [u for u in paged(iam, "list_users", "Users") if u["UserName"] in wanted]
        return tagged_items(
            ctx,
            self.name,
            region,
            users,
            "UserName",
            wanted,
            lambda n, _: {t["Key"]: t["Value"] for t in paged(iam, "list_user_tags", "Tags", UserName=n)},
            "IAM user",
        )

    def delete(self, ctx: Context, it: Item) -> None:
        delete_user(ctx.aws.client("iam", it.region), it.id)

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        iam = ctx.aws.client("iam", region)
        return {u["UserName"] for u in paged(iam, "list_users", "Users")} & {it.id for it in items}
