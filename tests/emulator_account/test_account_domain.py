"""The Studio domain on the embedded AWS: DomainId, ResourceNotFound, the real home EFS and the two
NFS security groups, removed only with RetentionPolicy Delete (boto3 against the real process)."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

MANAGED = "ManagedByAmazonSageMakerResource"


@pytest.fixture(autouse=True)
def _no_domain_left(sm):
    """A failed test must not leave its domain (and home EFS) to the next one."""
    yield
    for d in sm.list_domains()["Domains"]:
        sm.delete_domain(DomainId=d["DomainId"], RetentionPolicy={"HomeEfsFileSystem": "Delete"})


def _code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return exc.value.response["Error"]["Code"]


def _nfs_groups(ec2, domain_id: str) -> dict[str, dict]:
    groups = ec2.describe_security_groups(
        Filters=[
            {
                "Name": "group-name",
                "Values": [
                    f"security-group-for-inbound-nfs-{domain_id}",
                    f"security-group-for-outbound-nfs-{domain_id}",
                ],
            }
        ]
    )["SecurityGroups"]
    return {("inbound" if "inbound" in g["GroupName"] else "outbound"): g for g in groups}


def _home_efs(efs, domain_arn: str) -> list[dict]:
    return [
        fs
        for fs in efs.describe_file_systems()["FileSystems"]
        if {"Key": MANAGED, "Value": domain_arn} in fs["Tags"]
    ]


def test_create_domain_returns_id_and_builds_the_home_efs(sm, ec2, efs, network):
    vpc, subnets = network
    created = sm.create_domain(
        DomainName="classroom",
        AuthMode="IAM",
        VpcId=vpc,
        SubnetIds=subnets,
        DefaultUserSettings={"ExecutionRole": "arn:aws:iam::123456789012:role/r"},
    )
    domain_id = created["DomainId"]
    assert re.fullmatch(r"d-[a-z0-9]{12}", domain_id)
    assert created["DomainArn"].endswith(f":domain/{domain_id}")
    desc = sm.describe_domain(DomainId=domain_id)
    assert desc["Status"] == "InService" and desc["VpcId"] == vpc and desc["SubnetIds"] == subnets
    for absent in ("SingleSignOnManagedApplicationInstanceId", "SecurityGroupIdForDomainBoundary"):
        assert absent not in desc  # IAM-mode domain: AWS gives neither
    assert [d["DomainId"] for d in sm.list_domains()["Domains"]] == [domain_id]

    # a real EFS file system with one mount target per subnet (each in its own zone), tagged
    [fs] = _home_efs(efs, created["DomainArn"])
    assert fs["FileSystemId"] == desc["HomeEfsFileSystemId"]
    targets = efs.describe_mount_targets(FileSystemId=fs["FileSystemId"])["MountTargets"]
    assert sorted(t["SubnetId"] for t in targets) == sorted(subnets)

    # the two NFS groups, tagged, referencing each other; the mount targets use the inbound one
    groups = _nfs_groups(ec2, domain_id)
    inbound, outbound = groups["inbound"], groups["outbound"]
    for g in (inbound, outbound):
        assert g["VpcId"] == vpc
        assert {"Key": MANAGED, "Value": created["DomainArn"]} in g["Tags"]
    [rule_in] = inbound["IpPermissions"]
    assert (rule_in["IpProtocol"], rule_in["FromPort"], rule_in["ToPort"]) == ("tcp", 2049, 2049)
    assert [p["GroupId"] for p in rule_in["UserIdGroupPairs"]] == [outbound["GroupId"]]
    out_rules = [r for r in outbound["IpPermissionsEgress"] if r.get("UserIdGroupPairs")]
    assert [p["GroupId"] for r in out_rules for p in r["UserIdGroupPairs"]] == [inbound["GroupId"]]
    for t in targets:
        sgs = efs.describe_mount_target_security_groups(MountTargetId=t["MountTargetId"])["SecurityGroups"]
        assert sgs == [inbound["GroupId"]]

    # EFS refuses to delete a file system that still has mount targets, as on AWS
    with pytest.raises(ClientError) as err:
        efs.delete_file_system(FileSystemId=fs["FileSystemId"])
    assert _code(err) == "FileSystemInUse"

    sm.delete_domain(DomainId=domain_id, RetentionPolicy={"HomeEfsFileSystem": "Delete"})
    assert _home_efs(efs, created["DomainArn"]) == []
    assert efs.describe_file_systems()["FileSystems"] == []
    assert _nfs_groups(ec2, domain_id) == {}
    enis = ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkInterfaces"]
    assert enis == []
    assert sm.list_domains()["Domains"] == []


def test_delete_domain_retains_the_home_efs_by_default(sm, ec2, efs, make_domain):
    from provision import embedded

    domain_id = make_domain("retained")
    arn = sm.describe_domain(DomainId=domain_id)["DomainArn"]
    # a student's file in the home EFS (emulator/account/efs_data.py: the file system's contents)
    home = (
        embedded.efs_dir()
        / "123456789012"
        / "us-east-1"
        / sm.describe_domain(DomainId=domain_id)["HomeEfsFileSystemId"]
    )
    (home / "200001").mkdir(parents=True)
    (home / "200001" / "notes.txt").write_bytes(b"n" * 5000)
    sm.delete_domain(DomainId=domain_id)  # RetentionPolicy defaults to Retain
    with pytest.raises(ClientError) as err:
        sm.describe_domain(DomainId=domain_id)
    assert _code(err) == "ResourceNotFound"
    # left behind exactly as AWS leaves it: file system, mount targets, both groups
    [fs] = _home_efs(efs, arn)
    assert len(efs.describe_mount_targets(FileSystemId=fs["FileSystemId"])["MountTargets"]) == 2
    # the data stays too, and is metered (EFS doc "Metering": 2 KiB per object + data in 4-KiB blocks)
    assert fs["SizeInBytes"]["Value"] == 2 * (2048 + 4096) + 2048 + 2 * 4096
    groups = _nfs_groups(ec2, domain_id)
    assert set(groups) == {"inbound", "outbound"}

    # what a teardown has to do by hand, and AWS's answers when it goes in the wrong order
    def delete_group_refused(group_id: str) -> None:
        with pytest.raises(ClientError) as err:
            ec2.delete_security_group(GroupId=group_id)
        assert _code(err) == "DependencyViolation"

    for g in groups.values():  # each is referenced by the other's rule
        delete_group_refused(g["GroupId"])
    ec2.revoke_security_group_ingress(
        GroupId=groups["inbound"]["GroupId"], IpPermissions=groups["inbound"]["IpPermissions"]
    )
    ec2.revoke_security_group_egress(
        GroupId=groups["outbound"]["GroupId"], IpPermissions=groups["outbound"]["IpPermissionsEgress"]
    )
    delete_group_refused(groups["inbound"]["GroupId"])  # the mount targets' interfaces still use it
    with pytest.raises(ClientError) as err:
        efs.delete_file_system(FileSystemId=fs["FileSystemId"])
    assert _code(err) == "FileSystemInUse"
    for t in efs.describe_mount_targets(FileSystemId=fs["FileSystemId"])["MountTargets"]:
        efs.delete_mount_target(MountTargetId=t["MountTargetId"])
    efs.delete_file_system(FileSystemId=fs["FileSystemId"])
    assert not home.exists()  # the data goes with the file system
    for g in groups.values():
        ec2.delete_security_group(GroupId=g["GroupId"])
    assert _home_efs(efs, arn) == [] and _nfs_groups(ec2, domain_id) == {}


def test_domain_errors(sm, ec2, efs, network, make_domain):
    vpc, subnets = network
    for call in (
        lambda: sm.describe_domain(DomainId="d-000000000000"),
        lambda: sm.delete_domain(DomainId="d-000000000000"),
        lambda: sm.update_domain(DomainId="d-000000000000", AppNetworkAccessType="VpcOnly"),
    ):
        with pytest.raises(ClientError) as err:
            call()
        assert _code(err) == "ResourceNotFound"

    base = {"DomainName": "bad", "DefaultUserSettings": {"ExecutionRole": "arn:aws:iam::123456789012:role/r"}}
    bad_inputs = [
        {"AuthMode": "PASSWORD", "VpcId": vpc, "SubnetIds": subnets},
        {"AuthMode": "IAM", "VpcId": "vpc-00000000000000000", "SubnetIds": subnets},
        {"AuthMode": "IAM", "VpcId": vpc, "SubnetIds": ["subnet-00000000000000000"]},
    ]
    for bad in bad_inputs:
        with pytest.raises(ClientError) as err:
            sm.create_domain(**base, **bad)
        assert _code(err) == "ValidationException"
    # refused before anything was created
    assert sm.list_domains()["Domains"] == []
    assert efs.describe_file_systems()["FileSystems"] == []
    managed = ec2.describe_security_groups(Filters=[{"Name": "tag-key", "Values": [MANAGED]}])
    assert managed["SecurityGroups"] == []

    domain_id = make_domain("errors")
    with pytest.raises(ClientError) as err:
        sm.delete_domain(DomainId=domain_id, RetentionPolicy={"HomeEfsFileSystem": "Keep"})
    assert _code(err) == "ValidationException"
    sm.update_domain(DomainId=domain_id, DefaultUserSettings={"StudioWebPortal": "ENABLED"})
    settings = sm.describe_domain(DomainId=domain_id)["DefaultUserSettings"]
    assert settings["StudioWebPortal"] == "ENABLED" and settings["ExecutionRole"].endswith("role/studio")
    sm.delete_domain(DomainId=domain_id, RetentionPolicy={"HomeEfsFileSystem": "Delete"})
    assert sm.list_domains()["Domains"] == [] and efs.describe_file_systems()["FileSystems"] == []


def test_domain_without_home_efs(sm, efs, make_domain):
    domain_id = make_domain("no-efs", HomeEfsFileSystemCreation="Disabled")
    desc = sm.describe_domain(DomainId=domain_id)
    assert "HomeEfsFileSystemId" not in desc and desc["HomeEfsFileSystemCreation"] == "Disabled"
    assert efs.describe_file_systems()["FileSystems"] == []
    sm.delete_domain(DomainId=domain_id, RetentionPolicy={"HomeEfsFileSystem": "Delete"})
    assert sm.list_domains()["Domains"] == []
