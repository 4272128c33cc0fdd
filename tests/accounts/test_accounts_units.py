"""Units of a class of accounts: SCP evaluation (no emulator), the settings, the members."""

from __future__ import annotations

import pytest

from emulator.organizations import scp
from kitcore.errors import KitError
from provision import settings as settings_mod
from provision.accounts import members

FULL = scp.parse("FullAWSAccess", {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
ROLE = "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole"
STUDENT = "arn:aws:iam::111122223333:user/alice"
TYPES = scp.parse(
    "limits",
    {
        "Statement": [
            {
                "Effect": "Deny",
                "Action": ["sagemaker:CreateTrainingJob"],
                "Resource": "*",
                "Condition": {
                    "ForAnyValue:StringNotLike": {"sagemaker:InstanceTypes": ["ml.m5.xlarge", "ml.m4.*"]}
                },
            }
        ]
    },
)
REGIONS = scp.parse(
    "regions",
    {
        "Statement": [
            {
                "Effect": "Deny",
                "NotAction": ["iam:*", "sts:*"],
                "Resource": "*",
                "Condition": {
                    "StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]},
                    "ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/OrganizationAccountAccessRole"]},
                },
            }
        ]
    },
)


def _ctx(region="us-east-1", principal=STUDENT, types=None):
    ctx = {"aws:requestedregion": [region], "aws:principalarn": [principal]}
    if types is not None:
        ctx["sagemaker:instancetypes"] = types
    return ctx


def _levels(*ou_policies):
    return [("root r-1", [FULL]), ("OU ou-1", [FULL, *ou_policies]), ("account 111122223333", [FULL])]


def _ok(levels, action, **ctx) -> bool:
    return scp.evaluate(levels, action, "*", _ctx(**ctx)).allowed


def test_instance_type_allowlist_any_value_outside_denies():
    levels = _levels(TYPES)
    d = scp.evaluate(levels, "sagemaker:CreateTrainingJob", "*", _ctx(types=["ml.p3.2xlarge"]))
    assert not d.allowed and d.explicit and d.where == "limits"
    assert not _ok(levels, "sagemaker:CreateTrainingJob", types=["ml.m5.xlarge", "ml.g5.xlarge"])
    assert _ok(levels, "sagemaker:CreateTrainingJob", types=["ml.m4.xlarge"])
    # ForAnyValue with no value in the request: no match, not denied (serverless has no type)
    assert _ok(levels, "sagemaker:CreateTrainingJob")
    # action names are case-insensitive, other actions untouched
    assert not _ok(levels, "SageMaker:createtrainingjob", types=["ml.p3.2xlarge"])
    assert _ok(levels, "sagemaker:CreateEndpointConfig", types=["ml.p3.2xlarge"])


def test_region_deny_with_exempt_role_and_global_services():
    levels = _levels(REGIONS)
    assert not _ok(levels, "sagemaker:ListEndpoints", region="eu-west-1")
    assert _ok(levels, "sagemaker:ListEndpoints")
    assert _ok(levels, "iam:CreateUser", region="eu-west-1")  # NotAction
    assert _ok(levels, "sagemaker:ListEndpoints", region="eu-west-1", principal=ROLE)


def test_every_level_must_allow():
    # an OU whose only SCP allows just S3: everything else is implicitly denied there
    s3_only = scp.parse("s3-only", {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
    levels = [("root r-1", [FULL]), ("OU ou-1", [s3_only]), ("account 1", [FULL])]
    assert _ok(levels, "s3:ListBucket")
    d = scp.evaluate(levels, "sagemaker:ListEndpoints", "*", _ctx())
    assert not d.allowed and not d.explicit and d.where == "OU ou-1"
    # no SCP at all at one level (AWS never lets that happen: FullAWSAccess is attached by default)
    assert not _ok([("root r-1", [FULL]), ("account 1", [])], "s3:ListBucket")


ROSTER = "user_name,email\nalice,a@x.org\nbob,b@x.org\ncarol,c@x.org\n"


def _load(tmp_path, text: str, roster: str = ROSTER):
    (tmp_path / "roster.csv").write_text(roster)
    p = tmp_path / "classroom.toml"
    p.write_text(text)
    return settings_mod.load(p)


def test_single_is_the_default_and_unchanged(tmp_path):
    s = _load(tmp_path, '[class]\nname = "c1"\n')
    assert s.accounts.mode == "single" and not s.accounts.multi
    assert set(s.terraform_variables("20260101-0000")) == set(
        settings_mod.Settings().terraform_variables("20260101-0000")
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[class]\naccounts = "per-room"\n', "[class] accounts 'per-room' must be one of"),
        ('[class]\naccounts = "per-student"\n', "[accounts] email must be set"),
        ('[class]\naccounts = "per-student"\n[accounts]\nemail = "a@b.org"\n', "must contain {account}"),
        ('[class]\naccounts = "per-team"\n[accounts]\nemail = "a+{account}@b.org"\n', "team_size must be 2"),
        (
            '[class]\naccounts = "per-student"\n[accounts]\nemail = "a+{account}@b.org"\nteam_size = 3\n',
            "team_size is only used",
        ),
        (
            '[class]\naccounts = "per-student"\n[accounts]\nemail = "a+{account}@b.org"\n'
            'allowed_regions = ["eu-west-1"]\n',
            "must include the class's region",
        ),
        ('[accounts]\nemail = "a+{account}@b.org"\n', "only used with [class] accounts"),
        (
            '[class]\naccounts = "per-student"\n[accounts]\nemail = "a+{account}@b.org"\nparallel = 0\n',
            "parallel must be between",
        ),
    ],
)
def test_settings_errors_name_the_line(tmp_path, text, message):
    with pytest.raises(KitError) as err:
        _load(tmp_path, text)
    assert message in str(err.value) and "classroom.toml: line" in str(err.value)


def test_members_per_student_and_per_team(tmp_path):
    s = _load(
        tmp_path,
        '[class]\nname = "c1"\naccounts = "per-student"\n'
        '[accounts]\nemail = "aws+{account}@school.example"\n',
    )
    ms = members.plan(s)
    assert [m.name for m in ms] == ["alice", "bob", "carol"]
    assert s.accounts.email_for(ms[0].account_name("c1")) == "aws+c1-alice@school.example"
    v = members.variables(s, ms[1], "210987654321", "20260101-0000")
    assert list(v["students"]) == ["bob"] and v["account_alias"] is None
    assert v["execution_role_without_studio"] is True  # `classroom train --account` needs the role
    assert v["models_bucket_name"] == "sm-models-20260101-0000-210987654321"

    t = _load(
        tmp_path,
        '[class]\nname = "c1"\naccounts = "per-team"\n'
        '[accounts]\nemail = "aws+{account}@school.example"\nteam_size = 2\n',
    )
    teams = members.plan(t)
    assert [(m.name, [x.user_name for x in m.students]) for m in teams] == [
        ("team-01", ["alice", "bob"]),
        ("team-02", ["carol"]),
    ]
    # a team's account gets every member of the team (and only them), the same composition otherwise
    tv = members.variables(t, teams[0], "210987654321", "20260101-0000")
    assert sorted(tv["students"]) == ["alice", "bob"] and tv["execution_role_without_studio"] is True
    assert teams[0].account_name("c1") == "c1-team-01"


def test_members_need_a_roster_and_short_names(tmp_path):
    s = _load(
        tmp_path,
        '[class]\naccounts = "per-student"\n[accounts]\nemail = "a+{account}@b.org"\n',
        roster="user_name,email\n",
    )
    with pytest.raises(KitError):
        members.plan(s)
    long_name = "a" * 45
    s = _load(
        tmp_path,
        '[class]\naccounts = "per-student"\n[accounts]\nemail = "a+{account}@b.org"\n',
        roster=f"user_name,email\n{long_name},x@y.org\n",
    )
    with pytest.raises(KitError, match="longer than 50"):
        members.plan(s)


def test_account_option_names_a_member_of_a_class_of_accounts(tmp_path, monkeypatch):
    """`classroom train/deploy --account X`: one error line before AWS is asked, for every wrong X."""
    from provision.accounts import member_jobs, state

    monkeypatch.setenv("CLASSROOM_STATE_DIR", str(tmp_path / "state"))
    single = _load(tmp_path, '[class]\nname = "c1"\n')
    with pytest.raises(KitError, match="--account is for a class of accounts"):
        member_jobs.find_member(single, "alice")
    s = _load(
        tmp_path,
        '[class]\nname = "c1"\naccounts = "per-student"\n'
        '[accounts]\nemail = "aws+{account}@school.example"\n',
    )
    with pytest.raises(KitError, match="none yet: run `classroom up` first"):
        member_jobs.find_member(s, "alice")
    state.save(
        s,
        {
            "members": {
                "alice": {"account_id": "111111111111"},
                "bob": {"account_id": "222222222222", "released": "returned to the cleaned OU"},
            }
        },
    )
    assert member_jobs.find_member(s, "alice") == ("alice", "111111111111")
    assert member_jobs.find_member(s, "111111111111") == ("alice", "111111111111")
    with pytest.raises(KitError, match=r"'zed' is not a member account of class 'c1' \(alice, bob\)"):
        member_jobs.find_member(s, "zed")
    with pytest.raises(KitError, match="was released"):
        member_jobs.find_member(s, "bob")
