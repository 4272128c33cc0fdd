"""Find the home EFS of the class's domains: tagged ManagedByAmazonSageMakerResource=<domain ARN> by
SageMaker, or named by DescribeDomain's HomeEfsFileSystemId while the domain still exists.
"""

from __future__ import annotations

from provision.teardown.aws import is_not_found, paged
from provision.teardown.kinds.domain import describe
from provision.teardown.model import Context

SAGEMAKER_TAG = "ManagedByAmazonSageMakerResource"


def owning_domain(tags: list[dict], domains: tuple[str, ...]) -> str | None:
    for t in tags or []:
        if t.get("Key") == SAGEMAKER_TAG:
            for d in domains:
                if str(t.get("Value", "")).endswith(f":domain/{d}"):
                    return d
    return None


def domain_file_systems(ctx: Context, region: str) -> dict[str, str]:
    """file system id -> domain id, for every home EFS of the class's domains still present."""
    domains = ctx.domain_ids()
    if not domains:
        return {}
    found: dict[str, str] = {}
    home = {}
    for d in domains:
        desc = describe(ctx, region, d)
        if desc and desc.get("HomeEfsFileSystemId"):
            home[desc["HomeEfsFileSystemId"]] = d
    efs = ctx.aws.client("efs", region)
    systems = ctx.cached(
        ("describe_file_systems", region), lambda: paged(efs, "describe_file_systems", "FileSystems")
    )
    for fs in systems:
        if fs.get("LifeCycleState") == "deleted":
            continue
        d = owning_domain(fs.get("Tags", []), domains) or home.get(fs["FileSystemId"])
        if d:
            found[fs["FileSystemId"]] = d
    return found


def mount_targets(ctx: Context, region: str, fs_id: str) -> list[dict]:
    efs = ctx.aws.client("efs", region)
    try:
        mts = paged(efs, "describe_mount_targets", "MountTargets", FileSystemId=fs_id)
    except Exception as err:
        if is_not_found(err):
            return []
        raise
    return [m for m in mts if m.get("LifeCycleState") != "deleted"]
