"""Fixtures for the serverless tests: functions built from source text, deleted after each test."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from serverless_helpers import LOGS_POLICY, ROLE_POLICY

from testkit import aws
from testkit.data import zip_of

REGION = "us-east-1"
FUNCTION_POLICY = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}'
)


@pytest.fixture
def clients(emulator):
    return aws.clients(emulator.url, attempts=1, read_timeout=60)


@pytest.fixture
def functions(clients) -> Iterator:
    """``functions(name, {"index.py": src}, **config)`` creates a function; all are deleted afterwards."""
    lam, iam, logs = clients("lambda"), clients("iam"), clients("logs")
    made: list[str] = []
    role_name = f"fn-role-{time.time_ns()}"
    role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=ROLE_POLICY)["Role"]["Arn"]
    # the embedded AWS enforces IAM on the function's role session, as AWS does: the test functions
    # list buckets, and nothing else
    iam.put_role_policy(RoleName=role_name, PolicyName="list-buckets", PolicyDocument=FUNCTION_POLICY)
    # what AWSLambdaBasicExecutionRole grants: Lambda may create the function's log group
    iam.put_role_policy(RoleName=role_name, PolicyName="logs", PolicyDocument=LOGS_POLICY)

    def make(name: str, files: dict[str, str], handler: str = "index.handler", **extra):
        lam.create_function(
            FunctionName=name,
            Runtime=extra.pop("Runtime", "python3.12"),
            Role=role,
            Handler=handler,
            Code={"ZipFile": zip_of(files)},
            **extra,
        )
        made.append(name)
        return name

    yield make
    for name in made:
        lam.delete_function(FunctionName=name)
        try:
            logs.delete_log_group(logGroupName=f"/aws/lambda/{name}")
        except logs.exceptions.ResourceNotFoundException:
            pass
    iam.delete_role_policy(RoleName=role_name, PolicyName="list-buckets")
    iam.delete_role_policy(RoleName=role_name, PolicyName="logs")
    iam.delete_role(RoleName=role_name)
    assert not [f for f in lam.list_functions()["Functions"] if f["FunctionName"] in made]
