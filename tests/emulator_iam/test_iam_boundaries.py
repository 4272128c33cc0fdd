"""Permissions boundaries, session policies, ``aws:SourceIp`` and the role SageMaker must assume, on the
embedded AWS with boto3 against the real process.

Expected values follow the IAM User Guide, "Policy evaluation logic" /
"How AWS enforcement code logic evaluates requests to allow or deny access"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html):
an identity-based allow counts only when the permissions boundary (if any) and the session policies
(if any) allow too; an explicit deny in any of them wins. Messages: "Troubleshoot access denied error
messages" ("... because no permissions boundary allows the ... action", "... with an explicit deny in
a session policy").
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from iamhelpers import ACCOUNT, doc

S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
IAM_READ = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
IMAGE = "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1"
ALL = {"Effect": "Allow", "Action": ["s3:*", "iam:*", "sts:*", "sagemaker:*"], "Resource": "*"}


def _refused(call) -> tuple[str, str]:
    with pytest.raises(ClientError) as err:
        call()
    return err.value.response["Error"]["Code"], err.value.response["Error"].get("Message", "")


def test_a_users_permissions_boundary_limits_its_identity_policies(boot, principals):
    creds = principals.user("bounded", ALL)
    iam = boot("iam")
    iam.put_user_permissions_boundary(UserName="bounded", PermissionsBoundary=S3_READ)
    assert (
        iam.get_user(UserName="bounded")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == S3_READ
    )
    boot("s3", creds).list_buckets()  # identity allows, boundary allows
    code, message = _refused(lambda: boot("iam", creds).list_users())  # identity allows, boundary not
    assert code == "AccessDenied"
    assert message.endswith("because no permissions boundary allows the iam:ListUsers action")
    # the boundary alone grants nothing: a user whose identity policies allow nothing stays refused
    bare = principals.user("bare")
    iam.put_user_permissions_boundary(UserName="bare", PermissionsBoundary=S3_READ)
    code, message = _refused(lambda: boot("s3", bare).list_buckets())
    assert code == "AccessDenied"
    assert message.endswith("because no identity-based policy allows the s3:ListAllMyBuckets action")
    # SimulatePrincipalPolicy includes the boundary (EvaluationResult.PermissionsBoundaryDecisionDetail)
    [sim] = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/bounded", ActionNames=["iam:ListUsers"]
    )["EvaluationResults"]
    assert sim["EvalDecision"] == "implicitDeny"
    assert sim["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}
    iam.delete_user_permissions_boundary(UserName="bounded")
    assert "PermissionsBoundary" not in iam.get_user(UserName="bounded")["User"]
    boot("iam", creds).list_users()  # boundary removed: the identity policy alone decides


def test_a_roles_permissions_boundary_applies_to_its_sessions(boot, principals):
    trust = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "sts:AssumeRole",
    }
    role = principals.role("bounded-role", ALL, trust=trust)
    boot("iam").put_role_permissions_boundary(RoleName="bounded-role", PermissionsBoundary=IAM_READ)
    session = principals.session(role, name="ss")
    boot("iam", session).list_roles()
    code, message = _refused(lambda: boot("s3", session).list_buckets())
    assert code == "AccessDenied"
    assert message.endswith("because no permissions boundary allows the s3:ListAllMyBuckets action")
    # an explicit deny in the boundary is an explicit deny
    deny = boot("iam").create_policy(
        PolicyName="deny-list-roles",
        PolicyDocument=doc(
            {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:ListRoles", "Resource": "*"},
        ),
    )["Policy"]["Arn"]
    try:
        boot("iam").put_role_permissions_boundary(RoleName="bounded-role", PermissionsBoundary=deny)
        code, message = _refused(lambda: boot("iam", session).list_roles())
        assert message.endswith("with an explicit deny in a permissions boundary")
        boot("iam", session).list_users()
    finally:
        boot("iam").delete_role_permissions_boundary(RoleName="bounded-role")
        boot("iam").delete_policy(PolicyArn=deny)


def test_session_policies_intersect_with_the_roles_policies(boot, principals):
    trust = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "sts:AssumeRole",
    }
    role = principals.role("sessioned", ALL, trust=trust)
    sts = boot("sts")

    def session(**kw) -> dict:
        c = sts.assume_role(RoleArn=role, RoleSessionName="ss", **kw)["Credentials"]
        return {
            "aws_access_key_id": c["AccessKeyId"],
            "aws_secret_access_key": c["SecretAccessKey"],
            "aws_session_token": c["SessionToken"],
        }

    # Policy (inline session policy): only S3 reads are left of the role's s3:* iam:* ...
    inline = session(Policy=doc({"Effect": "Allow", "Action": "s3:List*", "Resource": "*"}))
    boot("s3", inline).list_buckets()
    code, message = _refused(lambda: boot("iam", inline).list_users())
    assert message.endswith("because no session policy allows the iam:ListUsers action")
    # the session policy cannot widen the role: ec2 is in neither... and the role's own gap stays
    wide = session(Policy=doc({"Effect": "Allow", "Action": "*", "Resource": "*"}))
    code, message = _refused(lambda: boot("ec2", wide).describe_vpcs())
    assert message.endswith("because no identity-based policy allows the ec2:DescribeVpcs action")
    # PolicyArns (managed session policies)
    managed = session(PolicyArns=[{"arn": IAM_READ}])
    boot("iam", managed).list_users()
    code, message = _refused(lambda: boot("s3", managed).list_buckets())
    assert message.endswith("because no session policy allows the s3:ListAllMyBuckets action")
    # an explicit deny in a session policy
    denying = session(
        Policy=doc(
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*"},
        )
    )
    code, message = _refused(lambda: boot("iam", denying).list_users())
    assert message.endswith("with an explicit deny in a session policy")
    # no session policy at all: the role's policies alone
    boot("iam", session()).list_users()


def test_source_ip_conditions_see_the_loopback_address(boot, principals):
    """aws:SourceIp is set on every request; the embedded AWS is reached over loopback."""
    creds = principals.user(
        "from-here",
        {
            "Effect": "Allow",
            "Action": "s3:ListAllMyBuckets",
            "Resource": "*",
            "Condition": {"IpAddress": {"aws:SourceIp": ["127.0.0.0/8", "::1/128"]}},
        },
        {
            "Effect": "Deny",
            "Action": "iam:*",
            "Resource": "*",
            "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        },
        {
            "Effect": "Allow",
            "Action": ["iam:*", "sagemaker:ListModels"],
            "Resource": "*",
        },
        {
            "Effect": "Deny",
            "Action": "sagemaker:ListModels",
            "Resource": "*",
            "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        },
    )
    boot("s3", creds).list_buckets()
    boot("sagemaker", creds).list_models()  # the deny names another network
    code, message = _refused(lambda: boot("iam", creds).list_users())
    assert code == "AccessDenied" and message.endswith("with an explicit deny in an identity-based policy")


def test_sagemaker_refuses_a_role_it_cannot_assume_before_creating_anything(boot, principals):
    """CreateTrainingJob / CreateModel / CreateHyperParameterTuningJob / CreateTransformJob with a role
    that does not exist or does not trust sagemaker.amazonaws.com: AWS's ValidationException "Could not
    assume role <arn>. Please ensure that the role exists and allows principal
    'sagemaker.amazonaws.com' to assume the role." (e.g. awslabs/predictive-maintenance-using-machine-
    learning issue 3, CreateTransformJob), after IAM allowed the call and the PassRole."""
    missing = f"arn:aws:iam::{ACCOUNT}:role/no-such-role"
    untrusting = principals.role(
        "lambda-only",
        trust={
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        },
    )
    good = principals.role("sm-ok")
    creds = principals.user(
        "runner",
        {"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
    )
    sm, boot_sm = boot("sagemaker", creds), boot("sagemaker")

    def expect_refused(call, role: str) -> None:
        code, message = _refused(call)
        assert code == "ValidationException"
        assert message == (
            f"Could not assume role {role}. Please ensure that the role exists and allows principal "
            "'sagemaker.amazonaws.com' to assume the role."
        )

    job = {
        "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
        "OutputDataConfig": {"S3OutputPath": "s3://b/out"},
        "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 5},
        "StoppingCondition": {"MaxRuntimeInSeconds": 60},
    }
    for role in (missing, untrusting):
        expect_refused(
            lambda role=role: sm.create_training_job(TrainingJobName="t", RoleArn=role, **job), role
        )
        expect_refused(
            lambda role=role: sm.create_model(
                ModelName="m", ExecutionRoleArn=role, PrimaryContainer={"Image": IMAGE}
            ),
            role,
        )
        expect_refused(
            lambda role=role: sm.create_hyper_parameter_tuning_job(
                HyperParameterTuningJobName="h",
                HyperParameterTuningJobConfig={
                    "Strategy": "Random",
                    "ResourceLimits": {"MaxNumberOfTrainingJobs": 1, "MaxParallelTrainingJobs": 1},
                },
                TrainingJobDefinition={**job, "RoleArn": role},
            ),
            role,
        )
    # a transform job runs under its model's role: a model made (by the kit's bootstrap) with a role
    # that no longer trusts SageMaker
    boot_sm.create_model(ModelName="stale", ExecutionRoleArn=untrusting, PrimaryContainer={"Image": IMAGE})
    try:
        expect_refused(
            lambda: sm.create_transform_job(
                TransformJobName="bt",
                ModelName="stale",
                TransformInput={
                    "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/x/"}}
                },
                TransformOutput={"S3OutputPath": "s3://b/y"},
                TransformResources={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
            ),
            untrusting,
        )
        assert boot_sm.list_training_jobs()["TrainingJobSummaries"] == []
        assert boot_sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"] == []
        assert boot_sm.list_transform_jobs()["TransformJobSummaries"] == []
        assert [m["ModelName"] for m in boot_sm.list_models()["Models"]] == ["stale"]
        # a role that trusts SageMaker passes this check
        sm.create_model(ModelName="fine", ExecutionRoleArn=good, PrimaryContainer={"Image": IMAGE})
        sm.delete_model(ModelName="fine")
    finally:
        boot_sm.delete_model(ModelName="stale")
    assert boot_sm.list_models()["Models"] == []


def test_tags_given_at_creation_need_add_tags_for_that_create_call(boot, principals):
    """Tags in a SageMaker Create* call are authorised as sagemaker:AddTags with sagemaker:TaggingAction
    = the creating operation (Service Authorization Reference, Amazon SageMaker AI, condition key
    sagemaker:TaggingAction); the Students group allows AddTags only that way (no re-tagging)."""
    allow_create = {
        "Effect": "Allow",
        "Action": ["sagemaker:CreateModel", "sagemaker:DeleteModel"],
        "Resource": "*",
    }
    pass_role = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
    tag_on_create = {
        "Effect": "Allow",
        "Action": "sagemaker:AddTags",
        "Resource": "*",
        "Condition": {
            "StringEquals": {"sagemaker:TaggingAction": "CreateModel", "aws:RequestTag/classroom": "c1"}
        },
    }
    role = principals.role("tagged-models")
    creds = principals.user("tagger", allow_create, pass_role)
    sm = boot("sagemaker", creds)
    model = {"ExecutionRoleArn": role, "PrimaryContainer": {"Image": IMAGE}}
    sm.create_model(ModelName="plain", **model)  # no tags: no AddTags needed
    code, message = _refused(
        lambda: sm.create_model(ModelName="tagged", Tags=[{"Key": "classroom", "Value": "c1"}], **model)
    )
    assert code == "AccessDeniedException"
    assert message.endswith("because no identity-based policy allows the sagemaker:AddTags action")
    boot("iam").put_user_policy(
        UserName="tagger", PolicyName="inline", PolicyDocument=doc(allow_create, pass_role, tag_on_create)
    )
    sm.create_model(ModelName="tagged", Tags=[{"Key": "classroom", "Value": "c1"}], **model)
    # ... but not AddTags on an existing resource, and not another tag value at creation
    code, _ = _refused(
        lambda: sm.add_tags(
            ResourceArn=f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model/plain",
            Tags=[{"Key": "classroom", "Value": "c1"}],
        )
    )
    assert code == "AccessDeniedException"
    code, _ = _refused(
        lambda: sm.create_model(ModelName="other", Tags=[{"Key": "classroom", "Value": "c2"}], **model)
    )
    assert code == "AccessDeniedException"
    for name in ("plain", "tagged"):
        sm.delete_model(ModelName=name)
    assert boot("sagemaker").list_models()["Models"] == []
