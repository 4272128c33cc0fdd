"""IAM roles of the class (the execution role, the reaper's role) that its Terraform state does not
hold: recorded before the apply, not existing then, tagged ``classroom=<class>`` (ledger.py)."""

from __future__ import annotations

from provision.teardown.aws import paged
from provision.teardown.kinds._account import delete_role, tagged_items, unrecorded
from provision.teardown.model import Context, Item, Kind
from provision.teardown.registry import register

ACTS_AS = "SageMaker acts as the execution role while it stops and deletes these"


@register
class IamRoles(Kind):
    name = "iam-roles"
    title = "IAM roles of the class not in its Terraform state (an apply stopped before it saved)"
    billable = False
    depends_on = {
        "training-jobs": ACTS_AS,
        "tuning-jobs": ACTS_AS,
        "transform-jobs": ACTS_AS,
        "endpoints": ACTS_AS,
        "notebook-instances": ACTS_AS,
        "domain": ACTS_AS,
    }
    gone_when_deleted = True  # DeleteRole is synchronous

    def list(self, ctx: Context, region: str) -> list[Item]:
        wanted = unrecorded(ctx, "iam_roles")
        if not wanted:
            return []
        iam = ctx.aws.client("iam", region)
        roles = [r for r in paged(iam, "list_roles", "Roles") if r["RoleName"] in wanted]
        return tagged_items(
            ctx,
            self.name,
            region,
            roles,
            "RoleName",
            wanted,
            lambda n, _: {t["Key"]: t["Value"] for t in paged(iam, "list_role_tags", "Tags", RoleName=n)},
            "IAM role",
        )

    def delete(self, ctx: Context, it: Item) -> None:
        delete_role(ctx.aws.client("iam", it.region), it.id)

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        iam = ctx.aws.client("iam", region)
        return {r["RoleName"] for r in paged(iam, "list_roles", "Roles")} & {it.id for it in items}
