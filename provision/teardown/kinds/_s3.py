"""Empty and delete an S3 bucket: every object version and delete marker (past 1,000: deleted in
batches of 1,000, listing again from the start after each batch), unfinished multipart uploads,
governance-locked objects only when Object Lock is on (aws-cli#1017, terraform-provider-aws#208/#34706
show why ``rb --force`` and force_destroy fail).
"""

from __future__ import annotations

from typing import Any

from provision.teardown.aws import error_code, is_not_found
from provision.teardown.model import KindFailed, NotReady

BATCH = 1000


def _object_lock_enabled(s3: Any, bucket: str) -> bool:
    try:
        conf = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    except Exception:
        return False
    return conf.get("ObjectLockEnabled") == "Enabled"


def _delete_batch(s3: Any, bucket: str, objects: list[dict]) -> None:
    resp = s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
    errors = resp.get("Errors") or []
    if errors and _object_lock_enabled(s3, bucket):
        retry = [{"Key": e["Key"], "VersionId": e["VersionId"]} for e in errors if e.get("VersionId")]
        resp = s3.delete_objects(
            Bucket=bucket, Delete={"Objects": retry, "Quiet": True}, BypassGovernanceRetention=True
        )
        errors = resp.get("Errors") or []
    if errors:
        e = errors[0]
        raise KindFailed(
            f"s3://{bucket}/{e.get('Key')}: {e.get('Code')} {e.get('Message', '')} "
            f"({len(errors)} object(s) could not be deleted)"
        )


def empty_bucket(s3: Any, bucket: str) -> int:
    """Delete every version and delete marker; return how many were deleted.

    Each round lists the first page (up to 1,000 versions and markers) from the start, deletes it in
    one batch, and lists again until a page is not truncated. Continuing with KeyMarker/VersionIdMarker
    after deleting the versions just listed is what S3 allows, but moto 5.2.5 then returns an empty
    page (the 350 versions after the first 1,000 were left, and DeleteBucket failed BucketNotEmpty);
    starting over is correct on both and costs no more calls.
    """
    deleted = 0
    while True:
        page = s3.list_object_versions(Bucket=bucket, MaxKeys=BATCH)
        objects = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in (page.get("Versions") or []) + (page.get("DeleteMarkers") or [])
        ]
        for start in range(0, len(objects), BATCH):
            _delete_batch(s3, bucket, objects[start : start + BATCH])
        deleted += len(objects)
        if not objects or not page.get("IsTruncated"):
            break
    for page in s3.get_paginator("list_multipart_uploads").paginate(Bucket=bucket):
        for u in page.get("Uploads") or []:
            s3.abort_multipart_upload(Bucket=bucket, Key=u["Key"], UploadId=u["UploadId"])
    return deleted


def delete_bucket(s3: Any, bucket: str) -> None:
    try:
        empty_bucket(s3, bucket)
        s3.delete_bucket(Bucket=bucket)
    except Exception as err:
        if is_not_found(err):
            return
        if error_code(err) == "BucketNotEmpty":  # something wrote meanwhile: empty it again
            raise NotReady(str(err)) from err
        raise


def existing_buckets(s3: Any) -> set[str]:
    names: set[str] = set()
    if s3.can_paginate("list_buckets"):
        for page in s3.get_paginator("list_buckets").paginate():
            names |= {b["Name"] for b in page.get("Buckets") or []}
    else:
        names = {b["Name"] for b in s3.list_buckets().get("Buckets") or []}
    return names
