"""The reaper's Lambda function when the class's Terraform state does not hold it (an apply stopped
before it saved): named ``<class>-…`` and tagged ``classroom=<class>`` (kinds/_account.py)."""

from __future__ import annotations

from provision.teardown.aws import paged
from provision.teardown.kinds._account import class_tagged, gone
from provision.teardown.model import Context, Item, Kind
from provision.teardown.registry import register


@register
class LambdaFunctions(Kind):
    name = "lambda-functions"
    title = "The class's Lambda function (the reaper), not in its Terraform state"
    billable = False
    depends_on = {"event-rules": "the schedule invokes the function until the rule is gone"}
    gone_when_deleted = True  # DeleteFunction is synchronous

    def _all(self, ctx: Context, region: str) -> list[dict]:
        return paged(ctx.aws.client("lambda", region), "list_functions", "Functions")

    def list(self, ctx: Context, region: str) -> list[Item]:
        lam = ctx.aws.client("lambda", region)
        return class_tagged(
            ctx,
            self.name,
            region,
            self._all(ctx, region),
            "FunctionName",
            "lambda_functions",
            lambda _, row: lam.list_tags(Resource=row["FunctionArn"]).get("Tags") or {},
            "Lambda function",
        )

    def delete(self, ctx: Context, it: Item) -> None:
        lam = ctx.aws.client("lambda", it.region)
        gone(lambda: lam.delete_function(FunctionName=it.id))

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        return {f["FunctionName"] for f in self._all(ctx, region)} & {it.id for it in items}
