"""The reaper's log group ``/aws/lambda/<class>-…`` when the class's Terraform state does not hold it:
tagged ``classroom=<class>`` (kinds/_account.py)."""

from __future__ import annotations

from typing import Any

from provision.teardown.aws import paged
from provision.teardown.kinds._account import ClassTagged
from provision.teardown.model import Item
from provision.teardown.registry import register

PREFIX = "/aws/lambda/"


@register
class FunctionLogGroups(ClassTagged):
    name = "function-log-groups"
    title = "The class's Lambda log group /aws/lambda/<class>-*, not in its Terraform state"
    depends_on = {"lambda-functions": "a running function writes its log group and makes it again"}
    # DeleteLogGroup is synchronous
    service, record, name_field, what = "logs", "function_log_groups", "logGroupName", "Lambda log group"

    def rows(self, client: Any) -> list[dict]:
        return paged(client, "describe_log_groups", "logGroups", logGroupNamePrefix=PREFIX)

    def tags(self, client: Any, name: str, row: dict) -> dict[str, str]:
        return client.list_tags_log_group(logGroupName=name).get("tags") or {}

    def remove(self, client: Any, it: Item) -> None:
        client.delete_log_group(logGroupName=it.id)
