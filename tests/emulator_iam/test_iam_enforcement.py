"""Permission enforcement on the embedded AWS, with boto3 against the real process.

Error shapes are AWS's per protocol (botocore's parsers read them): query XML ``AccessDenied`` (IAM,
STS, HTTP 403), EC2's ``UnauthorizedOperation`` (403), JSON ``AccessDeniedException`` (SageMaker,
Logs, Budgets: 400), REST-JSON ``AccessDeniedException`` (SageMaker runtime, EFS: 403), S3's
REST-XML ``AccessDenied`` (403). Messages are IAM's: "User: <arn> is not authorized to perform:
<action> on resource: <arn> because no identity-based policy allows the <action> action" /
"... with an explicit deny in an identity-based policy" (IAM User Guide, "Troubleshoot access denied
error messages").
"""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from iamhelpers import ACCOUNT, REGION, doc

from testkit import aws

USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/nobody"
IMAGE = "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1"
GUARDRAIL = {
    "Effect": "Deny",
    "Action": ["sagemaker:CreateEndpointConfig", "sagemaker:CreateTrainingJob"],
    "Resource": "*",
    "Condition": {"ForAnyValue:StringNotLike": {"sagemaker:InstanceTypes": ["ml.m5.xlarge"]}},
}


def _refused(call) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as err:
        call()
    r = err.value.response
    return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"].get("Message", "")


def _no_policy(action: str, resource: str, who: str = USER_ARN) -> str:
    return (
        f"User: {who} is not authorized to perform: {action} on resource: {resource} "
        f"because no identity-based policy allows the {action} action"
    )


def test_a_user_without_policies_gets_each_protocols_refusal(boot, principals):
    creds = principals.user("nobody")
    assert boot("sts", creds).get_caller_identity()["Arn"] == USER_ARN  # never denied
    code, status, message = _refused(lambda: boot("iam", creds).get_user(UserName="nobody"))
    assert (code, status) == ("AccessDenied", 403)
    assert message == _no_policy("iam:GetUser", USER_ARN)
    code, status, message = _refused(lambda: boot("ec2", creds).describe_vpcs())
    assert (code, status) == ("UnauthorizedOperation", 403)
    assert message.endswith(_no_policy("ec2:DescribeVpcs", "*"))
    for service, call, action in [
        ("sagemaker", lambda c: c.list_endpoints(), "sagemaker:ListEndpoints"),
        ("logs", lambda c: c.describe_log_groups(), "logs:DescribeLogGroups"),
        ("budgets", lambda c: c.describe_budgets(AccountId=ACCOUNT), "budgets:ViewBudget"),
    ]:
        code, status, message = _refused(lambda call=call, service=service: call(boot(service, creds)))
        assert (code, status) == ("AccessDeniedException", 400), service
        assert message.startswith(f"User: {USER_ARN} is not authorized to perform: {action}"), message
    code, status, message = _refused(
        lambda: boot("sagemaker-runtime", creds).invoke_endpoint(
            EndpointName="e", Body=b"1", ContentType="text/csv"
        )
    )
    assert (code, status) == ("AccessDeniedException", 403)
    assert message == _no_policy(
        "sagemaker:InvokeEndpoint", f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/e"
    )
    code, status, message = _refused(lambda: boot("s3", creds).list_buckets())
    assert (code, status) == ("AccessDenied", 403)
    assert message == _no_policy("s3:ListAllMyBuckets", "*")
    # the bootstrapping keys are not restricted
    assert boot("iam").get_user(UserName="nobody")["User"]["Arn"] == USER_ARN


def test_guardrail_explicit_deny_on_instance_types(boot, principals):
    creds = principals.user(
        "nobody", {"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}, GUARDRAIL
    )
    sm, student = boot("sagemaker"), boot("sagemaker", creds)
    sm.create_model(
        ModelName="m", ExecutionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/r", PrimaryContainer={"Image": IMAGE}
    )
    try:
        code, status, message = _refused(
            lambda: student.create_endpoint_config(
                EndpointConfigName="big",
                ProductionVariants=[
                    {
                        "VariantName": "a",
                        "ModelName": "m",
                        "InstanceType": "ml.m5.xlarge",
                        "InitialInstanceCount": 1,
                    },
                    {
                        "VariantName": "b",
                        "ModelName": "m",
                        "InstanceType": "ml.p3.2xlarge",
                        "InitialInstanceCount": 1,
                    },
                ],
            )
        )
        assert (code, status) == ("AccessDeniedException", 400)
        assert message == (
            f"User: {USER_ARN} is not authorized to perform: sagemaker:CreateEndpointConfig on "
            f"resource: arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint-config/big with an explicit "
            "deny in an identity-based policy"
        )
        student.create_endpoint_config(
            EndpointConfigName="ok",
            ProductionVariants=[
                {
                    "VariantName": "a",
                    "ModelName": "m",
                    "InstanceType": "ml.m5.xlarge",
                    "InitialInstanceCount": 1,
                }
            ],
        )
        student.delete_endpoint_config(EndpointConfigName="ok")
        # the request's instance types are what the condition sees, however deep in the request
        assert (
            "explicit deny"
            in _refused(
                lambda: student.create_training_job(
                    TrainingJobName="big",
                    AlgorithmSpecification={"TrainingImage": IMAGE, "TrainingInputMode": "File"},
                    RoleArn=f"arn:aws:iam::{ACCOUNT}:role/r",
                    OutputDataConfig={"S3OutputPath": "s3://b/o"},
                    ResourceConfig={"InstanceType": "ml.p3.2xlarge", "InstanceCount": 1, "VolumeSizeInGB": 5},
                    StoppingCondition={"MaxRuntimeInSeconds": 60},
                )
            )[2]
        )
    finally:
        sm.delete_model(ModelName="m")
    assert sm.list_endpoint_configs()["EndpointConfigs"] == [] and sm.list_models()["Models"] == []
    assert sm.list_training_jobs()["TrainingJobSummaries"] == []


def test_policy_changes_apply_to_the_next_request(boot, principals):
    creds = principals.user("nobody")
    s3 = boot("s3", creds)
    assert _refused(s3.list_buckets)[0] == "AccessDenied"
    iam = boot("iam")
    iam.attach_user_policy(UserName="nobody", PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    assert s3.list_buckets()["Buckets"] == []  # an AWS managed policy, as moto ships it
    iam.create_group(GroupName="deny-s3")
    try:
        iam.put_group_policy(
            GroupName="deny-s3",
            PolicyName="d",
            PolicyDocument=doc({"Effect": "Deny", "Action": "s3:*", "Resource": "*"}),
        )
        iam.add_user_to_group(UserName="nobody", GroupName="deny-s3")
        assert "explicit deny" in _refused(s3.list_buckets)[2]  # a group's deny wins
        iam.remove_user_from_group(UserName="nobody", GroupName="deny-s3")
        assert s3.list_buckets()["Buckets"] == []
    finally:
        iam.delete_group_policy(GroupName="deny-s3", PolicyName="d")
        iam.delete_group(GroupName="deny-s3")
    key = creds["aws_access_key_id"]
    iam.update_access_key(UserName="nobody", AccessKeyId=key, Status="Inactive")
    code, status, _ = _refused(s3.list_buckets)
    assert (code, status) == ("InvalidAccessKeyId", 403)  # not the unrestricted bootstrap principal
    assert _refused(boot("iam", creds).list_users)[:2] == ("InvalidClientTokenId", 403)


def test_role_session_pass_role_and_trust(boot, principals):
    role = principals.role(
        "runner",
        {"Effect": "Allow", "Action": ["sagemaker:CreateModel", "sagemaker:DeleteModel"], "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": f"arn:aws:iam::{ACCOUNT}:role/runner",
            "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        },
    )
    other = principals.role("other")
    session = principals.session(role, name="nb")  # the bootstrapping keys assume it, as SageMaker would
    caller = f"arn:aws:sts::{ACCOUNT}:assumed-role/runner/nb"
    assert boot("sts", session).get_caller_identity()["Arn"] == caller
    sm = boot("sagemaker", session)
    sm.create_model(ModelName="m", ExecutionRoleArn=role, PrimaryContainer={"Image": IMAGE})
    sm.delete_model(ModelName="m")
    code, _, message = _refused(
        lambda: sm.create_model(ModelName="m2", ExecutionRoleArn=other, PrimaryContainer={"Image": IMAGE})
    )
    assert code == "AccessDeniedException"
    assert message == _no_policy("iam:PassRole", other, caller)
    assert boot("sagemaker").list_models()["Models"] == []

    # a user may assume a role only if the role's trust policy lets it
    user = principals.user("nobody", {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
    code, status, message = _refused(lambda: principals.session(role, user))
    assert (code, status) == ("AccessDenied", 403) and "sts:AssumeRole" in message
    trusting = principals.role(
        "trusting", trust={"Effect": "Allow", "Principal": {"AWS": USER_ARN}, "Action": "sts:AssumeRole"}
    )
    assert (
        boot("sts", principals.session(trusting, user, "uu")).get_caller_identity()["Arn"]
        == f"arn:aws:sts::{ACCOUNT}:assumed-role/trusting/uu"
    )


def test_resource_tags_of_the_target_are_in_the_context(boot, principals):
    """aws:ResourceTag/<key>: the tags of the SageMaker resource the request acts on."""
    creds = principals.user(
        "nobody",
        {
            "Effect": "Allow",
            "Action": "sagemaker:DeleteModel",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}},
        },
    )
    sm, mine = boot("sagemaker"), boot("sagemaker", creds)
    for name, owner in (("Mine", "nobody"), ("theirs", "somebody")):
        sm.create_model(
            ModelName=name,
            ExecutionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/r",
            PrimaryContainer={"Image": IMAGE},
            Tags=[{"Key": "owner", "Value": owner}],
        )
    try:
        mine.delete_model(ModelName="Mine")
        assert _refused(lambda: mine.delete_model(ModelName="theirs"))[0] == "AccessDeniedException"
    finally:
        for m in sm.list_models()["Models"]:
            sm.delete_model(ModelName=m["ModelName"])
    assert sm.list_models()["Models"] == []


def test_anonymous_and_bucket_policies(boot, principals, emulator):
    s3 = boot("s3")
    s3.create_bucket(Bucket="pub")
    anon = boto3.client(
        "s3",
        region_name=REGION,
        endpoint_url=emulator.url,
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )
    try:
        s3.put_object(Bucket="pub", Key="share/a.txt", Body=b"hello")
        s3.put_object(Bucket="pub", Key="private/b.txt", Body=b"secret")
        s3.put_bucket_policy(
            Bucket="pub",
            Policy=doc(
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::pub/share/*",
                }
            ),
        )
        assert anon.get_object(Bucket="pub", Key="share/a.txt")["Body"].read() == b"hello"
        assert _refused(lambda: anon.get_object(Bucket="pub", Key="private/b.txt"))[1] == 403
        assert _refused(lambda: anon.list_objects_v2(Bucket="pub"))[:2] == ("AccessDenied", 403)
        assert _refused(lambda: anon.put_object(Bucket="pub", Key="share/x", Body=b"1"))[:2] == (
            "AccessDenied",
            403,
        )
        # a user of the account with no identity policy: the bucket policy's "*" lets it read share/ too
        creds = principals.user("nobody")
        assert boot("s3", creds).get_object(Bucket="pub", Key="share/a.txt")["Body"].read() == b"hello"
        assert (
            _refused(lambda: boot("s3", creds).get_object(Bucket="pub", Key="private/b.txt"))[0]
            == "AccessDenied"
        )
        # RestrictPublicBuckets: the public policy no longer lets anonymous callers in
        s3.put_public_access_block(
            Bucket="pub",
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": False,
                "RestrictPublicBuckets": True,
            },
        )
        assert _refused(lambda: anon.get_object(Bucket="pub", Key="share/a.txt"))[1] == 403
    finally:
        for v in s3.list_object_versions(Bucket="pub").get("Versions", []):
            s3.delete_object(Bucket="pub", Key=v["Key"], VersionId=v["VersionId"])
        s3.delete_bucket(Bucket="pub")
    assert s3.list_buckets()["Buckets"] == []


def test_simulate_principal_policy_decides_conditions_from_context_entries(boot, principals):
    principals.user("nobody", {"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}, GUARDRAIL)
    iam = boot("iam")

    def simulate(*types: str) -> dict:
        entries = (
            [
                {
                    "ContextKeyName": "sagemaker:InstanceTypes",
                    "ContextKeyValues": list(types),
                    "ContextKeyType": "stringList",
                }
            ]
            if types
            else []
        )
        [r] = iam.simulate_principal_policy(
            PolicySourceArn=USER_ARN, ActionNames=["sagemaker:CreateTrainingJob"], ContextEntries=entries
        )["EvaluationResults"]
        return r

    assert simulate("ml.p3.2xlarge")["EvalDecision"] == "explicitDeny"
    assert simulate("ml.m5.xlarge")["EvalDecision"] == "allowed"
    missing = simulate()
    assert missing["EvalDecision"] == "allowed"  # ForAnyValue over a missing key: the deny does not apply
    assert missing["MissingContextValues"] == ["sagemaker:InstanceTypes"]


def test_enforcement_can_be_turned_off(tmp_path: Path, boot):
    """``CLASSROOM_EMULATOR_IAM=off`` in the emulator's environment: principals are not restricted."""
    proc, url = aws.serve(tmp_path, {"CLASSROOM_EMULATOR_IAM": "off"}, timeout=60)
    try:

        def client(service: str, key: str = "testing", secret: str = "testing"):
            return boto3.client(
                service,
                region_name=REGION,
                endpoint_url=url,
                aws_access_key_id=key,
                aws_secret_access_key=secret,
                config=Config(retries={"max_attempts": 1}),
            )

        iam = client("iam")
        iam.create_user(UserName="free")
        key = iam.create_access_key(UserName="free")["AccessKey"]
        assert (
            client("iam", key["AccessKeyId"], key["SecretAccessKey"]).list_users()["Users"][0]["UserName"]
            == "free"
        )
        iam.delete_access_key(UserName="free", AccessKeyId=key["AccessKeyId"])
        iam.delete_user(UserName="free")
        assert iam.list_users()["Users"] == []
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert proc.returncode is not None
