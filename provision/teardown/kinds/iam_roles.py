"""IAM roles of the class (the execution role, the reaper's role) that its Terraform state does not
hold: recorded before the apply, not existing then, tagged ``classroom=<class>`` (ledger.py)."""

from __future__ import annotations

from typing import Any

from provision.teardown.aws import paged
from provision.teardown.kinds._account import RecordedIam, delete_role, tags_of
from provision.teardown.model import Item
from provision.teardown.registry import register

ACTS_AS = "SageMaker acts as the execution role while it stops and deletes these"


@register
class IamRoles(RecordedIam):
    name = "iam-roles"
    title = "IAM roles of the class not in its Terraform state (an apply stopped before it saved)"
    depends_on = {
        "training-jobs": ACTS_AS,
        "tuning-jobs": ACTS_AS,
        "transform-jobs": ACTS_AS,
        "endpoints": ACTS_AS,
        "notebook-instances": ACTS_AS,
        "domain": ACTS_AS,
    }
    record, name_field, what = "iam_roles", "RoleName", "IAM role"
    list_op, list_key = "list_roles", "Roles"

    def tags(self, iam: Any, name: str, row: dict) -> dict[str, str]:
        return tags_of(paged(iam, "list_role_tags", "Tags", RoleName=name))

    def remove(self, iam: Any, it: Item) -> None:
        delete_role(iam, it.id)
