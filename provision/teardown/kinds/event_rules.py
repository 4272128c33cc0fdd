"""The reaper's EventBridge schedule when the class's Terraform state does not hold it: named
``<class>-…`` and tagged ``classroom=<class>`` (kinds/_account.py). Its targets are removed first
(DeleteRule refuses a rule that still has targets: EventBridge API reference, DeleteRule)."""

from __future__ import annotations

from provision.teardown.aws import paged
from provision.teardown.kinds._account import class_tagged, gone
from provision.teardown.model import Context, Item, Kind
from provision.teardown.registry import register


@register
class EventRules(Kind):
    name = "event-rules"
    title = "The class's EventBridge rule (the reaper's schedule), not in its Terraform state"
    billable = False
    depends_on: dict[str, str] = {}
    gone_when_deleted = True  # DeleteRule is synchronous

    def _all(self, ctx: Context, region: str) -> list[dict]:
        return paged(ctx.aws.client("events", region), "list_rules", "Rules")

    def list(self, ctx: Context, region: str) -> list[Item]:
        ev = ctx.aws.client("events", region)
        return class_tagged(
            ctx,
            self.name,
            region,
            self._all(ctx, region),
            "Name",
            "event_rules",
            lambda _, row: {
                t["Key"]: t["Value"]
                for t in ev.list_tags_for_resource(ResourceARN=row["Arn"]).get("Tags") or []
            },
            "EventBridge rule",
        )

    def delete(self, ctx: Context, it: Item) -> None:
        ev = ctx.aws.client("events", it.region)
        try:
            targets = paged(ev, "list_targets_by_rule", "Targets", Rule=it.id)
        except Exception as err:
            from provision.teardown.aws import is_not_found

            if is_not_found(err):
                return
            raise
        if targets:
            ev.remove_targets(Rule=it.id, Ids=[t["Id"] for t in targets])
        gone(lambda: ev.delete_rule(Name=it.id))

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        return {r["Name"] for r in self._all(ctx, region)} & {it.id for it in items}
