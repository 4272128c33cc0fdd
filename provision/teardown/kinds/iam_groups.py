"""IAM groups of the class (Administrators, Students) that its Terraform state does not hold.

IAM groups take no tags (CreateGroup has no ``Tags`` parameter; botocore iam-2010-05-08), so the proof
is the record: the names were written to the class's state folder before the apply, and only as the
class's if the account had no group of that name then (provision/teardown/ledger.py). Members are
removed and policies detached first (DeleteGroup answers DeleteConflict otherwise)."""

from __future__ import annotations

from provision.teardown.aws import paged
from provision.teardown.kinds._account import NOT_IN_STATE, delete_group, unrecorded
from provision.teardown.model import Context, Item, Kind, item
from provision.teardown.registry import register


@register
class IamGroups(Kind):
    name = "iam-groups"
    title = "IAM groups of the class not in its Terraform state (an apply stopped before it saved)"
    billable = False
    depends_on = {"iam-users": "a group cannot be deleted while it has members (DeleteConflict)"}
    gone_when_deleted = True  # DeleteGroup is synchronous

    def list(self, ctx: Context, region: str) -> list[Item]:
        wanted = unrecorded(ctx, "iam_groups")
        if not wanted:
            return []
        groups = paged(ctx.aws.client("iam", region), "list_groups", "Groups")
        return [
            item(
                self.name,
                region,
                g["GroupName"],
                "IAM group named in the class's record before its first apply, when the account had no "
                f"such group (groups take no tags); {NOT_IN_STATE}",
            )
            for g in groups
            if g["GroupName"] in wanted
        ]

    def delete(self, ctx: Context, it: Item) -> None:
        delete_group(ctx.aws.client("iam", it.region), it.id)

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        groups = paged(ctx.aws.client("iam", region), "list_groups", "Groups")
        return {g["GroupName"] for g in groups} & {it.id for it in items}
