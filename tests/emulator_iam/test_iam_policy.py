"""The policy evaluator and the Service Authorization Reference data, without a server.

Expected values follow the IAM User Guide: "Condition operators" (a missing key makes an operator
false and a negated one true; ...IfExists and Null test presence), "Set operators for multivalued
context keys" (ForAllValues true / ForAnyValue false over a missing key), "Policy variables", and
"Policy evaluation logic" (explicit deny wins; resource-based + identity-based in one account).
"""

from __future__ import annotations

import pytest

from emulator.iam import enforce, sar
from emulator.iam.policy import UnsupportedCondition, evaluate, parse

ACCOUNT = "123456789012"


def _decide(statements: list[dict], action: str, resource: str = "*", ctx: dict | None = None) -> str:
    policy = parse({"Version": "2012-10-17", "Statement": statements}, "p", "user")
    return evaluate([policy], action, resource, ctx or {}).decision


def _cond(operator: str, key: str, values, ctx: dict) -> bool:
    st = {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "*",
        "Condition": {operator: {key: values}},
    }
    return _decide([st], "s3:GetObject", "*", ctx) == "allowed"


@pytest.mark.parametrize(
    ("operator", "values", "ctx", "expected"),
    [
        ("StringEquals", "a", {"k": ["a"]}, True),
        ("StringEquals", "a", {"k": ["A"]}, False),
        ("StringEquals", "a", {}, False),
        ("StringNotEquals", "a", {}, True),  # negated operator, key missing: true
        ("StringNotEquals", ["a", "b"], {"k": ["b"]}, False),  # negated: NOR over the values
        ("StringEqualsIgnoreCase", "a", {"k": ["A"]}, True),
        ("StringLike", "ml.t3.*", {"k": ["ml.t3.medium"]}, True),
        ("StringLike", "ml.t3.?edium", {"k": ["ml.t3.medium"]}, True),
        ("StringNotLike", "ml.t3.*", {"k": ["ml.p3.2xlarge"]}, True),
        ("StringEqualsIfExists", "a", {}, True),
        ("StringEqualsIfExists", "a", {"k": ["b"]}, False),
        ("ArnLike", "arn:aws:iam::*:role/x*", {"k": ["arn:aws:iam::1:role/xy"]}, True),
        ("ArnEquals", "arn:aws:iam::1:role/x", {"k": ["arn:aws:iam::1:role/y"]}, False),
        ("ArnNotLike", "arn:aws:iam::1:role/x", {}, True),
        ("Bool", "true", {"k": ["true"]}, True),
        ("Bool", "true", {"k": ["false"]}, False),
        ("Null", "true", {}, True),
        ("Null", "false", {}, False),
        ("Null", "false", {"k": ["x"]}, True),
        ("NumericLessThan", "10", {"k": ["3"]}, True),
        ("NumericGreaterThanEquals", "10", {"k": ["3"]}, False),
        ("NumericEquals", "3", {"k": ["three"]}, False),
        ("DateLessThan", "2030-01-01T00:00:00Z", {"k": ["2026-12-06T00:00:00Z"]}, True),
        ("DateGreaterThan", "2030-01-01T00:00:00Z", {"k": ["2026-12-06T00:00:00Z"]}, False),
        ("ForAnyValue:StringLike", ["a*"], {"k": ["x", "ab"]}, True),
        ("ForAnyValue:StringLike", ["a*"], {}, False),
        ("ForAllValues:StringLike", ["a*"], {"k": ["x", "ab"]}, False),
        ("ForAllValues:StringLike", ["a*"], {"k": ["ax", "ab"]}, True),
        ("ForAllValues:StringLike", ["a*"], {}, True),  # the documented pitfall: vacuously true
        ("ForAnyValue:StringNotLike", ["ml.m5.xlarge"], {"k": ["ml.m5.xlarge", "ml.p3.2xlarge"]}, True),
        ("ForAnyValue:StringNotLike", ["ml.m5.xlarge"], {"k": ["ml.m5.xlarge"]}, False),
        ("ForAnyValue:StringNotLike", ["ml.m5.xlarge"], {}, False),  # serverless: not denied
    ],
)
def test_condition_operators(operator, values, ctx, expected):
    assert _cond(operator, "k", values, ctx) is expected


def test_condition_keys_are_case_insensitive_and_blocks_are_anded():
    st = {
        "Effect": "Allow",
        "Action": "*",
        "Resource": "*",
        "Condition": {
            "StringEquals": {"IAM:PassedToService": "sagemaker.amazonaws.com"},
            "Bool": {"aws:SecureTransport": "true"},
        },
    }
    ctx = {"iam:passedtoservice": ["sagemaker.amazonaws.com"], "aws:securetransport": ["true"]}
    assert _decide([st], "iam:PassRole", "*", ctx) == "allowed"
    assert _decide([st], "iam:PassRole", "*", {**ctx, "aws:securetransport": ["false"]}) == "implicitDeny"


def test_unsupported_operators_are_refused_not_guessed():
    with pytest.raises(UnsupportedCondition):
        _cond("BinaryEquals", "k", "QmluYXJ5", {"k": ["QmluYXJ5"]})


@pytest.mark.parametrize(
    ("operator", "values", "ip", "expected"),
    [
        ("IpAddress", "10.0.0.0/8", "10.1.1.1", True),
        ("IpAddress", ["192.0.2.0/24", "10.0.0.0/8"], "10.1.1.1", True),
        ("IpAddress", "10.0.0.0/8", "11.0.0.1", False),
        ("IpAddress", "203.0.113.7", "203.0.113.7", True),  # a bare address is a /32
        ("IpAddress", "2001:db8::/32", "2001:db8::1", True),
        ("IpAddress", "10.0.0.0/8", None, False),  # key missing: false
        ("NotIpAddress", "10.0.0.0/8", "11.0.0.1", True),
        ("NotIpAddress", "10.0.0.0/8", "10.0.0.1", False),
        ("NotIpAddress", "10.0.0.0/8", None, True),  # negated operator, key missing: true
        ("IpAddressIfExists", "10.0.0.0/8", None, True),
    ],
)
def test_ip_address_operators(operator, values, ip, expected):
    # IAM User Guide, "IAM JSON policy elements: Condition operators", IP address condition operators
    ctx = {"aws:sourceip": [ip]} if ip else {}
    assert _cond(operator, "aws:SourceIp", values, ctx) is expected


def test_policy_variables_in_resources_and_conditions():
    st = [
        {
            "Effect": "Allow",
            "Action": "sagemaker:CreatePresignedDomainUrl",
            "Resource": "arn:aws:sagemaker:us-east-1:1:user-profile/d-1/${aws:username}",
        }
    ]
    ada = {"aws:username": ["ada"]}
    assert (
        _decide(
            st,
            "sagemaker:CreatePresignedDomainUrl",
            "arn:aws:sagemaker:us-east-1:1:user-profile/d-1/ada",
            ada,
        )
        == "allowed"
    )
    assert (
        _decide(
            st,
            "sagemaker:CreatePresignedDomainUrl",
            "arn:aws:sagemaker:us-east-1:1:user-profile/d-1/grace",
            ada,
        )
        == "implicitDeny"
    )
    # a role session has no aws:username: the statement does not match (no error)
    assert (
        _decide(
            st, "sagemaker:CreatePresignedDomainUrl", "arn:aws:sagemaker:us-east-1:1:user-profile/d-1/ada", {}
        )
        == "implicitDeny"
    )
    # ${*} is a literal star, not a wildcard
    lit = [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${*}"}]
    assert _decide(lit, "s3:GetObject", "arn:aws:s3:::b/*") == "allowed"
    assert _decide(lit, "s3:GetObject", "arn:aws:s3:::b/x") == "implicitDeny"
    cond = [
        {
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "*",
            "Condition": {"StringLike": {"s3:prefix": "home/${aws:username}/*"}},
        }
    ]
    assert _decide(cond, "s3:ListBucket", "*", {**ada, "s3:prefix": ["home/ada/x"]}) == "allowed"
    assert _decide(cond, "s3:ListBucket", "*", {**ada, "s3:prefix": ["home/grace/x"]}) == "implicitDeny"


def test_explicit_deny_wins_and_not_elements():
    allow_all = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    deny_iam = {"Effect": "Deny", "NotAction": ["s3:*", "sagemaker:*"], "Resource": "*"}
    assert _decide([allow_all, deny_iam], "iam:CreateUser") == "explicitDeny"
    assert _decide([allow_all, deny_iam], "S3:GetObject") == "allowed"  # actions: case-insensitive
    not_res = {"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"}
    assert _decide([not_res], "s3:GetObject", "arn:aws:s3:::secret/k") == "implicitDeny"
    assert _decide([not_res], "s3:GetObject", "arn:aws:s3:::Secret/k") == "allowed"  # ARNs: case-sensitive


def test_resource_based_policy_principals():
    public = parse(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::pub/share/*",
                }
            ]
        },
        "bp",
        "resource",
    )
    assert evaluate([public], "s3:GetObject", "arn:aws:s3:::pub/share/a", {}).allowed
    assert not evaluate([public], "s3:GetObject", "arn:aws:s3:::pub/other", {}).allowed
    only_ada = parse(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/ada"},
                    "Action": "s3:*",
                    "Resource": "*",
                }
            ]
        },
        "bp",
        "resource",
    )
    assert evaluate(
        [only_ada], "s3:GetObject", "x", {}, principal_arn=f"arn:aws:iam::{ACCOUNT}:user/ada", account=ACCOUNT
    ).allowed
    assert not evaluate([only_ada], "s3:GetObject", "x", {}, principal_arn=None, account=None).allowed
    account = parse(
        {
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "s3:*", "Resource": "*"}
            ]
        },
        "bp",
        "resource",
    )
    assert evaluate(
        [account], "s3:GetObject", "x", {}, principal_arn=f"arn:aws:iam::{ACCOUNT}:user/z", account=ACCOUNT
    ).allowed


def test_which_action_carries_which_key_comes_from_the_reference():
    for action in (
        "CreateTrainingJob",
        "CreateHyperParameterTuningJob",
        "CreateEndpointConfig",
        "CreateTransformJob",
        "CreateNotebookInstance",
        "CreateApp",
    ):
        assert sar.carries("sagemaker", action, "sagemaker:InstanceTypes"), action
    assert not sar.carries("sagemaker", "CreateModel", "sagemaker:InstanceTypes")
    assert not sar.carries("sagemaker", "CreateEndpoint", "sagemaker:InstanceTypes")
    assert sar.carries("iam", "PassRole", "iam:PassedToService")
    assert sar.carries("s3", "ListBucket", "s3:prefix")
    assert sar.carries("sagemaker", "CreateTrainingJob", "aws:RequestTag/classroom")
    assert not sar.carries("sagemaker", "DescribeTrainingJob", "aws:RequestTag/classroom")
    assert sar.action("sagemaker", "createendpointconfig").name == "CreateEndpointConfig"


def test_request_context_and_resources():
    params = {
        "EndpointConfigName": "cfg",
        "Tags": [{"Key": "expires-at", "Value": "x"}],
        "ProductionVariants": [
            {"VariantName": "a", "InstanceType": "ml.m5.xlarge"},
            {"VariantName": "b", "InstanceType": "ml.p3.2xlarge"},
        ],
    }
    ctx = enforce.request_context("sagemaker", "CreateEndpointConfig", params, "us-east-1")
    assert ctx["sagemaker:instancetypes"] == ["ml.m5.xlarge", "ml.p3.2xlarge"]
    assert ctx["aws:tagkeys"] == ["expires-at"] and ctx["aws:requesttag/expires-at"] == ["x"]
    model = enforce.request_context(
        "sagemaker",
        "CreateModel",
        {"ModelName": "m", "PrimaryContainer": {"InstanceType": "ml.p3.2xlarge"}},
        "us-east-1",
    )
    assert "sagemaker:instancetypes" not in model  # CreateModel does not carry the key
    assert enforce.resources_for("sagemaker", "CreateEndpointConfig", params, "us-east-1", ACCOUNT) == [
        f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint-config/cfg"
    ]
    assert enforce.resources_for(
        "sagemaker", "CreateEndpoint", {"EndpointName": "e", "EndpointConfigName": "c"}, "us-east-1", ACCOUNT
    ) == [
        f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/e",
        f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint-config/c",
    ]
    assert enforce.resources_for(
        "iam",
        "AttachUserPolicy",
        {"UserName": "ada", "PolicyArn": "arn:aws:iam::aws:policy/X"},
        "us-east-1",
        ACCOUNT,
    ) == [f"arn:aws:iam::{ACCOUNT}:user/ada"]
    arn = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/e"
    # AddTags lists many resource types, none required: the one its ResourceArn names
    assert enforce.resources_for(
        "sagemaker", "AddTags", {"ResourceArn": arn, "Tags": []}, "us-east-1", ACCOUNT
    ) == [arn]
    assert enforce.resources_for(
        "sagemaker",
        "CreateApp",
        {"DomainId": "d-1", "SpaceName": "s", "AppType": "JupyterLab", "AppName": "default"},
        "us-east-1",
        ACCOUNT,
    ) == [f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:app/d-1/s/jupyterlab/default"]
    assert enforce.resources_for(
        "ecr",
        "BatchGetImage",
        {"registryId": "382416733822", "repositoryName": "linear-learner"},
        "us-east-1",
        ACCOUNT,
    ) == ["arn:aws:ecr:us-east-1:382416733822:repository/linear-learner"]
    assert enforce.resources_for(
        "logs",
        "PutLogEvents",
        {"logGroupName": "/aws/sagemaker/TrainingJobs", "logStreamName": "j/algo-1"},
        "us-east-1",
        ACCOUNT,
    ) == [f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/sagemaker/TrainingJobs:log-stream:j/algo-1"]
