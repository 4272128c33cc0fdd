"""The SageMaker SDK's default bucket ``sagemaker-<region>-<account>``: only when the class made it
(class.json records at the first ``up`` that it did not exist yet; a Studio notebook's
``Session().default_bucket()`` creates it under the execution role); a bucket the account had before
the class is never touched.
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
        return [
            item(
                self.name,
                region,
                name,
                "the SDK's default bucket: it did not exist before the class's "
                "first `up`, so the class's notebooks made it",
            )
        ]

    def delete(self, ctx: Context, it: Item) -> None:
        delete_bucket(ctx.aws.client("s3", it.region), it.id)

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        return existing_buckets(ctx.aws.client("s3", region)) & {it.id for it in items}
