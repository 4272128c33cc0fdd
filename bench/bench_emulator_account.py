"""Benchmark of the embedded AWS's account setup: a full class in Studio, and Terraform on it.

Everything goes through the AWS APIs of a real emulator process:
- a class of 40 students: a domain (home EFS, NFS groups), 40 user profiles, 40 JupyterServer apps
  waited to InService — wall time to set up and to tear down in AWS's order (apps → Deleted,
  profiles, domain with RetentionPolicy Delete), and ListUserProfiles latency (p50 / p99 per page);
- Terraform (hashicorp/aws 5.100.0 from /opt/tf-plugins) apply / no-change plan / destroy of the
  test configuration ``testkit/terraform/account/main.tf`` (domain, 3 profiles, budget, user).
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import boto3
from botocore.config import Config

from testkit import terraform_run

STUDENTS = 40
REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/kit-bench-studio"


def _wait_all(read, names: list[str], wanted: str, timeout: float = 120.0) -> None:
    pending = set(names)
    deadline = time.monotonic() + timeout
    while pending:
        pending = {n for n in pending if read(n) != wanted}
        if pending and time.monotonic() > deadline:
            raise RuntimeError(f"{len(pending)} apps never reached {wanted}")
        if pending:
            time.sleep(0.1)


def _studio_class(url: str) -> list[dict]:
    cfg = Config(retries={"max_attempts": 2, "mode": "standard"})
    kw = {
        "region_name": REGION,
        "endpoint_url": url,
        "config": cfg,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    sm, ec2, efs = boto3.client("sagemaker", **kw), boto3.client("ec2", **kw), boto3.client("efs", **kw)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = sorted(
        s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    )[:2]
    names = [f"student-{i:02d}" for i in range(STUDENTS)]

    def app(n: str) -> dict:
        return {"DomainId": domain, "UserProfileName": n, "AppType": "JupyterServer", "AppName": "default"}

    t0 = time.monotonic()
    domain = sm.create_domain(
        DomainName="bench",
        AuthMode="IAM",
        VpcId=vpc,
        SubnetIds=subnets,
        DefaultUserSettings={"ExecutionRole": ROLE},
    )["DomainId"]
    for n in names:
        sm.create_user_profile(DomainId=domain, UserProfileName=n)
        sm.create_app(**app(n))
    _wait_all(lambda n: sm.describe_app(**app(n))["Status"], names, "InService")
    setup_s = time.monotonic() - t0

    lat = []
    for _ in range(50):
        t = time.perf_counter()
        sm.list_user_profiles(DomainIdEquals=domain)
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()

    t0 = time.monotonic()
    for n in names:
        sm.delete_app(**app(n))
    _wait_all(lambda n: sm.describe_app(**app(n))["Status"], names, "Deleted")
    for n in names:
        sm.delete_user_profile(DomainId=domain, UserProfileName=n)
    sm.delete_domain(DomainId=domain, RetentionPolicy={"HomeEfsFileSystem": "Delete"})
    teardown_s = time.monotonic() - t0
    left = (
        len(sm.list_user_profiles()["UserProfiles"])
        + len(sm.list_domains()["Domains"])
        + len(efs.describe_file_systems()["FileSystems"])
    )
    return [
        {
            "name": f"studio set-up, {STUDENTS} profiles + apps InService",
            "value": setup_s,
            "unit": "s",
            "goal": "<= 30",
            "ok": setup_s <= 30,
        },
        {
            "name": f"studio teardown in AWS order, {STUDENTS} students",
            "value": teardown_s,
            "unit": "s",
            "goal": "<= 30",
            "ok": teardown_s <= 30,
        },
        {
            "name": "ListUserProfiles page p50",
            "value": statistics.median(lat),
            "unit": "ms",
            "goal": "<= 50",
            "ok": statistics.median(lat) <= 50,
        },
        {
            "name": "ListUserProfiles page p99",
            "value": lat[int(len(lat) * 0.99) - 1],
            "unit": "ms",
            "goal": None,
            "ok": None,
        },
        {
            "name": "studio resources left after teardown",
            "value": left,
            "unit": "",
            "goal": "0",
            "ok": left == 0,
        },
    ]


def _terraform(url: str) -> list[dict]:
    if not terraform_run.available():
        return [
            {
                "name": "terraform",
                "value": "skipped: no terraform or provider mirror",
                "unit": "",
                "goal": None,
                "ok": None,
            }
        ]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-tf-") as tmp:
        work = Path(tmp)
        env = terraform_run.prepare(work, terraform_run.ACCOUNT_CONFIG, url)

        def tf(*args: str) -> tuple[float, int]:
            t = time.monotonic()
            proc = subprocess.run(
                ["terraform", f"-chdir={work}", *args, "-no-color", "-input=false"],
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            return time.monotonic() - t, proc.returncode

        tf("init")
        for label, args, ok_codes in (
            ("apply", ("apply", "-auto-approve"), (0,)),
            ("plan (no changes)", ("plan", "-detailed-exitcode"), (0,)),
            ("destroy", ("destroy", "-auto-approve"), (0,)),
        ):
            seconds, code = tf(*args)
            rows.append(
                {
                    "name": f"terraform {label}: domain + 3 profiles + budget + user",
                    "value": seconds,
                    "unit": "s",
                    "goal": "exit 0",
                    "ok": code in ok_codes,
                }
            )
    return rows


def run() -> list[dict]:
    from provision import embedded

    emu = embedded.start()
    return _studio_class(emu.url) + _terraform(emu.url)
