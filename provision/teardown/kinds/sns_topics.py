"""The reaper's SNS topic (it mails the budget e-mail what it removed) when the class's Terraform state
does not hold it: named ``<class>-…`` and tagged ``classroom=<class>`` (kinds/_account.py).
DeleteTopic deletes its subscriptions too."""

from __future__ import annotations

from provision.teardown.aws import paged
from provision.teardown.kinds._account import class_tagged, gone
from provision.teardown.model import Context, Item, Kind
from provision.teardown.registry import register


@register
class SnsTopics(Kind):
    name = "sns-topics"
    title = "The class's SNS topic (the reaper's mail), not in its Terraform state"
    billable = False
    depends_on = {"lambda-functions": "the function publishes to the topic while it runs"}
    gone_when_deleted = True  # DeleteTopic is synchronous

    def _all(self, ctx: Context, region: str) -> list[dict]:
        rows = paged(ctx.aws.client("sns", region), "list_topics", "Topics")
        return [{"Name": t["TopicArn"].rsplit(":", 1)[-1], "TopicArn": t["TopicArn"]} for t in rows]

    def list(self, ctx: Context, region: str) -> list[Item]:
        sns = ctx.aws.client("sns", region)
        return class_tagged(
            ctx,
            self.name,
            region,
            self._all(ctx, region),
            "Name",
            "sns_topics",
            lambda _, row: {
                t["Key"]: t["Value"]
                for t in sns.list_tags_for_resource(ResourceArn=row["TopicArn"]).get("Tags") or []
            },
            "SNS topic",
            arn="TopicArn",
        )

    def delete(self, ctx: Context, it: Item) -> None:
        sns = ctx.aws.client("sns", it.region)
        gone(lambda: sns.delete_topic(TopicArn=it.get("arn")))

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        return {t["Name"] for t in self._all(ctx, region)} & {it.id for it in items}
