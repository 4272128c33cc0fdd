"""boto3 on the embedded AWS for tests and benchmarks: clients, a reset, what a student deploys."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import boto3
from botocore.config import Config

REGION = "us-east-1"
ACCOUNT = "123456789012"
# the lesson's XGBoost container (its URI only: the embedded AWS trains and hosts with its own XGBoost)
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def clients(url: str, *, attempts: int | None = None, read_timeout: int | None = None) -> Callable:
    """``make(service, region=REGION)``: a boto3 client on the embedded AWS at ``url`` with test keys.
    ``attempts``: botocore's standard retry mode with that many attempts (its defaults otherwise);
    ``read_timeout`` in seconds (botocore's 60 otherwise)."""
    options: dict = {}
    if attempts is not None:
        options["retries"] = {"max_attempts": attempts, "mode": "standard"}
    if read_timeout is not None:
        options["read_timeout"] = read_timeout
    config = Config(**options) if options else None

    def make(service: str, region: str = REGION):
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=url,
            config=config,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return make


def serve(folder: Path, env: dict[str, str], timeout: float = 90) -> tuple[subprocess.Popen, str]:
    """A second embedded AWS as its own process (``python -m emulator serve``, loopback only) with
    ``env`` added to its environment: (the process, its URL). The caller terminates it."""
    ready = folder / "ready.json"
    root = str(Path(__file__).resolve().parents[1])
    command = [sys.executable, "-m", "emulator", "serve", "--port", "0", "--ready-file", str(ready)]
    proc = subprocess.Popen(
        [*command, "--loopback-only"],
        env={**os.environ, **env, "PYTHONPATH": root},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    while not ready.exists():
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.terminate()
            raise RuntimeError(f"the emulator with {env} did not start")
        time.sleep(0.1)
    return proc, f"http://127.0.0.1:{json.loads(ready.read_text())['port']}"


def reset(url: str, timeout: float | None = None) -> None:
    """Wipe the embedded AWS's state (moto's ``/moto-api/reset``)."""
    request = urllib.request.Request(f"{url}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, **({"timeout": timeout} if timeout else {})).read()


def role(iam, name: str, service: str, policy: dict, policy_name: str = "p") -> str:
    """An IAM role ``service`` (e.g. "sagemaker") may assume, with ``policy`` inline; its ARN."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": f"{service}.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(policy))
    return arn


def sagemaker_role_policy(bucket: str) -> dict:
    """What SageMaker does as a job's execution role, which the embedded AWS checks as AWS does
    (emulator/iam/service_role.py): pull the algorithm image, read and write the bucket, write logs.
    Not what the SDK's own role check asks for (cloudwatch, ec2): the tests turn that check off."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                "Resource": f"arn:aws:s3:::{bucket}",
            },
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                "Resource": f"arn:aws:s3:::{bucket}/*",
            },
            {
                "Effect": "Allow",
                "Action": [
                    "ecr:GetAuthorizationToken",
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchCheckLayerAvailability",
                ],
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "arn:aws:logs:*:*:log-group:/aws/sagemaker/*",
            },
        ],
    }


def lesson_account(s3, iam, prefix: str = ""):
    """What `make up` gives the lesson jobs, made by hand: a models bucket and an execution role
    (``sagemaker_role_policy``) with fresh names; a ``jobs.sdk.Account``."""
    import uuid

    from jobs.sdk import Account

    bucket = f"{prefix}models-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    name = f"{prefix}sm-{uuid.uuid4().hex[:6]}"
    arn = role(iam, name, "sagemaker", sagemaker_role_policy(bucket), policy_name="sagemaker")
    return Account(bucket=bucket, role_arn=arn, region=REGION)


def assumed(url: str, role_arn: str, region: str = REGION) -> boto3.session.Session:
    """A session acting as ``role_arn`` (sts:AssumeRole with the test keys on the embedded AWS)."""
    sts = clients(url)("sts", region)
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="classroom-kit-test")["Credentials"]
    return boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=region,
    )


def network(ec2, cidr: str = "10.0.0.0/16") -> tuple[str, str]:
    """A VPC with one subnet (the first /24 of ``cidr``): (vpc id, subnet id)."""
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    subnet_cidr = cidr.rsplit(".", 2)[0] + ".1.0/24"
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=subnet_cidr)["Subnet"]["SubnetId"]
    return vpc, subnet


def domain(sm, name: str, role: str, net: tuple[str, str]) -> str:
    """A Studio domain (IAM sign-in, ``role`` for its users) in ``net`` (from ``network``), made
    through boto3 as Terraform makes it; its id."""
    vpc, subnet = net
    return sm.create_domain(
        DomainName=name,
        AuthMode="IAM",
        DefaultUserSettings={"ExecutionRole": role},
        SubnetIds=[subnet],
        VpcId=vpc,
    )["DomainId"]


def studio_apps(sm, domain: str, users: list[str], space: str) -> None:
    """What students run in Studio, made through boto3: a JupyterServer app of each of ``users``, and
    a shared JupyterLab ``space`` owned by the first of them, with its app running."""
    for user in users:
        sm.create_app(DomainId=domain, UserProfileName=user, AppType="JupyterServer", AppName="default")
    sm.create_space(
        DomainId=domain,
        SpaceName=space,
        OwnershipSettings={"OwnerUserProfileName": users[0]},
        SpaceSharingSettings={"SharingType": "Shared"},
        SpaceSettings={"AppType": "JupyterLab"},
    )
    sm.create_app(
        DomainId=domain,
        SpaceName=space,
        AppType="JupyterLab",
        AppName="default",
        ResourceSpec={"InstanceType": "ml.t3.medium"},
    )


def endpoint(
    sm,
    name: str,
    *,
    role: str,
    bucket: str,
    tags: list[dict] | None = None,
    tag_all: bool = False,
) -> None:
    """Model ``<name>-model`` + config ``<name>-config`` + endpoint ``<name>``, as a notebook's
    deploy() makes them. ``tags`` go on the endpoint (and on its config and model with ``tag_all``);
    an untagged config and model are the class's through their endpoint."""
    extra = {"Tags": tags} if tags and tag_all else {}
    sm.create_model(
        ModelName=f"{name}-model",
        ExecutionRoleArn=role,
        **extra,
        PrimaryContainer={"Image": IMAGE, "ModelDataUrl": f"s3://{bucket}/{name}/model.tar.gz"},
    )
    sm.create_endpoint_config(
        EndpointConfigName=f"{name}-config",
        **extra,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": f"{name}-model",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.xlarge",
            }
        ],
    )
    sm.create_endpoint(
        EndpointName=name, EndpointConfigName=f"{name}-config", **({"Tags": tags} if tags else {})
    )
