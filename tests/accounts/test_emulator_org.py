"""The embedded AWS as a class of accounts needs it: Organizations, AssumeRole into member accounts with
each account's resources apart, service control policies that deny, and the kit's account pool.

Against the emulator process (real boto3 calls); each test resets the emulator afterwards.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from provision.accounts import org as org_mod
from provision.accounts import state
from testkit import aws

REGION = "us-east-1"
MANAGEMENT = "123456789012"
ROLE = "OrganizationAccountAccessRole"

# What terraform/modules/org-class renders for the "limits" SCP (regions + training/hosting types),
# cut down to what the tests below exercise; test_class_of_accounts.py checks the module's own.
LIMITS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyOutsideAllowedRegions",
            "Effect": "Deny",
            "NotAction": ["iam:*", "sts:*", "organizations:*"],
            "Resource": "*",
            "Condition": {
                "StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]},
                "ArnNotLike": {"aws:PrincipalArn": [f"arn:aws:iam::*:role/{ROLE}"]},
            },
        },
        {
            "Sid": "DenyHostingTypesOutsideAllowlist",
            "Effect": "Deny",
            "Action": ["sagemaker:CreateEndpointConfig", "sagemaker:CreateTransformJob"],
            "Resource": "*",
            "Condition": {
                "ForAnyValue:StringNotLike": {"sagemaker:InstanceTypes": ["ml.m4.xlarge", "ml.m5.xlarge"]}
            },
        },
    ],
}
PROTECT = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyLeavingTheOrganization",
            "Effect": "Deny",
            "Action": "organizations:LeaveOrganization",
            "Resource": "*",
        }
    ],
}


@pytest.fixture
def mgmt(emulator):
    """``mgmt("s3")``: a client of the management account; the emulator is reset afterwards."""
    yield aws.clients(emulator.url, attempts=1)
    aws.reset(emulator.url)


def _session(emulator, account_id: str, role: str = ROLE) -> boto3.session.Session:
    return aws.assumed(emulator.url, f"arn:aws:iam::{account_id}:role/{role}", REGION)


def _new_account(orgs, name: str) -> str:
    # botocore model: CreateAccount takes IamUserAccessToBilling (ALLOW|DENY) and RoleName
    st = orgs.create_account(
        AccountName=name, Email=f"{name}@school.example", RoleName=ROLE, IamUserAccessToBilling="ALLOW"
    )["CreateAccountStatus"]
    st = orgs.describe_create_account_status(CreateAccountRequestId=st["Id"])["CreateAccountStatus"]
    assert st["State"] == "SUCCEEDED"
    return st["AccountId"]


def test_assumed_role_acts_in_the_member_account_and_accounts_are_apart(emulator, mgmt):
    orgs = mgmt("organizations")
    orgs.create_organization(FeatureSet="ALL")
    a, b = _new_account(orgs, "class-a"), _new_account(orgs, "class-b")
    sa, sb = _session(emulator, a), _session(emulator, b)
    assert sa.client("sts", endpoint_url=emulator.url).get_caller_identity()["Account"] == a
    assert sb.client("sts", endpoint_url=emulator.url).get_caller_identity()["Account"] == b

    sa.client("s3", endpoint_url=emulator.url).create_bucket(Bucket="only-in-a")
    sa.client("iam", endpoint_url=emulator.url).create_user(UserName="alice")
    try:
        assert [x["Name"] for x in sa.client("s3", endpoint_url=emulator.url).list_buckets()["Buckets"]] == [
            "only-in-a"
        ]
        assert sb.client("s3", endpoint_url=emulator.url).list_buckets()["Buckets"] == []
        assert mgmt("s3").list_buckets()["Buckets"] == []
        assert [
            u["UserName"] for u in sb.client("iam", endpoint_url=emulator.url).list_users()["Users"]
        ] == []
        # the member sees its organization; the access role exists in the member and trusts the management
        org = sa.client("organizations", endpoint_url=emulator.url).describe_organization()["Organization"]
        assert org["MasterAccountId"] == MANAGEMENT
        role = sa.client("iam", endpoint_url=emulator.url).get_role(RoleName=ROLE)["Role"]
        assert f"arn:aws:iam::{MANAGEMENT}:root" in json.dumps(role["AssumeRolePolicyDocument"])
        # ... with full administrative permissions, as AWS makes it (moto attaches nothing)
        attached = sa.client("iam", endpoint_url=emulator.url).list_attached_role_policies(RoleName=ROLE)
        assert [p["PolicyName"] for p in attached["AttachedPolicies"]] == ["AdministratorAccess"]
    finally:
        sa.client("s3", endpoint_url=emulator.url).delete_bucket(Bucket="only-in-a")
        sa.client("iam", endpoint_url=emulator.url).delete_user(UserName="alice")
    assert sa.client("s3", endpoint_url=emulator.url).list_buckets()["Buckets"] == []


def _ou_with_scps(orgs, root: str) -> str:
    ou = orgs.create_organizational_unit(ParentId=root, Name="classroom-t")["OrganizationalUnit"]["Id"]
    for name, doc in (("t-limits", LIMITS), ("t-protect", PROTECT)):
        pid = orgs.create_policy(
            Name=name, Description=name, Type="SERVICE_CONTROL_POLICY", Content=json.dumps(doc)
        )["Policy"]["PolicySummary"]["Id"]
        orgs.attach_policy(PolicyId=pid, TargetId=ou)
    return ou


IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def _model(sm, account: str) -> None:
    sm.create_model(
        ModelName="m",
        PrimaryContainer={"Image": IMAGE},
        ExecutionRoleArn=f"arn:aws:iam::{account}:role/execution",
    )


def _endpoint_config(sm, name: str, instance_type: str) -> None:
    sm.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[
            {"VariantName": "v", "ModelName": "m", "InstanceType": instance_type, "InitialInstanceCount": 1}
        ],
    )


def test_scps_deny_in_member_accounts_only(emulator, mgmt):
    orgs = mgmt("organizations")
    orgs.create_organization(FeatureSet="ALL")
    root = orgs.list_roots()["Roots"][0]["Id"]
    member = _new_account(orgs, "class-scp")
    ou = _ou_with_scps(orgs, root)
    orgs.move_account(AccountId=member, SourceParentId=root, DestinationParentId=ou)
    sm = _session(emulator, member).client("sagemaker", endpoint_url=emulator.url)
    # SageMaker refuses a model whose role it cannot assume (ValidationException): the member's own
    member_iam = _session(emulator, member).client("iam", endpoint_url=emulator.url)
    trust = {
        "Effect": "Allow",
        "Principal": {"Service": "sagemaker.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    member_iam.create_role(
        RoleName="execution",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [trust]}),
    )
    _model(sm, member)
    _model(mgmt("sagemaker"), MANAGEMENT)

    # SCPs apply only once their policy type is enabled on the root (AWS refuses to attach before;
    # moto attaches anyway): not enabled -> not enforced
    _endpoint_config(sm, "before-enabled", "ml.p3.2xlarge")
    sm.delete_endpoint_config(EndpointConfigName="before-enabled")
    orgs.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")

    with pytest.raises(ClientError) as denied:
        _endpoint_config(sm, "gpu", "ml.p3.2xlarge")
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "explicit deny in a service control policy" in denied.value.response["Error"]["Message"]
    _endpoint_config(sm, "allowed", "ml.m5.xlarge")  # on the allowlist
    # the management account is never restricted by SCPs
    _endpoint_config(mgmt("sagemaker"), "mgmt-gpu", "ml.p3.2xlarge")

    # regions: a member's user is denied outside us-east-1, the access role is exempt
    iam = _session(emulator, member).client("iam", endpoint_url=emulator.url)
    iam.create_user(UserName="student")
    # identity policies allow everything: only the SCP limits the student
    iam.attach_user_policy(UserName="student", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    key = iam.create_access_key(UserName="student")["AccessKey"]
    student = boto3.session.Session(
        aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    with pytest.raises(ClientError) as region_denied:
        student.client("sagemaker", region_name="eu-west-1", endpoint_url=emulator.url).list_endpoints()
    assert region_denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "explicit deny in a service control policy" in region_denied.value.response["Error"]["Message"]
    assert student.client("sagemaker", region_name=REGION, endpoint_url=emulator.url).list_endpoints()
    _session(emulator, member).client(
        "sagemaker", region_name="eu-west-1", endpoint_url=emulator.url
    ).list_endpoints()

    # no leaving the organization
    with pytest.raises(ClientError) as leave:
        _session(emulator, member).client("organizations", endpoint_url=emulator.url).leave_organization()
    assert leave.value.response["Error"]["Code"] == "AccessDeniedException"

    sm.delete_endpoint_config(EndpointConfigName="allowed")
    mgmt("sagemaker").delete_endpoint_config(EndpointConfigName="mgmt-gpu")
    sm.delete_model(ModelName="m")
    mgmt("sagemaker").delete_model(ModelName="m")
    iam.detach_user_policy(UserName="student", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.delete_access_key(UserName="student", AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName="student")
    member_iam.delete_role(RoleName="execution")
    assert sm.list_endpoint_configs()["EndpointConfigs"] == []


def test_non_empty_ou_cannot_be_deleted(emulator, mgmt):
    orgs = mgmt("organizations")
    orgs.create_organization(FeatureSet="ALL")
    root = orgs.list_roots()["Roots"][0]["Id"]
    ou = orgs.create_organizational_unit(ParentId=root, Name="x")["OrganizationalUnit"]["Id"]
    acct = _new_account(orgs, "class-ou")
    orgs.move_account(AccountId=acct, SourceParentId=root, DestinationParentId=ou)
    # botocore model: DeleteOrganizationalUnit -> OrganizationalUnitNotEmptyException
    with pytest.raises(ClientError) as err:
        orgs.delete_organizational_unit(OrganizationalUnitId=ou)
    assert err.value.response["Error"]["Code"] == "OrganizationalUnitNotEmptyException"
    orgs.move_account(AccountId=acct, SourceParentId=ou, DestinationParentId=root)
    orgs.delete_organizational_unit(OrganizationalUnitId=ou)
    assert orgs.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"] == []


def test_pool_reuses_cleaned_accounts_before_creating_new_ones(emulator, mgmt):
    orgs = mgmt("organizations")
    org = org_mod.check_management(orgs, MANAGEMENT, "local")  # creates the organization on the emulator
    org_mod.ensure_scp_enabled(org, "local")
    cleaned = org_mod.ensure_ou(org, "classroom-cleaned")
    assert org_mod.ensure_ou(org, "classroom-cleaned") == cleaned  # found, not created twice
    class_ou = orgs.create_organizational_unit(ParentId=org.root_id, Name="classroom-c1")[
        "OrganizationalUnit"
    ]["Id"]
    kw = {"class_name": "c1", "role": ROLE, "class_ou": class_ou, "cleaned_ou": cleaned, "poll_s": 0.01}
    a, how = org_mod.allocate(
        org, member="alice", account_name="c1-alice", email="a@school.example", recorded=None, **kw
    )
    assert how == "created" and org_mod.parent_of(org, a) == class_ou
    assert org_mod.tags_of(org, a)["classroom-member"] == "alice"
    assert org_mod.allocate(
        org, member="alice", account_name="c1-alice", email="a@school.example", recorded=a, **kw
    ) == (a, "recorded")

    assert org_mod.release(org, a, cleaned, close=False) == "returned to the cleaned OU"
    assert org_mod.parent_of(org, a) == cleaned and "classroom" not in org_mod.tags_of(org, a)
    n_accounts = len(orgs.list_accounts()["Accounts"])
    b, how = org_mod.allocate(
        org, member="bob", account_name="c1-bob", email="b@school.example", recorded=None, **kw
    )
    assert (b, how) == (a, "pool")  # reused, nothing created
    assert len(orgs.list_accounts()["Accounts"]) == n_accounts

    # a closed account is never taken from the pool again
    assert org_mod.release(org, b, cleaned, close=True) == "closed"
    assert orgs.describe_account(AccountId=b)["Account"]["Status"] == "SUSPENDED"
    c, how = org_mod.allocate(
        org, member="carol", account_name="c1-carol", email="c@school.example", recorded=None, **kw
    )
    assert how == "created" and c != b
    # the access role of a new account is assumable from the management account
    assert state.role_arn(c, ROLE) == f"arn:aws:iam::{c}:role/{ROLE}"
    s = _session(emulator, c)
    assert s.client("sts", endpoint_url=emulator.url).get_caller_identity()["Account"] == c
    org_mod.release(org, c, cleaned, close=False)
    assert org_mod.accounts_in(org, class_ou) == []


def test_member_credentials_renew_before_they_expire(emulator, mgmt, aws_env):
    """An assumed role's credentials last DurationSeconds (1 hour): with a clock moved 50 minutes on,
    10 minutes are left (botocore renews with 15 left, must with 10), so the next request assumes the
    role again and goes on with the new credentials — a long teardown or training never signs
    with expired ones (botocore/credentials.py RefreshableCredentials)."""
    import datetime as dt

    orgs = mgmt("organizations")
    orgs.create_organization(FeatureSet="ALL")
    acct = _new_account(orgs, "class-refresh")
    now = [dt.datetime.now(dt.UTC)]
    creds = state.member_credentials(acct, ROLE, REGION, clock=lambda: now[0])
    first, first_expiry = creds.get_frozen_credentials(), creds._expiry_time
    assert creds.get_frozen_credentials().access_key == first.access_key  # 1 hour left: kept
    now[0] += dt.timedelta(minutes=50)
    renewed = creds.get_frozen_credentials()
    assert renewed.access_key != first.access_key and renewed.token != first.token
    assert creds._expiry_time > first_expiry  # a new hour, from the emulator's (real) clock
    now[0] = dt.datetime.now(dt.UTC)  # back to the emulator's time: the new ones have an hour left
    s = state.session_with(creds, REGION)
    assert s.client("sts").get_caller_identity()["Account"] == acct
    assert s.get_credentials().get_frozen_credentials().access_key == renewed.access_key


def test_pool_sweep_empties_the_account_but_leaves_another_class_alone(emulator, mgmt, aws_env, tmp_path):
    """An account taken from the pool is swept as the class's own: an untagged endpoint (with its config
    and model) and an untagged bucket go; a bucket tagged for another class stays (never the class's)."""
    from provision import settings as settings_mod
    from provision.accounts.down import sweep_pool_account

    orgs = mgmt("organizations")
    orgs.create_organization(FeatureSet="ALL")
    acct = _new_account(orgs, "class-pool")
    s = _session(emulator, acct)
    s3, sm = s.client("s3", endpoint_url=emulator.url), s.client("sagemaker", endpoint_url=emulator.url)
    s3.create_bucket(Bucket="stray-data")
    s3.put_object(Bucket="stray-data", Key="a.csv", Body=b"1")
    s3.create_bucket(Bucket="other-class-data")
    s3.put_bucket_tagging(
        Bucket="other-class-data", Tagging={"TagSet": [{"Key": "classroom", "Value": "other"}]}
    )
    sm.create_model(ModelName="m", PrimaryContainer={"Image": "x"})
    sm.create_endpoint_config(
        EndpointConfigName="c",
        ProductionVariants=[
            {"VariantName": "v", "ModelName": "m", "InstanceType": "ml.m5.xlarge", "InitialInstanceCount": 1}
        ],
    )
    sm.create_endpoint(EndpointName="e", EndpointConfigName="c")
    (tmp_path / "roster.csv").write_text("user_name,email\nana,a@x.org\n")
    (tmp_path / "classroom.toml").write_text(
        '[class]\nname = "c1"\ntarget = "local"\naccounts = "per-student"\n'
        '[accounts]\nemail = "aws+{account}@school.example"\n'
    )
    settings = settings_mod.load(tmp_path / "classroom.toml")
    lines: list[str] = []
    swept = sweep_pool_account(
        settings, None, "ana", acct, state.member_session(acct, ROLE, REGION), lines.append
    )
    assert swept["deleted"] == 4, "\n".join(lines)  # endpoint, config, model, bucket
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["other-class-data"]
    assert sm.list_endpoints()["Endpoints"] == [] and sm.list_models()["Models"] == []
    s3.delete_bucket(Bucket="other-class-data")
