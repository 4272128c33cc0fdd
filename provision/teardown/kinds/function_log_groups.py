"""The reaper's log group ``/aws/lambda/<class>-…`` when the class's Terraform state does not hold it:
tagged ``classroom=<class>`` (kinds/_account.py)."""

from __future__ import annotations

from provision.teardown.aws import paged
from provision.teardown.kinds._account import class_tagged, gone
from provision.teardown.model import Context, Item, Kind
from provision.teardown.registry import register

PREFIX = "/aws/lambda/"


@register
class FunctionLogGroups(Kind):
    name = "function-log-groups"
    title = "The class's Lambda log group /aws/lambda/<class>-*, not in its Terraform state"
    billable = False
    depends_on = {"lambda-functions": "a running function writes its log group and makes it again"}
    gone_when_deleted = True  # DeleteLogGroup is synchronous

    def _all(self, ctx: Context, region: str) -> list[dict]:
        logs = ctx.aws.client("logs", region)
        return paged(logs, "describe_log_groups", "logGroups", logGroupNamePrefix=PREFIX)

    def list(self, ctx: Context, region: str) -> list[Item]:
        logs = ctx.aws.client("logs", region)
        return class_tagged(
            ctx,
            self.name,
            region,
            self._all(ctx, region),
            "logGroupName",
            "function_log_groups",
            lambda n, _: logs.list_tags_log_group(logGroupName=n).get("tags") or {},
            "Lambda log group",
        )

    def delete(self, ctx: Context, it: Item) -> None:
        logs = ctx.aws.client("logs", it.region)
        gone(lambda: logs.delete_log_group(logGroupName=it.id))

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        return {g["logGroupName"] for g in self._all(ctx, region)} & {it.id for it in items}
