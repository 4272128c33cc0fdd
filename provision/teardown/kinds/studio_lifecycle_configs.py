"""The Studio lifecycle configuration that copies the lesson's notebooks, when the class's Terraform
state does not hold it: named ``<class>-…`` and tagged ``classroom=<class>`` (kinds/_account.py)."""

from __future__ import annotations

from provision.teardown.aws import paged
from provision.teardown.kinds._account import class_tagged, gone
from provision.teardown.model import Context, Item, Kind
from provision.teardown.registry import register


@register
class StudioLifecycleConfigs(Kind):
    name = "studio-lifecycle-configs"
    title = "The class's Studio lifecycle configuration, not in its Terraform state"
    billable = False
    depends_on = {"domain": "a lifecycle configuration the domain uses cannot be deleted (ResourceInUse)"}
    gone_when_deleted = True  # DeleteStudioLifecycleConfig is synchronous

    def _all(self, ctx: Context, region: str) -> list[dict]:
        sm = ctx.aws.client("sagemaker", region)
        return paged(sm, "list_studio_lifecycle_configs", "StudioLifecycleConfigs")

    def list(self, ctx: Context, region: str) -> list[Item]:
        sm = ctx.aws.client("sagemaker", region)
        return class_tagged(
            ctx,
            self.name,
            region,
            self._all(ctx, region),
            "StudioLifecycleConfigName",
            "studio_lifecycle_configs",
            lambda _, row: {
                t["Key"]: t["Value"]
                for t in paged(sm, "list_tags", "Tags", ResourceArn=row["StudioLifecycleConfigArn"])
            },
            "Studio lifecycle configuration",
        )

    def delete(self, ctx: Context, it: Item) -> None:
        sm = ctx.aws.client("sagemaker", it.region)
        gone(lambda: sm.delete_studio_lifecycle_config(StudioLifecycleConfigName=it.id))

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        return {c["StudioLifecycleConfigName"] for c in self._all(ctx, region)} & {it.id for it in items}
