"""The kit's S3 buckets: named in the Terraform outputs, or tagged with the class's tags."""

from __future__ import annotations

from provision.teardown.kinds._s3 import delete_bucket, existing_buckets
from provision.teardown.model import Context, Item, Kind, item
from provision.teardown.registry import register

JOBS_WRITE = "running jobs write their output into the kit's buckets and would put objects back"


def tagged_buckets(ctx: Context, region: str) -> set[str]:
    if not ctx.scope.tags:
        return set()
    tagging = ctx.aws.client("resourcegroupstaggingapi", region)
    filters = [{"Key": k, "Values": [v]} for k, v in sorted(ctx.scope.tags.items())]
    names = set()
    pages = tagging.get_paginator("get_resources").paginate(TagFilters=filters, ResourceTypeFilters=["s3"])
    for page in pages:
        for r in page.get("ResourceTagMappingList") or []:
            names.add(r["ResourceARN"].split(":::", 1)[-1])
    return names


@register
class Buckets(Kind):
    name = "buckets"
    title = "The kit's S3 buckets (every version and delete marker, then the bucket)"
    depends_on = {
        "training-jobs": JOBS_WRITE,
        "tuning-jobs": JOBS_WRITE,
        "transform-jobs": JOBS_WRITE,
        "endpoints": "an endpoint that is still being created or scaled downloads model.tar.gz from here",
    }
    gone_when_deleted = True  # DeleteBucket returns once it is gone (BucketNotEmpty: retried as not ready)

    def list(self, ctx: Context, region: str) -> list[Item]:
        s3 = ctx.aws.client("s3", region)
        present = existing_buckets(s3)
        out = [
            item(self.name, region, b, "bucket in the class's Terraform outputs")
            for b in ctx.scope.buckets
            if b in present
        ]
        listed = set(ctx.scope.buckets)
        for b in sorted(tagged_buckets(ctx, region) - listed):
            if b in present and b != ctx.scope.default_bucket:
                out.append(item(self.name, region, b, "bucket tagged with the class's tags"))
        return out

    def delete(self, ctx: Context, it: Item) -> None:
        delete_bucket(ctx.aws.client("s3", it.region), it.id)

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        return existing_buckets(ctx.aws.client("s3", region)) & {it.id for it in items}
