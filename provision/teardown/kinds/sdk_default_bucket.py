"""The SageMaker SDK's default bucket ``sagemaker-<region>-<account>``: only when the kit created it
(the class state names it); a bucket the account had before the class is never touched.
"""

from __future__ import annotations

from provision.teardown.kinds._s3 import delete_bucket, existing_buckets
from provision.teardown.kinds.buckets import Buckets
from provision.teardown.model import Context, Item, Kind, item
from provision.teardown.registry import register


@register
class SdkDefaultBucket(Kind):
    name = "sdk-default-bucket"
    title = "The SageMaker SDK's default bucket (only if the kit created it)"
    depends_on = dict(Buckets.depends_on)

    def list(self, ctx: Context, region: str) -> list[Item]:
        name = ctx.scope.default_bucket
        if not name or name not in existing_buckets(ctx.aws.client("s3", region)):
            return []
        return [item(self.name, region, name, "the SDK's default bucket, created by the kit for this class")]

    def delete(self, ctx: Context, it: Item) -> None:
        delete_bucket(ctx.aws.client("s3", it.region), it.id)

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        return existing_buckets(ctx.aws.client("s3", region)) & {it.id for it in items}
