"""The kit's S3 buckets: named in the Terraform outputs, or tagged with the class's tags; in a member
account of a class of accounts (``scope.all_buckets``), every bucket of the region not tagged for
another class."""

from __future__ import annotations

from botocore.exceptions import ClientError

from provision.teardown.kinds._s3 import delete_bucket, existing_buckets
from provision.teardown.model import Context, Item, Kind, item
from provision.teardown.ownership import CLASS_TAG, class_value
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
        if ctx.scope.all_buckets:
            taken = listed | {it.id for it in out} | {ctx.scope.default_bucket}
            for b in sorted(present - taken):
                if _region_of(s3, b) == region and _tags_of(s3, b).get(CLASS_TAG, class_value(ctx)) == (
                    class_value(ctx)
                ):
                    out.append(item(self.name, region, b, "bucket in the class's member account"))
        return out

    def delete(self, ctx: Context, it: Item) -> None:
        delete_bucket(ctx.aws.client("s3", it.region), it.id)

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        return existing_buckets(ctx.aws.client("s3", region)) & {it.id for it in items}


def _region_of(s3, bucket: str) -> str:
    # GetBucketLocation: LocationConstraint is null for us-east-1 (botocore s3 model, AWS S3 API reference)
    return s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") or "us-east-1"


def _tags_of(s3, bucket: str) -> dict[str, str]:
    try:
        tags = s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
    except ClientError as err:
        if err.response["Error"]["Code"] == "NoSuchTagSet":
            return {}
        raise
    return {t["Key"]: t["Value"] for t in tags}
