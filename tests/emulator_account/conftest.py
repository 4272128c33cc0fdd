"""Fixtures for the account-setup tests: clients on the embedded AWS, the default network, a domain.

A reset of the emulator costs ~2 s and the first EC2 call after it another ~2 s (moto rebuilds the
default VPC), so each test module resets once before and once after its tests
(``account_clients``), shares one Studio domain, and every test deletes what it created (the
``studio_cleanup`` helper), asserting the deletions it is about.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from testkit import aws

ACCOUNT = "123456789012"
REGION = "us-east-1"


@pytest.fixture(scope="module")
def account_clients(emulator) -> Iterator[Callable[..., object]]:
    """``account_clients("sagemaker")``: a boto3 client on a freshly reset emulator (module scope)."""
    aws.reset(emulator.url)
    yield aws.clients(emulator.url, attempts=2)
    aws.reset(emulator.url)


@pytest.fixture(scope="module")
def sm(account_clients):
    return account_clients("sagemaker")


@pytest.fixture(scope="module")
def ec2(account_clients):
    return account_clients("ec2")


@pytest.fixture(scope="module")
def efs(account_clients):
    return account_clients("efs")


@pytest.fixture(scope="module")
def network(ec2) -> tuple[str, list[str]]:
    """The default VPC and two of its subnets in different availability zones."""
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    by_zone: dict[str, str] = {}
    for s in sorted(subnets, key=lambda s: s["SubnetId"]):
        by_zone.setdefault(s["AvailabilityZone"], s["SubnetId"])
    return vpc, sorted(by_zone.values())[:2]


@pytest.fixture(scope="module")
def make_domain(sm, network) -> Callable[..., str]:
    vpc, subnets = network

    def make(name: str = "classroom", **extra) -> str:
        return sm.create_domain(
            DomainName=name,
            AuthMode="IAM",
            VpcId=vpc,
            SubnetIds=subnets,
            DefaultUserSettings={"ExecutionRole": f"arn:aws:iam::{ACCOUNT}:role/studio"},
            **extra,
        )["DomainId"]

    return make


@pytest.fixture(scope="module")
def domain(make_domain) -> str:
    """One domain shared by a module's tests (the module's final reset removes it)."""
    return make_domain()


def wait_status(read: Callable[[], str], wanted: str, timeout: float = 15.0) -> list[str]:
    """Poll ``read()`` until it returns ``wanted``; the statuses seen, in order."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        status = read()
        if not seen or seen[-1] != status:
            seen.append(status)
        if status == wanted:
            return seen
        if time.monotonic() > deadline:
            raise AssertionError(f"status never became {wanted}: saw {seen}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def wait_for() -> Callable[..., list[str]]:
    """``wait_for(read, "InService")`` polls ``read()`` until it gives that status; the statuses seen."""
    return wait_status


def _all(sm, op: str, key: str) -> list[dict]:
    return [item for page in sm.get_paginator(op).paginate() for item in page[key]]


def studio_cleanup(sm, keep_domain: str | None = None) -> None:
    """Delete every app, space and profile, and every domain but ``keep_domain``, in AWS's order."""
    fields = ("DomainId", "UserProfileName", "SpaceName", "AppType", "AppName")
    apps = [
        {k: a[k] for k in fields if k in a}
        for a in _all(sm, "list_apps", "Apps")
        if a["Status"] not in ("Deleted", "Failed")
    ]
    for key in apps:  # only InService apps can be deleted
        wait_status(lambda key=key: sm.describe_app(**key)["Status"], "InService")
        sm.delete_app(**key)
    for key in apps:
        wait_status(lambda key=key: sm.describe_app(**key)["Status"], "Deleted")
    for space in _all(sm, "list_spaces", "Spaces"):
        sm.delete_space(DomainId=space["DomainId"], SpaceName=space["SpaceName"])
    for profile in _all(sm, "list_user_profiles", "UserProfiles"):
        sm.delete_user_profile(DomainId=profile["DomainId"], UserProfileName=profile["UserProfileName"])
    for d in sm.list_domains()["Domains"]:
        if d["DomainId"] != keep_domain:
            sm.delete_domain(DomainId=d["DomainId"], RetentionPolicy={"HomeEfsFileSystem": "Delete"})


@pytest.fixture
def cleanup_studio(sm, domain) -> Iterator[None]:
    """After the test: delete what it left in Studio and check that nothing remains."""
    yield
    studio_cleanup(sm, keep_domain=domain)
    assert sm.list_user_profiles()["UserProfiles"] == []
    assert sm.list_spaces()["Spaces"] == []
    assert [d["DomainId"] for d in sm.list_domains()["Domains"]] == [domain]
