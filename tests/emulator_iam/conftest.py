"""Fixtures for permission enforcement: bootstrap clients (the unrestricted ``testing`` keys), IAM
users with their own access keys and assumed-role sessions, each removed after its test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import boto3
import pytest
from botocore.config import Config
from iamhelpers import REGION, doc

from testkit import aws

CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"})


@pytest.fixture(scope="module")
def boot(emulator) -> Iterator[Callable[..., object]]:
    """``boot("s3")``: a client with the bootstrapping keys; ``boot("s3", creds)``: with others."""
    aws.reset(emulator.url)

    def make(service: str, creds: dict | None = None, region: str = REGION, **kw):
        creds = creds or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        return boto3.client(
            service, region_name=region, endpoint_url=emulator.url, config=CONFIG, **creds, **kw
        )

    yield make
    aws.reset(emulator.url)


class Principals:
    """Creates IAM users (with an access key) and role sessions; ``cleanup()`` removes them all."""

    def __init__(self, boot: Callable[..., object]) -> None:
        self.boot = boot
        self.iam = boot("iam")
        self.users: list[str] = []
        self.roles: list[str] = []

    def user(
        self, name: str, *statements: dict, managed: tuple[str, ...] = (), groups: tuple[str, ...] = ()
    ) -> dict:
        self.iam.create_user(UserName=name)
        self.users.append(name)
        if statements:
            self.iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=doc(*statements))
        for arn in managed:
            self.iam.attach_user_policy(UserName=name, PolicyArn=arn)
        for group in groups:
            self.iam.add_user_to_group(UserName=name, GroupName=group)
        key = self.iam.create_access_key(UserName=name)["AccessKey"]
        return {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}

    def role(self, name: str, *statements: dict, trust: dict | None = None) -> str:
        trust = trust or {
            "Effect": "Allow",
            "Principal": {"Service": "sagemaker.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
        arn = self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=doc(trust))["Role"]["Arn"]
        self.roles.append(name)
        if statements:
            self.iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=doc(*statements))
        return arn

    def session(self, role_arn: str, creds: dict | None = None, name: str = "session") -> dict:
        c = self.boot("sts", creds).assume_role(RoleArn=role_arn, RoleSessionName=name)["Credentials"]
        return {
            "aws_access_key_id": c["AccessKeyId"],
            "aws_secret_access_key": c["SecretAccessKey"],
            "aws_session_token": c["SessionToken"],
        }

    def cleanup(self) -> None:
        iam = self.iam
        for name in self.users:
            for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
                iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
            for p in iam.list_user_policies(UserName=name)["PolicyNames"]:
                iam.delete_user_policy(UserName=name, PolicyName=p)
            for p in iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]:
                iam.detach_user_policy(UserName=name, PolicyArn=p["PolicyArn"])
            for g in iam.list_groups_for_user(UserName=name)["Groups"]:
                iam.remove_user_from_group(UserName=name, GroupName=g["GroupName"])
            iam.delete_user(UserName=name)
        for name in self.roles:
            for p in iam.list_role_policies(RoleName=name)["PolicyNames"]:
                iam.delete_role_policy(RoleName=name, PolicyName=p)
            for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
                iam.detach_role_policy(RoleName=name, PolicyArn=p["PolicyArn"])
            iam.delete_role(RoleName=name)
        assert iam.list_users()["Users"] == []
        assert [r for r in iam.list_roles()["Roles"] if not r["Path"].startswith("/aws-")] == []


@pytest.fixture
def principals(boot) -> Iterator[Principals]:
    p = Principals(boot)
    yield p
    p.cleanup()
