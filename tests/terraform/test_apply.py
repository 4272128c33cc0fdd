"""The whole classroom root applied to the embedded AWS with a 3-student roster, checked with boto3,
re-planned (must be a no-op), destroyed, and checked that nothing is left."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path

import pytest
from tfhelpers import REPO_TERRAFORM

from provision import handout, preflight, settings
from provision.tfrunner import Provider, Workspace

pytestmark = pytest.mark.terraform

STAMP = "20260101-0900"
ACCOUNT = "123456789012"
ROSTER = """user_name,email,display_name
ada,ada@example.org,Ada Lovelace
grace,grace@example.org,
alan,alan@example.org,Alan Turing
"""
STUDENTS = {"ada", "grace", "alan"}
MODELS, SHARE = f"sm-models-{STAMP}", f"public-share-{STAMP}"
ALIAS = f"ml-class-{STAMP}"
ROLE = "ml-class-sagemaker-execution"
GUARDRAIL = "ml-class-instance-type-guardrail"
TAGS = {"classroom": "ml-class", "managed-by": "classroom-kit"}


def _tags(items: list[dict]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in items}


def _class_settings(tmp_path: Path) -> settings.Settings:
    (tmp_path / "roster.csv").write_text(ROSTER)
    (tmp_path / "classroom.toml").write_text(
        '[class]\nroster = "roster.csv"\n'
        "[admin]\ncreate_access_key = true\n"
        "[buckets]\nnoncurrent_version_days = 30\n"  # the opt-in lifecycle rule
        '[budget]\nemail = "teacher@example.org"\n'
    )
    return settings.load(tmp_path / "classroom.toml")


def _workspace(tmp_path: Path, st: settings.Settings, url: str) -> Workspace:
    # the runner references the module by a relative path from the working directory (an absolute
    # one makes Terraform treat it as a package, and ../modules/* would "escape" it)
    return Workspace.prepare(
        tmp_path / "tf",
        st.class_name,
        Provider("local", st.region, st.tags, url),
        st.terraform_variables(STAMP),
        module_source=REPO_TERRAFORM / "classroom",
        stream=False,
    )


def _check_admin(iam, out: dict) -> None:
    group = iam.get_group(GroupName="Administrators")
    assert [u["UserName"] for u in group["Users"]] == ["administrator"]
    attached = {
        p["PolicyArn"]
        for p in iam.list_attached_group_policies(GroupName="Administrators")["AttachedPolicies"]
    }
    assert attached == {
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::aws:policy/job-function/Billing",
        "arn:aws:iam::aws:policy/IAMUserChangePassword",
    }
    assert iam.get_login_profile(UserName="administrator")["LoginProfile"]["UserName"] == "administrator"
    keys = iam.list_access_keys(UserName="administrator")["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [out["admin"]["access_key_id"]]
    assert _tags(iam.list_user_tags(UserName="administrator")["Tags"]) == TAGS
    assert iam.list_account_aliases()["AccountAliases"] == [ALIAS]
    assert out["sign_in_url"] == f"https://{ALIAS}.signin.aws.amazon.com/console"
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 14 and policy["AllowUsersToChangePassword"] is True
    assert all(
        policy[k]
        for k in (
            "RequireSymbols",
            "RequireNumbers",
            "RequireUppercaseCharacters",
            "RequireLowercaseCharacters",
        )
    )
    assert policy["MaxPasswordAge"] == 90 and policy["PasswordReusePrevention"] == 24


def _check_buckets(s3, out: dict) -> None:
    names = (out["models_bucket"], out["share_bucket"], out["share_public_prefix"])
    assert names == (MODELS, SHARE, "share/")
    for bucket in (MODELS, SHARE):
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        sse = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        assert sse["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
        assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
        rule = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]
        assert rule["Status"] == "Enabled" and rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
        assert rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 7
        assert _tags(s3.get_bucket_tagging(Bucket=bucket)["TagSet"]) == TAGS
    private = s3.get_public_access_block(Bucket=MODELS)["PublicAccessBlockConfiguration"]
    assert private == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    public = s3.get_public_access_block(Bucket=SHARE)["PublicAccessBlockConfiguration"]
    assert public == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False,
    }
    statements = json.loads(s3.get_bucket_policy(Bucket=SHARE)["Policy"])["Statement"]
    assert len(statements) == 1
    st = statements[0]
    assert (st["Effect"], st["Principal"], st["Action"]) == ("Allow", "*", "s3:GetObject")
    assert st["Resource"] == f"arn:aws:s3:::{SHARE}/share/*"
    with pytest.raises(s3.exceptions.ClientError):
        s3.get_bucket_policy(Bucket=MODELS)


def _check_role_and_guardrail(iam, out: dict) -> None:
    role = iam.get_role(RoleName=ROLE)["Role"]
    assert out["execution_role_arn"] == role["Arn"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "sagemaker.amazonaws.com"}]
    assert _tags(iam.list_role_tags(RoleName=ROLE)["Tags"]) == TAGS
    doc = iam.get_role_policy(RoleName=ROLE, PolicyName="classroom-least-privilege")["PolicyDocument"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    actions = [
        a for s in doc["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    ]
    assert "sagemaker:CreateTrainingJob" in actions and not [a for a in actions if a.endswith(":*")]
    attached = [p["PolicyName"] for p in iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]]
    assert attached == [GUARDRAIL]
    assert "AmazonSageMakerFullAccess" not in attached
    # SageMaker SDK v3 refuses a training role unless SimulatePrincipalPolicy allows these
    # (its role check; the embedded AWS evaluates the role's real policies)
    from sagemaker.core.helper.iam_role_resolver import _get_smoke_test_actions

    gate = _get_smoke_test_actions("training")
    results = iam.simulate_principal_policy(PolicySourceArn=role["Arn"], ActionNames=gate)[
        "EvaluationResults"
    ]
    assert {r["EvalActionName"]: r["EvalDecision"] for r in results} == dict.fromkeys(gate, "allowed")

    arn = out["guardrail_policy_arn"]
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    doc = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    training = by_sid["DenyTrainingTypesOutsideAllowlist"]
    assert training["Effect"] == "Deny"
    assert sorted(training["Condition"]["ForAnyValue:StringNotLike"]["sagemaker:InstanceTypes"]) == [
        "ml.m4.xlarge",
        "ml.m5.xlarge",
    ]
    # not on the instructor by default
    assert iam.list_attached_group_policies(GroupName="Administrators")[
        "AttachedPolicies"
    ] and GUARDRAIL not in [
        p["PolicyName"]
        for p in iam.list_attached_group_policies(GroupName="Administrators")["AttachedPolicies"]
    ]


def _check_sdk_default_bucket(iam, s3, out: dict) -> None:
    """A Studio notebook's Session().default_bucket() runs under the execution role: the role may find,
    create and use sagemaker-<region>-<account> and no other bucket; exercised with the role's own
    credentials (STS AssumeRole), as far as the embedded AWS enforces permissions today."""
    import boto3

    bucket = f"sagemaker-us-east-1-{ACCOUNT}"
    role = out["execution_role_arn"]
    need = ["s3:CreateBucket", "s3:ListBucket", "s3:GetBucketLocation"]
    ok = iam.simulate_principal_policy(
        PolicySourceArn=role, ActionNames=need, ResourceArns=[f"arn:aws:s3:::{bucket}"]
    )["EvaluationResults"]
    assert {r["EvalActionName"]: r["EvalDecision"] for r in ok} == dict.fromkeys(need, "allowed")
    other = iam.simulate_principal_policy(
        PolicySourceArn=role,
        ActionNames=["s3:CreateBucket"],
        ResourceArns=["arn:aws:s3:::someone-elses-bucket"],
    )
    assert other["EvaluationResults"][0]["EvalDecision"] != "allowed"
    creds = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=role, RoleSessionName="studio-notebook"
    )["Credentials"]

    class ToTheEmulator(boto3.Session):
        """The SDK names STS's public regional endpoint explicitly (session_helper
        generate_default_sagemaker_bucket_name: endpoint_url=sts_regional_endpoint(region)), which
        would bypass AWS_ENDPOINT_URL: route it to the embedded AWS like every other call."""

        def client(self, service_name, *args, **kwargs):
            if service_name == "sts":
                kwargs.pop("endpoint_url", None)
            return super().client(service_name, *args, **kwargs)

    as_role = ToTheEmulator(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )
    from sagemaker.core.helper.session_helper import Session

    assert Session(boto_session=as_role).default_bucket() == bucket
    try:
        assert bucket in {b["Name"] for b in s3.list_buckets()["Buckets"]}
        as_role.client("s3").put_object(Bucket=bucket, Key="notebook/data.csv", Body=b"1,2\n")
    finally:
        s3.delete_object(Bucket=bucket, Key="notebook/data.csv")
        s3.delete_bucket(Bucket=bucket)


def _check_students(iam, out: dict) -> None:
    group = iam.get_group(GroupName="Students")
    assert {u["UserName"] for u in group["Users"]} == STUDENTS
    attached = {
        p["PolicyName"] for p in iam.list_attached_group_policies(GroupName="Students")["AttachedPolicies"]
    }
    assert attached == {"IAMUserChangePassword", GUARDRAIL}
    assert sorted(iam.list_group_policies(GroupName="Students")["PolicyNames"]) == [
        "lesson-access",
        "studio-access",
    ]
    lesson = iam.get_group_policy(GroupName="Students", PolicyName="lesson-access")["PolicyDocument"]
    lesson = {s["Sid"]: s for s in (json.loads(lesson) if isinstance(lesson, str) else lesson)["Statement"]}
    # the class's role only, to SageMaker only; creation only with the class's tag
    assert lesson["PassTheClasssRoleToSageMaker"]["Resource"] == out["execution_role_arn"]
    assert lesson["PassTheClasssRoleToSageMaker"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
    }
    for sid in ("CreateTrainingOnAllowedTypes", "CreateHostingOnAllowedTypes", "CreateModelsAndEndpoints"):
        assert lesson[sid]["Condition"]["StringEquals"] == {"aws:RequestTag/classroom": "ml-class"}
    assert lesson["ChangeOnlyTheClasssResources"]["Condition"] == {
        "StringEquals": {"aws:ResourceTag/classroom": "ml-class"}
    }
    assert lesson["ListOwnPrefixOfThePrivateBucket"]["Condition"]["StringLike"]["s3:prefix"] == [
        "${aws:username}/",
        "${aws:username}/*",
    ]
    doc = iam.get_group_policy(GroupName="Students", PolicyName="studio-access")["PolicyDocument"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    presign = next(s for s in doc["Statement"] if s["Sid"] == "OpenOwnStudioProfile")
    domain_id = out["studio_domain_id"]
    assert (
        presign["Resource"]
        == f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:user-profile/{domain_id}/${{aws:username}}"
    )
    for name in STUDENTS:
        assert iam.get_login_profile(UserName=name)["LoginProfile"]["UserName"] == name
        assert iam.list_access_keys(UserName=name)["AccessKeyMetadata"] == []
        tags = _tags(iam.list_user_tags(UserName=name)["Tags"])
        assert tags == {**TAGS, "email": f"{name}@example.org"}
    assert set(out["students"]) == STUDENTS
    assert out["students"]["ada"]["display_name"] == "Ada Lovelace"


def _check_studio(sm, out: dict) -> None:
    domain_id = out["studio_domain_id"]
    domain = sm.describe_domain(DomainId=domain_id)
    assert domain["DomainName"] == "ml-class" and domain["AuthMode"] == "IAM"
    settings_ = domain["DefaultUserSettings"]
    assert settings_["ExecutionRole"] == out["execution_role_arn"]
    idle = settings_["JupyterLabAppSettings"]["AppLifecycleManagement"]["IdleSettings"]
    assert idle["LifecycleManagement"] == "ENABLED" and idle["IdleTimeoutInMinutes"] == 60
    assert settings_["JupyterLabAppSettings"]["DefaultResourceSpec"]["InstanceType"] == "ml.t3.medium"
    assert _tags(sm.list_tags(ResourceArn=domain["DomainArn"])["Tags"]) == TAGS
    # what students create in Studio carries the domain's and profile's tags: teardown scopes by them
    assert domain["TagPropagation"] == "ENABLED"
    profiles = sm.list_user_profiles(DomainIdEquals=domain_id)["UserProfiles"]
    assert {p["UserProfileName"] for p in profiles} == STUDENTS | {"instructor"}
    ada = sm.describe_user_profile(DomainId=domain_id, UserProfileName="ada")
    assert ada["UserSettings"]["ExecutionRole"] == out["execution_role_arn"]
    assert _tags(sm.list_tags(ResourceArn=ada["UserProfileArn"])["Tags"])["classroom"] == TAGS["classroom"]


def _check_budget(budgets, out: dict) -> None:
    name = out["budget_name"]
    assert name == f"ml-class-{STAMP}" and out["budget_note"] is None
    budget = budgets.describe_budget(AccountId=ACCOUNT, BudgetName=name)["Budget"]
    assert budget["BudgetType"] == "COST" and budget["TimeUnit"] == "MONTHLY"
    assert float(budget["BudgetLimit"]["Amount"]) == 10.0 and budget["BudgetLimit"]["Unit"] == "USD"
    notes = budgets.describe_notifications_for_budget(AccountId=ACCOUNT, BudgetName=name)["Notifications"]
    assert sorted(n["Threshold"] for n in notes) == [1.0, 5.0, 10.0]
    for n in notes:
        assert (n["NotificationType"], n["ComparisonOperator"], n["ThresholdType"]) == (
            "ACTUAL",
            "GREATER_THAN",
            "ABSOLUTE_VALUE",
        )
        subs = budgets.describe_subscribers_for_notification(
            AccountId=ACCOUNT, BudgetName=name, Notification=n
        )["Subscribers"]
        assert subs == [{"SubscriptionType": "EMAIL", "Address": "teacher@example.org"}]


def _check_handouts(tmp_path: Path, out: dict, capsys) -> None:
    paths = handout.write_handouts(tmp_path / "class", out)
    expected = {"administrator.csv", "all-students.csv"} | {f"{n}.csv" for n in STUDENTS}
    assert {p.name for p in paths} == expected
    for p in paths:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
    admin = next(csv.DictReader((tmp_path / "class" / "handouts" / "administrator.csv").open()))
    assert admin["Password"] == out["admin_secrets"]["password"] and len(admin["Password"]) == 20
    assert admin["Access key ID"] == out["admin"]["access_key_id"] and admin["Secret access key"]
    assert admin["Console sign-in URL"] == out["sign_in_url"]
    ada = next(csv.DictReader((tmp_path / "class" / "handouts" / "ada.csv").open()))
    assert ada["Password"] == out["student_passwords"]["ada"] and ada["Studio user profile"] == "ada"
    printed = capsys.readouterr()
    for secret in [out["admin_secrets"]["password"], *out["student_passwords"].values()]:
        assert secret not in printed.out and secret not in printed.err


def _check_nothing_left(iam, s3, sm, budgets) -> None:
    assert iam.list_users()["Users"] == []
    assert iam.list_groups()["Groups"] == []
    assert [r["RoleName"] for r in iam.list_roles()["Roles"] if not r["Path"].startswith("/aws-")] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []
    assert iam.list_account_aliases()["AccountAliases"] == []
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_account_password_policy()
    assert s3.list_buckets()["Buckets"] == []
    assert sm.list_domains()["Domains"] == []
    assert budgets.describe_budgets(AccountId=ACCOUNT).get("Budgets", []) == []


def _knobs(url: str, **values) -> dict:
    import urllib.request

    request = urllib.request.Request(
        f"{url}/__classroom/knobs",
        data=json.dumps(values).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read())


def test_the_emulator_refuses_a_public_policy_right_after_the_block_is_relaxed(
    client, reset_emulator, emulator
):
    """The knob that models AWS's PutBucketPolicy race (emulator/account/s3_policy_race.py)."""
    import time

    from botocore.exceptions import ClientError

    s3 = client("s3")
    s3.create_bucket(Bucket="race-bucket")
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::race-bucket/*",
                }
            ],
        }
    )
    _knobs(emulator.url, s3_policy_refusal_s=1)
    try:
        s3.put_public_access_block(
            Bucket="race-bucket",
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": False,
                "RestrictPublicBuckets": False,
            },
        )
        with pytest.raises(ClientError, match="AccessDenied"):
            s3.put_bucket_policy(Bucket="race-bucket", Policy=policy)
        time.sleep(1.1)
        s3.put_bucket_policy(Bucket="race-bucket", Policy=policy)
    finally:
        _knobs(emulator.url, s3_policy_refusal_s=0)
    s3.delete_bucket_policy(Bucket="race-bucket")
    s3.delete_bucket(Bucket="race-bucket")


def test_classroom_apply_check_replan_destroy(emulator, client, reset_emulator, tmp_path, capsys):
    iam, s3, sm = client("iam"), client("s3"), client("sagemaker")
    budgets, s3control = client("budgets"), preflight.s3control_client("us-east-1")
    st = _class_settings(tmp_path)
    preflight.check_public_access_block(s3control, ACCOUNT)  # no account-level block: passes
    ws = _workspace(tmp_path, st, emulator.url)
    ws.init()
    # AWS can refuse PutBucketPolicy for a short while after the bucket's public access block is
    # relaxed; the emulator does so on demand (2 s here): the first apply must still succeed
    _knobs(emulator.url, s3_policy_refusal_s=2)
    try:
        ws.apply()
    finally:
        _knobs(emulator.url, s3_policy_refusal_s=0)
    assert "S3 refused the public bucket policy" in capsys.readouterr().err
    try:
        out = ws.outputs()
        _check_admin(iam, out)
        _check_buckets(s3, out)
        _check_role_and_guardrail(iam, out)
        _check_sdk_default_bucket(iam, s3, out)
        _check_students(iam, out)
        _check_studio(sm, out)
        _check_budget(budgets, out)
        _check_handouts(tmp_path, out, capsys)
        assert ws.plan_has_changes() is False, "a second apply would change something"
    finally:
        ws.destroy()
    _check_nothing_left(iam, s3, sm, budgets)
