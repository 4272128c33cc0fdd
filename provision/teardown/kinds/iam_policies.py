"""Customer-managed IAM policies of the class (the instance-type guardrail) that its Terraform state
does not hold: recorded before the apply, not existing then, tagged ``classroom=<class>`` (ledger.py).
Detached from every user, group and role and its other versions deleted first (DeleteConflict)."""

from __future__ import annotations

from provision.teardown.aws import paged
from provision.teardown.kinds._account import delete_policy, tagged_items, unrecorded
from provision.teardown.model import Context, Item, Kind
from provision.teardown.registry import register

ATTACHED = "the class's policy is attached to them; they go first and the rest is detached here"


@register
class IamPolicies(Kind):
    name = "iam-policies"
    title = "Customer-managed IAM policies of the class not in its Terraform state"
    billable = False
    depends_on = {"iam-users": ATTACHED, "iam-groups": ATTACHED, "iam-roles": ATTACHED}
    gone_when_deleted = True  # DeletePolicy is synchronous

    def _local(self, ctx: Context, region: str) -> list[dict]:
        return paged(ctx.aws.client("iam", region), "list_policies", "Policies", Scope="Local")

    def list(self, ctx: Context, region: str) -> list[Item]:
        wanted = unrecorded(ctx, "iam_policies")
        if not wanted:
            return []
        iam = ctx.aws.client("iam", region)
        policies = [p for p in self._local(ctx, region) if p["PolicyName"] in wanted]
        return tagged_items(
            ctx,
            self.name,
            region,
            policies,
            "PolicyName",
            wanted,
            lambda _, row: {
                t["Key"]: t["Value"] for t in paged(iam, "list_policy_tags", "Tags", PolicyArn=row["Arn"])
            },
            "customer-managed IAM policy",
            arn="Arn",
        )

    def delete(self, ctx: Context, it: Item) -> None:
        delete_policy(ctx.aws.client("iam", it.region), it.get("arn"))

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        return {p["PolicyName"] for p in self._local(ctx, region)} & {it.id for it in items}
