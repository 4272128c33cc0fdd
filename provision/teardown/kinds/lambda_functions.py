"""The reaper's Lambda function when the class's Terraform state does not hold it (an apply stopped
before it saved): named ``<class>-…`` and tagged ``classroom=<class>`` (kinds/_account.py)."""

from __future__ import annotations

from typing import Any

from provision.teardown.aws import paged
from provision.teardown.kinds._account import ClassTagged
from provision.teardown.model import Item
from provision.teardown.registry import register


@register
class LambdaFunctions(ClassTagged):
    name = "lambda-functions"
    title = "The class's Lambda function (the reaper), not in its Terraform state"
    depends_on = {"event-rules": "the schedule invokes the function until the rule is gone"}
    # DeleteFunction is synchronous
    service, record, name_field, what = "lambda", "lambda_functions", "FunctionName", "Lambda function"

    def rows(self, client: Any) -> list[dict]:
        return paged(client, "list_functions", "Functions")

    def tags(self, client: Any, name: str, row: dict) -> dict[str, str]:
        return client.list_tags(Resource=row["FunctionArn"]).get("Tags") or {}

    def remove(self, client: Any, it: Item) -> None:
        client.delete_function(FunctionName=it.id)
