"""Mount targets (and their ENIs) of the class's domain's home EFS."""

from __future__ import annotations

from provision.teardown.aws import is_not_found
from provision.teardown.kinds._efs import domain_file_systems, mount_targets
from provision.teardown.model import Context, Item, Kind, item
from provision.teardown.registry import register


@register
class EfsMountTargets(Kind):
    name = "efs-mount-targets"
    title = "EFS mount targets of the domain's home file system"
    depends_on = {
        "domain": "the domain mounts its home EFS into every app; with RetentionPolicy=Delete SageMaker "
        "removes it itself, we only remove what it leaves",
    }

    def list(self, ctx: Context, region: str) -> list[Item]:
        out = []
        for fs_id, domain in domain_file_systems(ctx, region).items():
            for m in mount_targets(ctx, region, fs_id):
                out.append(
                    item(
                        self.name,
                        region,
                        m["MountTargetId"],
                        f"mount target of the home EFS {fs_id} of domain {domain}",
                        file_system=fs_id,
                    )
                )
        return out

    def delete(self, ctx: Context, it: Item) -> None:
        try:
            ctx.aws.client("efs", it.region).delete_mount_target(MountTargetId=it.id)
        except Exception as err:
            if not is_not_found(err):
                raise

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        ids: set[str] = set()
        for fs_id in sorted({it.get("file_system") for it in items}):
            ids |= {m["MountTargetId"] for m in mount_targets(ctx, region, fs_id)}
        return ids
