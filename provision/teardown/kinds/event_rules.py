"""The reaper's EventBridge schedule when the class's Terraform state does not hold it: named
``<class>-…`` and tagged ``classroom=<class>`` (kinds/_account.py). Its targets are removed first
(DeleteRule refuses a rule that still has targets: EventBridge API reference, DeleteRule)."""

from __future__ import annotations

from typing import Any

from provision.teardown.aws import is_not_found, paged
from provision.teardown.kinds._account import ClassTagged, tags_of
from provision.teardown.model import Item
from provision.teardown.registry import register


@register
class EventRules(ClassTagged):
    name = "event-rules"
    title = "The class's EventBridge rule (the reaper's schedule), not in its Terraform state"
    depends_on: dict[str, str] = {}
    # DeleteRule is synchronous
    service, record, name_field, what = "events", "event_rules", "Name", "EventBridge rule"

    def rows(self, client: Any) -> list[dict]:
        return paged(client, "list_rules", "Rules")

    def tags(self, client: Any, name: str, row: dict) -> dict[str, str]:
        return tags_of(client.list_tags_for_resource(ResourceARN=row["Arn"]).get("Tags") or [])

    def remove(self, client: Any, it: Item) -> None:
        try:
            targets = paged(client, "list_targets_by_rule", "Targets", Rule=it.id)
        except Exception as err:
            if is_not_found(err):
                return
            raise
        if targets:
            client.remove_targets(Rule=it.id, Ids=[t["Id"] for t in targets])
        client.delete_rule(Name=it.id)
