"""The Studio domain's home EFS, built from moto's real EFS and EC2 backends.

Like AWS, a domain gets:
- an EFS file system tagged ``ManagedByAmazonSageMakerResource=<domain ARN>``,
- one mount target per availability zone of the domain's subnets (each with its ENI),
- two security groups in the domain's VPC that reference each other:
  ``security-group-for-inbound-nfs-<domain id>`` (NFS in from the outbound group; on the mount
  targets) and ``security-group-for-outbound-nfs-<domain id>`` (NFS out to the inbound group; for
  the apps), both tagged like the file system.

DeleteDomain removes all of it only when ``RetentionPolicy.HomeEfsFileSystem`` is ``Delete``;
otherwise it stays behind exactly as AWS leaves it (and blocks deleting the VPC).
"""

from __future__ import annotations

from dataclasses import dataclass

from moto.ec2.models import ec2_backends
from moto.efs.models import efs_backends
from moto.sagemaker.exceptions import ValidationError

MANAGED_TAG = "ManagedByAmazonSageMakerResource"
NFS_PORT = "2049"


@dataclass(frozen=True)
class HomeEfs:
    file_system_id: str
    inbound_sg_id: str
    outbound_sg_id: str


def validate_network(account_id: str, region: str, vpc_id: str | None, subnet_ids: list[str] | None) -> None:
    """Raise ValidationException (before anything is created) if the VPC or a subnet is unknown."""
    if not vpc_id:
        raise ValidationError(message="VpcId is required")
    if not subnet_ids:
        raise ValidationError(message="SubnetIds must contain at least one subnet")
    ec2 = ec2_backends[account_id][region]
    if vpc_id not in ec2.vpcs:
        raise ValidationError(message=f"Invalid VPC id: {vpc_id} does not exist")
    known = {s.id: s for s in ec2.describe_subnets()}
    for subnet_id in subnet_ids:
        subnet = known.get(subnet_id)
        if subnet is None:
            raise ValidationError(message=f"Invalid subnet id: {subnet_id} does not exist")
        if subnet.vpc_id != vpc_id:
            raise ValidationError(message=f"Subnet {subnet_id} is not in VPC {vpc_id}")


def create_home_efs(
    account_id: str,
    region: str,
    domain_id: str,
    domain_arn: str,
    vpc_id: str,
    subnet_ids: list[str],
    kms_key_id: str | None = None,
) -> HomeEfs:
    """Create the file system, the two NFS security groups and the mount targets."""
    ec2 = ec2_backends[account_id][region]
    efs = efs_backends[account_id][region]
    tags = {MANAGED_TAG: domain_arn}
    inbound, outbound = (
        ec2.create_security_group(
            name=f"security-group-for-{way}-nfs-{domain_id}",
            description=f"[DO NOT DELETE] Security Group that allows {way} NFS traffic for SageMaker "
            f"Notebooks Domain [{domain_id}]",
            vpc_id=vpc_id,
            tags=dict(tags),
        )
        for way in ("inbound", "outbound")
    )
    # each group lets NFS through from / to the other one
    for authorize, group, peer in (
        (ec2.authorize_security_group_ingress, inbound, outbound),
        (ec2.authorize_security_group_egress, outbound, inbound),
    ):
        authorize(
            group.id, "tcp", NFS_PORT, NFS_PORT, [], source_groups=[{"GroupId": peer.id}], vpc_id=vpc_id
        )
    fs = efs.create_file_system(
        creation_token=f"sagemaker-{domain_id}",
        performance_mode="generalPurpose",
        encrypted=True,
        kms_key_id=kms_key_id or None,  # type: ignore[arg-type]
        throughput_mode="bursting",
        provisioned_throughput_in_mibps=0,
        availability_zone_name=None,  # type: ignore[arg-type]  # regional, not One Zone
        backup=False,
        tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )
    seen_zones: set[str] = set()
    subnets = {s.id: s for s in ec2.describe_subnets(subnet_ids=list(subnet_ids))}
    for subnet_id in subnet_ids:
        zone = subnets[subnet_id].availability_zone
        if zone in seen_zones:  # EFS allows one mount target per availability zone
            continue
        seen_zones.add(zone)
        efs.create_mount_target(fs.file_system_id, subnet_id, security_groups=[inbound.id])
    return HomeEfs(file_system_id=fs.file_system_id, inbound_sg_id=inbound.id, outbound_sg_id=outbound.id)


def delete_home_efs(account_id: str, region: str, home: HomeEfs) -> None:
    """Remove mount targets, file system and both security groups (whatever of them is left)."""
    ec2 = ec2_backends[account_id][region]
    efs = efs_backends[account_id][region]
    if home.file_system_id in efs.file_systems_by_id:
        for mt_id, mt in list(efs.mount_targets_by_id.items()):
            if mt.file_system_id == home.file_system_id:
                efs.delete_mount_target(mt_id)
        efs.delete_file_system(home.file_system_id)
    inbound = ec2.get_security_group_from_id(home.inbound_sg_id)
    outbound = ec2.get_security_group_from_id(home.outbound_sg_id)
    if inbound is not None and outbound is not None:
        _revoke_quietly(ec2.revoke_security_group_ingress, inbound, outbound.id)
        _revoke_quietly(ec2.revoke_security_group_egress, outbound, inbound.id)
    for group in (inbound, outbound):
        if group is not None:
            ec2.delete_security_group(group_id=group.id)


def _revoke_quietly(revoke, group, peer_id: str) -> None:  # noqa: ANN001
    try:
        revoke(
            group.id, "tcp", NFS_PORT, NFS_PORT, [], source_groups=[{"GroupId": peer_id}], vpc_id=group.vpc_id
        )
    except Exception:  # noqa: BLE001 - the rule was already revoked by a client
        pass
