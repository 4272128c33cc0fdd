"""Customer-managed IAM policies of the class (the instance-type guardrail) that its Terraform state
does not hold: recorded before the apply, not existing then, tagged ``classroom=<class>`` (ledger.py).
Detached from every user, group and role and its other versions deleted first (DeleteConflict)."""

from __future__ import annotations

from typing import Any

from provision.teardown.aws import paged
from provision.teardown.kinds._account import RecordedIam, delete_policy, tags_of
from provision.teardown.model import Item
from provision.teardown.registry import register

ATTACHED = "the class's policy is attached to them; they go first and the rest is detached here"


@register
class IamPolicies(RecordedIam):
    name = "iam-policies"
    title = "Customer-managed IAM policies of the class not in its Terraform state"
    depends_on = {"iam-users": ATTACHED, "iam-groups": ATTACHED, "iam-roles": ATTACHED}
    record, name_field, what = "iam_policies", "PolicyName", "customer-managed IAM policy"
    list_op, list_key, list_params = "list_policies", "Policies", {"Scope": "Local"}
    data = {"arn": "Arn"}

    def tags(self, iam: Any, name: str, row: dict) -> dict[str, str]:
        return tags_of(paged(iam, "list_policy_tags", "Tags", PolicyArn=row["Arn"]))

    def remove(self, iam: Any, it: Item) -> None:
        delete_policy(iam, it.get("arn"))
