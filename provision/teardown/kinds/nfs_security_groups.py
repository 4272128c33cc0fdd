"""The two NFS security groups SageMaker makes for a domain's home EFS
(``security-group-for-inbound-nfs-<domain>`` / ``...-outbound-nfs-<domain>``). They reference each
other, so both are emptied of rules first (``prepare``), then deleted; they block deleting the VPC.
"""

from __future__ import annotations

from provision.teardown.aws import error_code, is_not_found
from provision.teardown.kinds._efs import owning_domain
from provision.teardown.model import Context, Item, Kind, NotReady, item
from provision.teardown.registry import register


def _groups(ctx: Context, region: str, filters: list[dict]) -> list[dict]:
    ec2 = ctx.aws.client("ec2", region)
    out: list[dict] = []
    for page in ec2.get_paginator("describe_security_groups").paginate(Filters=filters):
        out.extend(page.get("SecurityGroups", []))
    return out


@register
class NfsSecurityGroups(Kind):
    name = "nfs-security-groups"
    title = "The domain's two NFS security groups (they block VPC deletion)"
    depends_on = {
        "efs-mount-targets": "mount-target ENIs use these groups (DependencyViolation until they are gone)",
        "domain": "SageMaker uses these groups while the domain exists",
    }
    billable = False
    gone_when_deleted = True  # DeleteSecurityGroup returns once it is gone

    def list(self, ctx: Context, region: str) -> list[Item]:
        domains = ctx.domain_ids()
        if not domains:
            return []
        names = {f"security-group-for-{d}-nfs-{dom}" for dom in domains for d in ("inbound", "outbound")}
        # one listing of the region's groups, matched here by name or by SageMaker's tag: AWS ANDs
        # filters, so asking for "this name or that tag" would take two calls
        found = {
            g["GroupId"]: g
            for g in _groups(ctx, region, [])
            if g.get("GroupName") in names or owning_domain(g.get("Tags", []), domains)
        }
        return [
            item(
                self.name,
                region,
                gid,
                "NFS security group SageMaker made for the class's domain",
                label=g.get("GroupName", gid),
            )
            for gid, g in sorted(found.items())
        ]

    def prepare(self, ctx: Context, items: list[Item]) -> None:
        for region in sorted({it.region for it in items}):
            ids = [it.id for it in items if it.region == region]
            ec2 = ctx.aws.client("ec2", region)
            for g in _groups(ctx, region, [{"Name": "group-id", "Values": ids}]):
                if g.get("IpPermissions"):
                    ec2.revoke_security_group_ingress(GroupId=g["GroupId"], IpPermissions=g["IpPermissions"])
                if g.get("IpPermissionsEgress"):
                    ec2.revoke_security_group_egress(
                        GroupId=g["GroupId"], IpPermissions=g["IpPermissionsEgress"]
                    )

    def delete(self, ctx: Context, it: Item) -> None:
        try:
            ctx.aws.client("ec2", it.region).delete_security_group(GroupId=it.id)
        except Exception as err:
            if is_not_found(err):
                return
            if error_code(err) in {"DependencyViolation", "InvalidGroup.InUse"}:
                raise NotReady(str(err)) from err
            raise

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        ids = [it.id for it in items]
        return {g["GroupId"] for g in _groups(ctx, region, [{"Name": "group-id", "Values": ids}])}
