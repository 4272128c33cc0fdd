"""The home EFS file system of the class's domain (left behind when RetentionPolicy is Retain)."""

from __future__ import annotations

from provision.teardown.aws import error_code, is_not_found
from provision.teardown.kinds._efs import domain_file_systems
from provision.teardown.model import Context, Item, Kind, NotReady, item
from provision.teardown.registry import register


@register
class EfsFileSystems(Kind):
    name = "efs-file-systems"
    title = "EFS home file system of the Studio domain (billed per GB-month)"
    depends_on = {
        "efs-mount-targets": "DeleteFileSystem refuses (FileSystemInUse) while mount targets exist",
        "domain": "a live domain still uses its home file system",
    }

    def list(self, ctx: Context, region: str) -> list[Item]:
        return [
            item(self.name, region, fs_id, f"home EFS of the class's domain {domain}")
            for fs_id, domain in domain_file_systems(ctx, region).items()
        ]

    def delete(self, ctx: Context, it: Item) -> None:
        try:
            ctx.aws.client("efs", it.region).delete_file_system(FileSystemId=it.id)
        except Exception as err:
            if is_not_found(err):
                return
            if error_code(err) == "FileSystemInUse":
                raise NotReady(str(err)) from err
            raise

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        efs = ctx.aws.client("efs", region)
        present = set()
        for it in items:
            try:
                fss = efs.describe_file_systems(FileSystemId=it.id)["FileSystems"]
            except Exception as err:
                if is_not_found(err):
                    continue
                raise
            if any(fs.get("LifeCycleState") != "deleted" for fs in fss):
                present.add(it.id)
        return present
