"""The reaper's SNS topic (it mails the budget e-mail what it removed) when the class's Terraform state
does not hold it: named ``<class>-…`` and tagged ``classroom=<class>`` (kinds/_account.py).
DeleteTopic deletes its subscriptions too."""

from __future__ import annotations

from typing import Any

from provision.teardown.aws import paged
from provision.teardown.kinds._account import ClassTagged, tags_of
from provision.teardown.model import Item
from provision.teardown.registry import register


@register
class SnsTopics(ClassTagged):
    name = "sns-topics"
    title = "The class's SNS topic (the reaper's mail), not in its Terraform state"
    depends_on = {"lambda-functions": "the function publishes to the topic while it runs"}
    # DeleteTopic is synchronous
    service, record, name_field, what = "sns", "sns_topics", "Name", "SNS topic"
    data = {"arn": "TopicArn"}

    def rows(self, client: Any) -> list[dict]:
        rows = paged(client, "list_topics", "Topics")
        return [{"Name": t["TopicArn"].rsplit(":", 1)[-1], "TopicArn": t["TopicArn"]} for t in rows]

    def tags(self, client: Any, name: str, row: dict) -> dict[str, str]:
        return tags_of(client.list_tags_for_resource(ResourceArn=row["TopicArn"]).get("Tags") or [])

    def remove(self, client: Any, it: Item) -> None:
        client.delete_topic(TopicArn=it.get("arn"))
