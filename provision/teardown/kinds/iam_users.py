"""IAM users of the class that its Terraform state does not hold: an apply stopped before it saved
(SIGKILL, a crash) leaves users the provider created. Only names the class recorded before the apply
(and that did not exist then) which carry ``classroom=<class>`` (provision/teardown/ledger.py)."""

from __future__ import annotations

from typing import Any

from provision.teardown.aws import paged
from provision.teardown.kinds._account import RecordedIam, delete_user, tags_of
from provision.teardown.model import Item
from provision.teardown.registry import register


@register
class IamUsers(RecordedIam):
    name = "iam-users"
    title = "IAM users of the class not in its Terraform state (an apply stopped before it saved)"
    depends_on: dict[str, str] = {}
    record, name_field, what = "iam_users", "UserName", "IAM user"
    list_op, list_key = "list_users", "Users"

    def tags(self, iam: Any, name: str, row: dict) -> dict[str, str]:
        return tags_of(paged(iam, "list_user_tags", "Tags", UserName=name))

    def remove(self, iam: Any, it: Item) -> None:
        delete_user(iam, it.id)
