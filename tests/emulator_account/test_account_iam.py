"""IAM on the embedded AWS refuses deletes AWS refuses, simulates policies, keeps PasswordResetRequired
and lists service-specific credentials (boto3 against the real process)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def _code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return exc.value.response["Error"]["Code"]


@pytest.fixture(scope="module")
def iam(account_clients):
    return account_clients("iam")


@pytest.fixture(autouse=True)
def _nothing_left(iam):
    yield
    assert iam.list_users()["Users"] == []
    assert iam.list_groups()["Groups"] == []
    assert iam.list_roles()["Roles"] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []


def _doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _refused(call, message_part: str) -> None:
    with pytest.raises(ClientError) as err:
        call()
    assert _code(err) == "DeleteConflict"
    assert message_part in err.value.response["Error"]["Message"]


def test_delete_user_refuses_until_everything_is_removed(iam):
    iam.create_user(UserName="teacher")
    iam.create_group(GroupName="admins")
    policy_arn = iam.create_policy(
        PolicyName="p", PolicyDocument=_doc({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"})
    )["Policy"]["Arn"]
    iam.create_login_profile(UserName="teacher", Password="Secret-123456!", PasswordResetRequired=True)
    key_id = iam.create_access_key(UserName="teacher")["AccessKey"]["AccessKeyId"]
    cred_id = iam.create_service_specific_credential(
        UserName="teacher", ServiceName="codecommit.amazonaws.com"
    )["ServiceSpecificCredential"]["ServiceSpecificCredentialId"]
    iam.add_user_to_group(UserName="teacher", GroupName="admins")
    iam.attach_user_policy(UserName="teacher", PolicyArn=policy_arn)
    iam.put_user_policy(
        UserName="teacher",
        PolicyName="inline",
        PolicyDocument=_doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}),
    )

    delete = lambda: iam.delete_user(UserName="teacher")  # noqa: E731
    _refused(delete, "login profile")
    iam.delete_login_profile(UserName="teacher")
    _refused(delete, "access keys")
    iam.delete_access_key(UserName="teacher", AccessKeyId=key_id)
    _refused(delete, "service specific credentials")
    iam.delete_service_specific_credential(UserName="teacher", ServiceSpecificCredentialId=cred_id)
    _refused(delete, "delete policies")
    iam.delete_user_policy(UserName="teacher", PolicyName="inline")
    _refused(delete, "detach all policies")
    iam.detach_user_policy(UserName="teacher", PolicyArn=policy_arn)
    _refused(delete, "groups")
    iam.remove_user_from_group(UserName="teacher", GroupName="admins")
    iam.delete_user(UserName="teacher")
    with pytest.raises(ClientError) as err:
        iam.get_user(UserName="teacher")
    assert _code(err) == "NoSuchEntity"
    iam.delete_group(GroupName="admins")
    iam.delete_policy(PolicyArn=policy_arn)


def test_delete_group_and_role_refuse_like_aws(iam):
    iam.create_group(GroupName="students")
    iam.create_user(UserName="s1")
    iam.add_user_to_group(UserName="s1", GroupName="students")
    iam.attach_group_policy(GroupName="students", PolicyArn=ADMIN)
    iam.put_group_policy(
        GroupName="students",
        PolicyName="inline",
        PolicyDocument=_doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
    )
    delete = lambda: iam.delete_group(GroupName="students")  # noqa: E731
    _refused(delete, "remove users from group")
    iam.remove_user_from_group(UserName="s1", GroupName="students")
    _refused(delete, "delete policies")
    iam.delete_group_policy(GroupName="students", PolicyName="inline")
    _refused(delete, "detach all policies")
    iam.detach_group_policy(GroupName="students", PolicyArn=ADMIN)
    iam.delete_group(GroupName="students")
    iam.delete_user(UserName="s1")

    trust = _doc(
        {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}
    )
    iam.create_role(RoleName="studio", AssumeRolePolicyDocument=trust)
    iam.attach_role_policy(RoleName="studio", PolicyArn=ADMIN)
    _refused(lambda: iam.delete_role(RoleName="studio"), "detach all policies")
    iam.detach_role_policy(RoleName="studio", PolicyArn=ADMIN)
    iam.delete_role(RoleName="studio")


def test_login_profile_keeps_password_reset_required(iam):
    iam.create_user(UserName="admin")
    iam.create_user(UserName="other")
    iam.create_login_profile(UserName="admin", Password="Secret-123456!", PasswordResetRequired=True)
    iam.create_login_profile(UserName="other", Password="Secret-123456!")
    assert iam.get_login_profile(UserName="admin")["LoginProfile"]["PasswordResetRequired"] is True
    assert iam.get_login_profile(UserName="other")["LoginProfile"]["PasswordResetRequired"] is False
    for name in ("admin", "other"):
        iam.delete_login_profile(UserName=name)
        iam.delete_user(UserName=name)


def test_simulate_principal_policy(iam):
    trust = _doc(
        {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}
    )
    role_arn = iam.create_role(RoleName="training", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.put_role_policy(
        RoleName="training",
        PolicyName="bucket",
        PolicyDocument=_doc(
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:GetObject"],
                "Resource": "arn:aws:s3:::lesson/*",
            },
            {"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}},
            },
        ),
    )
    res = iam.simulate_principal_policy(
        PolicySourceArn=role_arn,
        ActionNames=["s3:PutObject", "S3:getobject", "s3:DeleteObject"],
        ResourceArns=["arn:aws:s3:::lesson/model.tar.gz", "arn:aws:s3:::other/x"],
    )["EvaluationResults"]
    decisions = {(r["EvalActionName"], r["EvalResourceName"]): r["EvalDecision"] for r in res}
    assert decisions == {
        ("s3:PutObject", "arn:aws:s3:::lesson/model.tar.gz"): "allowed",
        ("s3:PutObject", "arn:aws:s3:::other/x"): "implicitDeny",
        ("S3:getobject", "arn:aws:s3:::lesson/model.tar.gz"): "allowed",  # actions are case-insensitive
        ("S3:getobject", "arn:aws:s3:::other/x"): "implicitDeny",
        ("s3:DeleteObject", "arn:aws:s3:::lesson/model.tar.gz"): "explicitDeny",
        ("s3:DeleteObject", "arn:aws:s3:::other/x"): "explicitDeny",
    }
    allowed = next(r for r in res if r["EvalDecision"] == "allowed")
    assert allowed["MatchedStatements"][0]["SourcePolicyId"] == "bucket"
    [cond] = iam.simulate_principal_policy(PolicySourceArn=role_arn, ActionNames=["s3:ListBucket"])[
        "EvaluationResults"
    ]
    assert cond["EvalDecision"] == "implicitDeny" and cond["MissingContextValues"] == ["aws:SourceVpc"]

    # a user gets the policies of its groups; AWS-managed policies count too; paging works
    iam.create_user(UserName="teacher")
    iam.create_group(GroupName="admins")
    iam.add_user_to_group(UserName="teacher", GroupName="admins")
    iam.attach_group_policy(GroupName="admins", PolicyArn=ADMIN)
    user_arn = iam.get_user(UserName="teacher")["User"]["Arn"]
    pages = list(
        iam.get_paginator("simulate_principal_policy").paginate(
            PolicySourceArn=user_arn,
            ActionNames=["sagemaker:CreateDomain", "budgets:ViewBudget", "iam:*"],
            PaginationConfig={"PageSize": 2},
        )
    )
    assert [len(p["EvaluationResults"]) for p in pages] == [2, 1]
    assert {r["EvalDecision"] for p in pages for r in p["EvaluationResults"]} == {"allowed"}
    assert pages[0]["EvaluationResults"][0]["MatchedStatements"][0]["SourcePolicyType"] == "aws-managed"

    with pytest.raises(ClientError) as err:
        iam.simulate_principal_policy(
            PolicySourceArn=role_arn.replace("training", "missing"), ActionNames=["s3:GetObject"]
        )
    assert _code(err) == "NoSuchEntity"
    with pytest.raises(ClientError) as err:
        iam.simulate_principal_policy(PolicySourceArn="not-an-arn-at-all-xx", ActionNames=["s3:GetObject"])
    assert _code(err) == "InvalidInput"

    iam.remove_user_from_group(UserName="teacher", GroupName="admins")
    iam.detach_group_policy(GroupName="admins", PolicyArn=ADMIN)
    iam.delete_group(GroupName="admins")
    iam.delete_user(UserName="teacher")
    iam.delete_role_policy(RoleName="training", PolicyName="bucket")
    iam.delete_role(RoleName="training")


def test_service_specific_credentials(iam):
    iam.create_user(UserName="dev")
    assert iam.list_service_specific_credentials(UserName="dev")["ServiceSpecificCredentials"] == []
    created = iam.create_service_specific_credential(UserName="dev", ServiceName="codecommit.amazonaws.com")[
        "ServiceSpecificCredential"
    ]
    listed = iam.list_service_specific_credentials(UserName="dev")["ServiceSpecificCredentials"]
    assert [c["ServiceSpecificCredentialId"] for c in listed] == [created["ServiceSpecificCredentialId"]]
    assert "ServicePassword" not in listed[0]  # the secret is only in the create answer
    assert (
        iam.list_service_specific_credentials(UserName="dev", ServiceName="cassandra.amazonaws.com")[
            "ServiceSpecificCredentials"
        ]
        == []
    )
    with pytest.raises(ClientError) as err:
        iam.list_service_specific_credentials(UserName="nobody")
    assert _code(err) == "NoSuchEntity"
    with pytest.raises(ClientError) as err:
        iam.create_service_specific_credential(UserName="dev", ServiceName="s3.amazonaws.com")
    assert _code(err) == "NoSuchEntity"
    iam.delete_service_specific_credential(
        UserName="dev", ServiceSpecificCredentialId=created["ServiceSpecificCredentialId"]
    )
    with pytest.raises(ClientError) as err:
        iam.delete_service_specific_credential(
            UserName="dev", ServiceSpecificCredentialId=created["ServiceSpecificCredentialId"]
        )
    assert _code(err) == "NoSuchEntity"
    assert iam.list_service_specific_credentials(UserName="dev")["ServiceSpecificCredentials"] == []
    iam.delete_user(UserName="dev")
