"""Issue 18: what a `terraform apply` stopped before it saved its state leaves at account level (IAM
users with a login profile, access key and group memberships; the groups; the execution role with an
inline and an attached policy; the guardrail policy attached to a group and a role; the account alias;
the password policy; the budget) is deleted by the teardown's account-level kinds — only what the
class recorded before its apply and can prove is its own (provision/teardown/ledger.py) — and another
team's things survive: an untagged user in the owner's pre-existing `Administrators` group, a user
tagged for another class, a roster-named user made later without the class's tag, an untagged role,
a budget, and the account's own password policy, which is put back."""

from __future__ import annotations

import json

import boto3
import pytest

from provision.teardown import ledger, teardown
from testkit.teardown import ACCOUNT, REGION, make_ctx, make_scope

STAMP = "20261206-0600-abc123"
TAGS = [{"Key": "classroom", "Value": "ml101"}, {"Key": "managed-by", "Value": "classroom-kit"}]
OWNER_POLICY = {"MinimumPasswordLength": 19, "RequireSymbols": True, "AllowUsersToChangePassword": True}
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
DOC = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
)
VARIABLES = {
    "class_name": "ml101",
    "stamp": STAMP,
    "admin_user_name": "administrator",
    "students": {"s01": {"email": "a@x"}, "s02": {"email": "b@x"}},
    "create_studio": True,
    "reaper_enabled": False,
    "budget_email": "t@example.com",
    "account_alias": f"ml101-{STAMP}",
    "manage_password_policy": True,
    "models_bucket_name": f"sm-models-{STAMP}",
    "share_bucket_name": f"public-share-{STAMP}",
}


def _budget(budgets, name: str) -> None:
    budgets.create_budget(
        AccountId=ACCOUNT,
        Budget={
            "BudgetName": name,
            "BudgetLimit": {"Amount": "10", "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
        },
    )


@pytest.fixture
def killed_apply(client, reset_emulator, td_state):
    """Another team's things; the class's record (before the apply); what the apply created unsaved."""
    iam, budgets = client("iam"), client("budgets")
    # -- another team, before the class
    iam.create_group(GroupName="Administrators")  # the owner's: the class's apply could not have made it
    iam.create_user(UserName="owner")
    iam.add_user_to_group(GroupName="Administrators", UserName="owner")
    iam.create_user(UserName="other-class", Tags=[{"Key": "classroom", "Value": "stats202"}])
    iam.create_role(RoleName="other-role", AssumeRolePolicyDocument=TRUST)
    iam.update_account_password_policy(**OWNER_POLICY)
    _budget(budgets, "owner-budget")
    ledger.record(td_state, VARIABLES, boto3.session.Session(), REGION, ACCOUNT)
    # -- what the stopped apply created (Terraform saved none of it)
    for user in ("administrator", "s01"):
        iam.create_user(UserName=user, Tags=TAGS)
        iam.create_login_profile(UserName=user, Password="Cl4ss-Password!")
    iam.create_access_key(UserName="administrator")
    iam.create_group(GroupName="Students")
    iam.add_user_to_group(GroupName="Students", UserName="s01")
    iam.add_user_to_group(GroupName="Administrators", UserName="administrator")
    iam.put_group_policy(GroupName="Students", PolicyName="studio-access", PolicyDocument=DOC)
    role = "ml101-sagemaker-execution"
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST, Tags=TAGS)
    iam.put_role_policy(RoleName=role, PolicyName="execution", PolicyDocument=DOC)
    arn = iam.create_policy(PolicyName="ml101-instance-type-guardrail", PolicyDocument=DOC, Tags=TAGS)[
        "Policy"
    ]["Arn"]
    iam.attach_group_policy(GroupName="Students", PolicyArn=arn)
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    iam.create_account_alias(AccountAlias=f"ml101-{STAMP}")
    iam.update_account_password_policy(MinimumPasswordLength=14, RequireNumbers=True)
    _budget(budgets, f"ml101-{STAMP}")
    # -- another team, after the record: a user named like a roster line, without the class's tag
    iam.create_user(UserName="s02")
    return iam, budgets


def test_an_apply_stopped_before_it_saved_leaves_nothing_and_no_decoy_is_touched(killed_apply, td_state):
    iam, budgets = killed_apply
    ctx = make_ctx(make_scope(td_state, sweep_regions=(REGION,)))
    outcome = teardown(ctx, log=lambda _: None)
    planned = {r["kind"]: r["planned"] for r in outcome.receipt["kinds"]}
    assert planned["iam-users"] == 2 and planned["iam-groups"] == 1 and planned["iam-roles"] == 1
    assert planned["iam-policies"] == 1 and planned["account-alias"] == 1 and planned["budgets"] == 1
    assert planned["password-policy"] == 1
    assert outcome.ok, outcome.receipt
    assert {u["UserName"] for u in iam.list_users()["Users"]} == {"owner", "other-class", "s02"}
    assert {g["GroupName"] for g in iam.list_groups()["Groups"]} == {"Administrators"}
    assert [u["UserName"] for u in iam.get_group(GroupName="Administrators")["Users"]] == ["owner"]
    assert {r["RoleName"] for r in iam.list_roles()["Roles"]} >= {"other-role"}
    assert "ml101-sagemaker-execution" not in {r["RoleName"] for r in iam.list_roles()["Roles"]}
    assert iam.list_policies(Scope="Local")["Policies"] == []
    assert iam.list_account_aliases()["AccountAliases"] == []
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert {k: policy[k] for k in OWNER_POLICY} == OWNER_POLICY and policy["RequireNumbers"] is False
    assert [b["BudgetName"] for b in budgets.describe_budgets(AccountId=ACCOUNT)["Budgets"]] == [
        "owner-budget"
    ]
    alone = {(a["kind"], a["name"]) for a in outcome.receipt["left_alone"]}
    assert ("iam-users", "s02") in alone  # named like the roster, but not tagged: listed, never deleted
    assert not (td_state / ledger.LEDGER_FILE).exists()  # 0 left: the record is done with


def test_no_policy_before_the_class_means_the_class_policy_is_deleted(client, reset_emulator, td_state):
    iam = client("iam")
    ledger.record(td_state, VARIABLES, boto3.session.Session(), REGION, ACCOUNT)
    iam.update_account_password_policy(MinimumPasswordLength=14)
    outcome = teardown(make_ctx(make_scope(td_state, sweep_regions=(REGION,))), log=lambda _: None)
    assert outcome.ok, outcome.receipt
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_account_password_policy()


def test_a_name_that_existed_before_the_record_is_never_the_classes(client, reset_emulator, td_state):
    iam = client("iam")
    iam.create_user(UserName="s01", Tags=TAGS)  # tagged, but there before the class's first apply
    ledger.record(td_state, VARIABLES, boto3.session.Session(), REGION, ACCOUNT)
    ledger.record(td_state, VARIABLES, boto3.session.Session(), REGION, ACCOUNT)  # a later `up`
    assert ledger.owned_names(td_state, "iam_users").keys() == {"administrator", "s02"}
    outcome = teardown(make_ctx(make_scope(td_state, sweep_regions=(REGION,))), log=lambda _: None)
    assert outcome.ok and "s01" in {u["UserName"] for u in iam.list_users()["Users"]}


def test_the_reapers_unsaved_function_schedule_topic_and_log_group_go_an_untagged_namesake_stays(
    client, reset_emulator, td_state
):
    import io
    import zipfile

    iam, lam, events, sns, logs = (client(s) for s in ("iam", "lambda", "events", "sns", "logs"))
    ledger.record(td_state, VARIABLES, boto3.session.Session(), REGION, ACCOUNT)
    role = iam.create_role(RoleName="ml101-reaper-fn", AssumeRolePolicyDocument=TRUST, Tags=TAGS)["Role"][
        "Arn"
    ]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return 1\n")
    tags = {t["Key"]: t["Value"] for t in TAGS}
    fn = lam.create_function(
        FunctionName="ml101-reaper",
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": code.getvalue()},
        Tags=tags,
    )["FunctionArn"]
    events.put_rule(Name="ml101-reaper", ScheduleExpression="rate(5 minutes)", Tags=TAGS)
    events.put_targets(Rule="ml101-reaper", Targets=[{"Id": "reaper", "Arn": fn}])
    events.put_rule(Name="ml101-someone-else", ScheduleExpression="rate(1 hour)")  # untagged: not ours
    sns.create_topic(Name="ml101-reaper", Tags=TAGS)
    logs.create_log_group(logGroupName="/aws/lambda/ml101-reaper", tags=tags)
    sm = client("sagemaker")  # the notebooks' lifecycle configuration (terraform/modules/studio-notebooks)
    lcc = {"StudioLifecycleConfigContent": "ZWNobyBoaQ==", "StudioLifecycleConfigAppType": "JupyterLab"}
    sm.create_studio_lifecycle_config(StudioLifecycleConfigName="ml101-notebooks", Tags=TAGS, **lcc)
    sm.create_studio_lifecycle_config(StudioLifecycleConfigName="ml101-theirs", **lcc)  # untagged
    outcome = teardown(make_ctx(make_scope(td_state, sweep_regions=(REGION,))), log=lambda _: None)
    planned = {r["kind"]: r["planned"] for r in outcome.receipt["kinds"]}
    kinds = ("lambda-functions", "event-rules", "sns-topics", "function-log-groups")
    kinds += ("studio-lifecycle-configs",)
    assert [planned[k] for k in kinds] == [1, 1, 1, 1, 1]
    configs = sm.list_studio_lifecycle_configs()["StudioLifecycleConfigs"]
    assert [c["StudioLifecycleConfigName"] for c in configs] == ["ml101-theirs"]
    assert outcome.ok, outcome.receipt
    assert lam.list_functions()["Functions"] == [] and sns.list_topics()["Topics"] == []
    assert [r["Name"] for r in events.list_rules()["Rules"]] == ["ml101-someone-else"]
    assert logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"] == []


def test_a_policy_created_as_the_apply_was_interrupted_is_in_the_state_by_id_alone(
    client, reset_emulator, td_state
):
    """SIGINT during `up` (the CI failure of 2026-12-06, crash point 12-INT): the provider had created
    the guardrail policy and set its ID (the ARN) when the interrupt cancelled the read-back, so the
    state holds the instance tainted with `id` and `arn: null` (terraform-plugin-sdk v2 saves what was
    set before an error). The links the apply made to it but never saved are still undone before
    `terraform destroy` — by the ID — and nothing asks AWS about a policy named None."""
    from provision.teardown.kinds._account import release_state_entities

    iam = client("iam")
    iam.create_group(GroupName="Students")
    iam.create_user(UserName="s01")
    arn = iam.create_policy(PolicyName="ml101-instance-type-guardrail", PolicyDocument=DOC, Tags=TAGS)[
        "Policy"
    ]["Arn"]
    iam.attach_group_policy(GroupName="Students", PolicyArn=arn)
    iam.attach_user_policy(UserName="s01", PolicyArn=arn)

    def instance(type_, attributes, status=None):
        inst = {"schema_version": 0, "attributes": attributes}
        if status:
            inst["status"] = status
        return {"mode": "managed", "type": type_, "name": "this", "instances": [inst]}

    state = {
        "version": 4,
        "resources": [
            instance("aws_iam_group", {"id": "Students", "name": "Students"}),
            instance(
                "aws_iam_policy",
                {"id": arn, "arn": None, "name": "ml101-instance-type-guardrail", "policy": DOC},
                status="tainted",
            ),
            instance("aws_iam_user_group_membership", {"id": "m", "user": None, "groups": None}),
            instance("aws_iam_role", {"id": None, "name": None}),  # neither: Terraform's alone
        ],
    }
    (td_state / "terraform.tfstate").write_text(json.dumps(state))
    assert ledger.state_links(td_state)["policies"] == {arn}
    assert ledger.state_links(td_state)["roles"] == set()

    undone = release_state_entities(make_ctx(make_scope(td_state, sweep_regions=(REGION,))))
    assert undone == 2
    assert iam.list_attached_group_policies(GroupName="Students")["AttachedPolicies"] == []
    ents = iam.list_entities_for_policy(PolicyArn=arn)
    assert ents["PolicyGroups"] == ents["PolicyUsers"] == ents["PolicyRoles"] == []
    for f in (lambda: iam.delete_policy(PolicyArn=arn), lambda: iam.delete_group(GroupName="Students")):
        f()  # no DeleteConflict left for `terraform destroy`
    iam.delete_user(UserName="s01")
    assert iam.list_policies(Scope="Local")["Policies"] == [] and iam.list_groups()["Groups"] == []


def test_up_again_deletes_only_what_the_stopped_apply_left_outside_the_state(killed_apply, td_state):
    """Issue 18: `up` after a killed `up` (provision/teardown/unsaved.py). What the stopped apply
    created and never saved is deleted before the apply makes it again (else EntityAlreadyExists);
    another team's things, and what the state holds, are never touched."""
    from provision.teardown import unsaved

    iam, budgets = killed_apply
    # (the untagged namesake and the owner's group of the class's group name are the next test's)
    iam.delete_user(UserName="s02")
    for user in ("owner", "administrator"):
        iam.remove_user_from_group(GroupName="Administrators", UserName=user)
    iam.delete_group(GroupName="Administrators")
    # the state saved the Students group: the apply keeps it, nothing here may delete it
    state = {
        "version": 4,
        "resources": [
            {
                "mode": "managed",
                "type": "aws_iam_group",
                "name": "this",
                "instances": [{"attributes": {"id": "Students", "name": "Students"}}],
            }
        ],
    }
    (td_state / "terraform.tfstate").write_text(json.dumps(state))
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=f"sm-models-{STAMP}")
    s3.put_object(Bucket=f"sm-models-{STAMP}", Key="notebooks/a.ipynb", Body=b"{}")
    ledger.record(td_state, VARIABLES, boto3.session.Session(), REGION, ACCOUNT)  # the second `up`
    ctx = make_ctx(make_scope(td_state, sweep_regions=(REGION,)))
    said = []
    assert unsaved.reclaim(ctx, VARIABLES, boto3.session.Session(), log=said.append) == 7
    assert said and "deleting" in said[0]
    assert {u["UserName"] for u in iam.list_users()["Users"]} == {"owner", "other-class"}
    assert {g["GroupName"] for g in iam.list_groups()["Groups"]} == {"Students"}  # in the state
    assert {r["RoleName"] for r in iam.list_roles()["Roles"]} >= {"other-role"}
    assert "ml101-sagemaker-execution" not in {r["RoleName"] for r in iam.list_roles()["Roles"]}
    assert iam.list_policies(Scope="Local")["Policies"] == []
    assert iam.list_account_aliases()["AccountAliases"] == []
    assert [b["BudgetName"] for b in budgets.describe_budgets(AccountId=ACCOUNT)["Budgets"]] == [
        "owner-budget"
    ]
    assert s3.list_buckets()["Buckets"] == []
    # the class's record is untouched: the first record's "did not exist" still proves them the class's
    assert ledger.owned_names(td_state, "iam_users").keys() == {"administrator", "s01", "s02"}
    assert unsaved.reclaim(ctx, VARIABLES, boto3.session.Session(), log=said.append) == 0
    iam.delete_group_policy(GroupName="Students", PolicyName="studio-access")  # (this test's clean-up)
    iam.delete_group(GroupName="Students")


def test_up_stops_before_anything_on_a_name_that_is_not_provably_the_classes(killed_apply, td_state):
    """A roster name made by somebody else after the class's record (no class tag), and the owner's
    `Administrators` group (there before the class): one error naming both, and nothing deleted."""
    from kitcore.errors import KitError
    from provision.teardown import unsaved

    iam, _ = killed_apply
    ctx = make_ctx(make_scope(td_state, sweep_regions=(REGION,)))
    users = {u["UserName"] for u in iam.list_users()["Users"]}
    with pytest.raises(KitError) as err:
        unsaved.reclaim(ctx, VARIABLES, boto3.session.Session(), log=print)
    text = str(err.value)
    assert "\n" not in text
    assert "IAM user 's02' (it does not carry the tag classroom=ml101)" in text
    assert "IAM group 'Administrators' (it was there before the class's first `up`)" in text
    assert "s01" not in text and "Students" not in text  # the class's own: not in the way
    assert {u["UserName"] for u in iam.list_users()["Users"]} == users  # nothing deleted
    with pytest.raises(KitError, match="IAM group 'Administrators'"):  # the class's first `up` too
        unsaved.reclaim(ctx, VARIABLES, boto3.session.Session(), log=print, earlier=False)
    outcome = teardown(ctx, log=lambda _: None)  # (this test's own clean-up)
    assert outcome.ok, outcome.receipt


def test_the_accounts_own_alias_replaced_by_the_class_is_put_back(client, reset_emulator, td_state):
    """An account has one alias, and the class's overwrites it (IAM User Guide, "Your AWS account ID
    and its alias"): teardown puts the owner's back, like the password policy — after a stopped apply
    left the class's alias outside the state, and after `terraform destroy` deleted the one it held."""
    iam = client("iam")
    iam.create_account_alias(AccountAlias="owners-alias")
    ledger.record(td_state, VARIABLES, boto3.session.Session(), REGION, ACCOUNT)
    iam.create_account_alias(AccountAlias=f"ml101-{STAMP}")  # the stopped apply's, not in its state
    assert iam.list_account_aliases()["AccountAliases"] == [f"ml101-{STAMP}"]
    outcome = teardown(make_ctx(make_scope(td_state, sweep_regions=(REGION,))), log=lambda _: None)
    assert outcome.ok, outcome.receipt
    assert iam.list_account_aliases()["AccountAliases"] == ["owners-alias"]
    # a new class: `terraform destroy` deleted the alias its state held and left the account none
    ledger.record(td_state, VARIABLES, boto3.session.Session(), REGION, ACCOUNT)
    assert ledger.load(td_state)["account_alias"]["before"] == ["owners-alias"]
    iam.create_account_alias(AccountAlias=f"ml101-{STAMP}")
    iam.delete_account_alias(AccountAlias=f"ml101-{STAMP}")
    outcome = teardown(make_ctx(make_scope(td_state, sweep_regions=(REGION,))), log=lambda _: None)
    assert outcome.ok and iam.list_account_aliases()["AccountAliases"] == ["owners-alias"]
    # an account without an alias before the class: the class's is deleted, none put in its place
    iam.delete_account_alias(AccountAlias="owners-alias")
    ledger.record(td_state, VARIABLES, boto3.session.Session(), REGION, ACCOUNT)
    iam.create_account_alias(AccountAlias=f"ml101-{STAMP}")
    outcome = teardown(make_ctx(make_scope(td_state, sweep_regions=(REGION,))), log=lambda _: None)
    assert outcome.ok and iam.list_account_aliases()["AccountAliases"] == []
