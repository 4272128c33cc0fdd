"""Class settings, roster, handouts, billing checklist and the public-access preflight (no Terraform)."""

from __future__ import annotations

import csv
import json
import stat
import tomllib
from pathlib import Path

import pytest

from kitcore.errors import KitError
from provision import billing, handout, preflight, roster, settings

STAMP = "20260101-0900"


def write(tmp_path: Path, text: str, name: str = "classroom.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.fixture(autouse=True)
def _no_env_overrides(monkeypatch):
    for var in ("TARGET", "CLASSROOM_EMULATOR_PORT", "CLASSROOM_PROVIDER_MIRROR"):
        monkeypatch.delenv(var, raising=False)


# -- settings ---------------------------------------------------------------------------------------


def test_missing_file_means_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = settings.load()
    assert (s.class_name, s.region, s.target, s.emulator_port) == ("ml-class", "us-east-1", "local", 0)
    assert s.tags == {"classroom": "ml-class", "managed-by": "classroom-kit"}
    assert s.expected_account_id is None and s.provider_mirror is None and s.budget_email is None
    assert s.students() == []
    assert any("budget" in n for n in s.notes) and any("no roster file" in n for n in s.notes)


def test_example_text_is_the_defaults_with_comments(tmp_path):
    text = settings.example_text()
    assert tomllib.loads(text) == settings.DEFAULTS
    assert text.count("\n#") >= 25  # a comment for (nearly) every setting
    loaded = settings.load(write(tmp_path, text))
    assert loaded.terraform_variables(STAMP) == settings.Settings().terraform_variables(STAMP)


def test_terraform_variables(tmp_path):
    write(tmp_path, "user_name,email\nada,ada@example.org\n", "people.csv")
    s = settings.load(
        write(
            tmp_path,
            '[class]\nname = "bio-101"\nroster = "people.csv"\n'
            '[buckets]\nmodels = "{class}-models-{stamp}"\n'
            '[budget]\nemail = "t@example.org"\nthresholds_usd = [2, 4.5]\n'
            "[guardrails]\napply_to_instructor = true\n",
        )
    )
    v = s.terraform_variables(STAMP)
    assert v["models_bucket_name"] == f"bio-101-models-{STAMP}"
    assert v["share_bucket_name"] == f"public-share-{STAMP}"
    assert v["account_alias"] == f"bio-101-{STAMP}"
    assert v["students"] == {"ada": {"email": "ada@example.org", "display_name": None}}
    assert v["budget_email"] == "t@example.org" and v["budget_thresholds_usd"] == [2.0, 4.5]
    assert v["guardrails_apply_to_instructor"] is True
    # no lifecycle rule unless asked for (the provider waits ~55 s for each one to settle)
    assert v["noncurrent_version_expiration_days"] is None
    json.dumps(v)  # the runner writes it as terraform.tfvars.json


def test_lifecycle_rule_is_opt_in(tmp_path):
    s = settings.load(write(tmp_path, "[buckets]\nnoncurrent_version_days = 30\n"))
    assert s.terraform_variables(STAMP)["noncurrent_version_expiration_days"] == 30


def test_alias_can_be_left_alone(tmp_path):
    s = settings.load(write(tmp_path, '[admin]\naccount_alias = ""\n'))
    assert s.terraform_variables(STAMP)["account_alias"] is None


@pytest.mark.parametrize(
    "toml, expected",
    [
        (
            '[class]\nregion = "us-eest-1"\n',
            "line 2: [class] region 'us-eest-1' is not a region with SageMaker",
        ),
        ('[class]\nname = "ML_Class"\n', "line 2: [class] name 'ML_Class' must be 2-31 lowercase"),
        ('[class]\ntarget = "cloud"\n', "[class] target 'cloud' must be local (embedded AWS) or aws"),
        ('[class]\nexpected_account_id = "1234"\n', "[class] expected_account_id '1234' must be a 12-digit"),
        ("[class]\ndedicated_account = true\n", "[class] dedicated_account needs expected_account_id"),
        # the SageMaker SDK's image config (sagemaker-core 2.27) has no linear-learner / XGBoost 1.7-1 there
        ('[class]\nregion = "ap-east-2"\n', "region 'ap-east-2' has no linear-learner 1 or xgboost 1.7-1"),
        ('[class]\nregion = "mx-central-1"\n', "so the lesson cannot run there"),
        ('[class]\ndedicated_account = "yes"\n', "[class] dedicated_account must be true or false"),
        ('[class]\nroster = "nobody.csv"\n', "[class] roster file"),
        ('[class]\nroster = "people.csv"\n', "people.csv does not exist"),
        ("[class]\nmax_students = 0\n", "[class] max_students must be between 1 and 1000"),
        ('[class]\nmax_students = "many"\n', "[class] max_students must be a whole number, not 'many'"),
        ('[class]\ncolour = "red"\n', "line 2: [class] colour is not a known setting"),
        ('[klass]\nname = "x"\n', "line 1: [klass] is not a known section"),
        ('[admin]\nuser_name = "ad min"\n', "[admin] user_name 'ad min' must be 1-64"),
        ('[admin]\npgp_key = "not base64!"\n', "[admin] pgp_key must be a base64 PGP public key"),
        ('[admin]\naccount_alias = "My_Alias"\n', "[admin] account_alias 'My_Alias' must be 3-63 lowercase"),
        ('[admin]\ncreate_access_key = "yes"\n', "[admin] create_access_key must be true or false"),
        ('[buckets]\nmodels = "sm-models"\n', "[buckets] models 'sm-models' must contain {stamp}"),
        ('[buckets]\nmodels = "SM-{stamp}"\n', "[buckets] models gives bucket names like 'SM-2026"),
        ('[buckets]\nshare = "x.y-{stamp}"\n', "only lowercase letters, digits and hyphens"),
        ('[buckets]\nshare = "xn--{stamp}"\n', "S3 reserves the prefix 'xn--'"),
        ('[buckets]\nmodels = "{user}-{stamp}"\n', "only {stamp} and {class} may be used"),
        ('[buckets]\npublic_prefix = "share"\n', "public_prefix 'share' must be a key prefix ending in"),
        ('[buckets]\npublic_prefix = "/share/"\n', "[buckets] public_prefix '/share/' must be a key prefix"),
        ("[buckets]\nnoncurrent_version_days = -1\n", "noncurrent_version_days must be 0 (no lifecycle"),
        (
            "[studio]\nidle_timeout_minutes = 5\n",
            "[studio] idle_timeout_minutes must be between 60 and 525600",
        ),
        (
            '[studio]\ndefault_instance_type = "ml.g5.xlarge"\n',
            "is not in [guardrails] notebook_instance_types",
        ),
        ('[studio]\ninstructor_profile = "the_teacher"\n', "instructor_profile profile name 'the_teacher'"),
        ("[guardrails]\ntraining_instance_types = []\n", "training_instance_types must list at least"),
        (
            '[guardrails]\nhosting_instance_types = ["m5.xlarge"]\n',
            "holds 'm5.xlarge', not a SageMaker instance",
        ),
        ('[budget]\nemail = "teacher"\n', "[budget] email 'teacher' is not an e-mail address"),
        (
            "[budget]\nthresholds_usd = [1, 2, 3, 4, 5, 6]\n",
            "[budget] thresholds_usd must hold 1 to 5 amounts",
        ),
        ("[budget]\nthresholds_usd = [1, 1]\n", "[budget] thresholds_usd must hold distinct amounts above 0"),
        ("[budget]\nlimit_usd = 0\n", "[budget] limit_usd must be more than 0"),
        ("[emulator]\nport = 70000\n", "[emulator] port must be a port number 0-65535"),
        ('[terraform]\nprovider_mirror = "no/such/dir"\n', "[terraform] provider_mirror"),
        ('[class\nname = "x"\n', "not valid TOML"),
    ],
)
def test_bad_setting_gives_one_line_naming_it(tmp_path, toml, expected):
    path = write(tmp_path, toml)
    with pytest.raises(KitError) as err:
        settings.load(path)
    message = str(err.value)
    assert expected in message
    assert message.startswith(str(path)) and "\n" not in message


def test_environment_overrides(tmp_path, monkeypatch):
    path = write(tmp_path, '[class]\ntarget = "local"\n[emulator]\nport = 4566\n')
    monkeypatch.setenv("TARGET", "aws")
    monkeypatch.setenv("CLASSROOM_EMULATOR_PORT", "5000")
    monkeypatch.setenv("CLASSROOM_PROVIDER_MIRROR", "/somewhere/else")
    s = settings.load(path)
    assert (s.target, s.emulator_port, s.provider_mirror) == ("aws", 5000, "/somewhere/else")
    monkeypatch.setenv("TARGET", "prod")
    with pytest.raises(KitError, match="TARGET=prod is not valid"):
        settings.load(path)
    monkeypatch.setenv("TARGET", "local")
    monkeypatch.setenv("CLASSROOM_EMULATOR_PORT", "port")
    with pytest.raises(KitError, match="CLASSROOM_EMULATOR_PORT=port is not a port number"):
        settings.load(path)


def test_explicit_missing_file_is_an_error(tmp_path):
    with pytest.raises(KitError, match="does not exist"):
        settings.load(tmp_path / "nope.toml")


def test_stamp_is_checked():
    with pytest.raises(KitError, match="is not YYYYMMDD-HHMM-xxxxxx"):
        settings.Settings().terraform_variables("2026-01-01")


@pytest.mark.parametrize(
    "name, problem",
    [
        ("ab", "3-63"),
        ("a" * 64, "3-63"),
        ("192.168.1.1", "lowercase"),
        ("-abc", "lowercase"),
        ("sthree-x", "sthree-"),
        ("abc-s3alias", "-s3alias"),
        ("amzn-s3-demo-x", "amzn-s3-demo-"),
    ],
)
def test_bucket_name_rules(name, problem):
    assert problem in settings.bucket_name_problem(name)


def test_good_bucket_names():
    assert settings.bucket_name_problem(f"sm-models-{STAMP}") is None
    assert settings.bucket_name_problem(f"public-share-{STAMP}") is None


# -- roster -------------------------------------------------------------------------------------------


def test_roster_with_header_bom_comments_and_blank_lines(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(
        "\ufeffuser_name,email,display_name\n# a comment\n\nada,ada@example.org,Ada L.\n"
        "Alan-T,alan@example.org\n".encode()
    )
    got = roster.load(path)
    assert [(s.line, s.user_name, s.email, s.display_name) for s in got] == [
        (4, "ada", "ada@example.org", "Ada L."),
        (5, "Alan-T", "alan@example.org", None),
    ]


def test_roster_reports_every_bad_line_in_one_line():
    text = (
        "ada,ada@example.org\n"
        "ADA,other@example.org\n"  # duplicate (IAM ignores case)
        "bob_smith,bob@example.org\n"  # underscore: Studio rejects it
        "carol,not-an-email\n"
        "dave,dave@example.org,Dave,extra\n"
        "-eve,eve@example.org\n"
    )
    with pytest.raises(KitError) as err:
        roster.parse(text, source="roster.csv")
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith("roster.csv: line 2: 'ADA' repeats line 1")
    assert "line 3: user name 'bob_smith' may only hold letters, digits and hyphens" in message
    assert "line 4: 'not-an-email' is not an e-mail address" in message
    assert "line 5: 4 columns" in message
    assert "line 6:" in message


def test_roster_limits(tmp_path):
    with pytest.raises(KitError, match="no students in the roster"):
        roster.parse("user_name,email\n\n", source="r.csv")
    rows = "".join(f"s{i:03d},s{i}@example.org\n" for i in range(101))
    with pytest.raises(KitError, match=r"101 students, more than max_students = 100 \(line 101"):
        roster.parse(rows, source="r.csv", max_students=100)
    assert len(roster.parse(rows, source="r.csv", max_students=101)) == 101
    with pytest.raises(KitError, match="longer than 63"):
        roster.parse(f"{'a' * 64},a@example.org\n")
    path = tmp_path / "latin1.csv"
    path.write_bytes("ada,ada@example.org,Jos\xe9\n".encode("latin-1"))
    with pytest.raises(KitError, match="line 1: not UTF-8"):
        roster.load(path)


def test_roster_names_must_not_clash_with_the_admin_or_instructor(tmp_path):
    write(tmp_path, "administrator,a@example.org\ninstructor,i@example.org\n", "r.csv")
    s = settings.load(write(tmp_path, '[class]\nroster = "r.csv"\n'))
    with pytest.raises(KitError) as err:
        s.terraform_variables(STAMP)
    assert "line 1: 'administrator' is already used by the administrator" in str(err.value)
    assert "line 2: 'instructor' is already used by the instructor's Studio profile" in str(err.value)


def test_hundred_students(tmp_path):
    write(tmp_path, "".join(f"student-{i:03d},s{i}@example.org,Student {i}\n" for i in range(100)), "r.csv")
    s = settings.load(write(tmp_path, '[class]\nroster = "r.csv"\n'))
    assert len(s.terraform_variables(STAMP)["students"]) == 100


# -- handouts -----------------------------------------------------------------------------------------

OUTPUTS = {
    "sign_in_url": "https://ml-class-x.signin.aws.amazon.com/console",
    "admin": {"user_name": "administrator", "access_key_id": None, "encrypted_password": None},
    "admin_secrets": {"password": "Adm1n-Secret!", "access_key_secret": None},
    "instructor_profile_name": "instructor",
    "students": {
        "ada": {"email": "ada@example.org", "display_name": "Ada", "studio_profile_name": "ada"},
        "alan": {"email": "alan@example.org", "display_name": None, "studio_profile_name": "alan"},
    },
    "student_passwords": {"ada": "Ada-Secret1!", "alan": "Alan-Secret1!"},
    "student_encrypted_passwords": {"ada": None, "alan": None},
}


def test_handouts_are_private_files_and_never_printed(tmp_path, capsys):
    paths = handout.write_handouts(tmp_path, OUTPUTS)
    assert [p.name for p in paths] == ["administrator.csv", "ada.csv", "alan.csv", "all-students.csv"]
    for p in paths:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "handouts").stat().st_mode) == 0o700
    rows = list(csv.DictReader((tmp_path / "handouts" / "all-students.csv").open()))
    assert [(r["User name"], r["Password"], r["E-mail"]) for r in rows] == [
        ("ada", "Ada-Secret1!", "ada@example.org"),
        ("alan", "Alan-Secret1!", "alan@example.org"),
    ]
    admin = next(csv.DictReader((tmp_path / "handouts" / "administrator.csv").open()))
    assert admin["Password"] == "Adm1n-Secret!" and admin["Console sign-in URL"] == OUTPUTS["sign_in_url"]
    printed = capsys.readouterr()
    assert "Secret" not in printed.out + printed.err


def test_handouts_of_removed_students_are_deleted_and_pgp_values_used(tmp_path):
    handout.write_handouts(tmp_path, OUTPUTS)
    fewer = json.loads(json.dumps(OUTPUTS))
    del fewer["students"]["alan"], fewer["student_passwords"]["alan"]
    fewer["admin"]["encrypted_password"] = "wcBMA...base64"
    fewer["admin_secrets"]["password"] = None
    names = [p.name for p in handout.write_handouts(tmp_path, fewer)]
    assert "alan.csv" not in names and not (tmp_path / "handouts" / "alan.csv").exists()
    admin = next(csv.DictReader((tmp_path / "handouts" / "administrator.csv").open()))
    assert (admin["Password"], admin["Encrypted with PGP"]) == ("wcBMA...base64", "yes")


# -- billing checklist ------------------------------------------------------------------------------


def test_billing_checklist_is_shown_once(tmp_path):
    (tmp_path / "class.json").write_text(json.dumps({"stamp": STAMP}))
    first = billing.checklist_once(tmp_path)
    assert first and "root user" in first and "Activate IAM Access" in first
    assert billing.checklist_once(tmp_path) is None
    state = json.loads((tmp_path / "class.json").read_text())
    assert state["stamp"] == STAMP and state[billing.STATE_KEY]
    assert stat.S_IMODE((tmp_path / "class.json").stat().st_mode) == 0o600


# -- preflight: the account-level public access block -----------------------------------------------


def test_account_public_access_block_is_explained(aws_env, reset_emulator):
    s3control = preflight.s3control_client("us-east-1")
    account = "123456789012"
    preflight.check_public_access_block(s3control, account)
    s3control.put_public_access_block(
        AccountId=account,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False,
        },
    )
    preflight.check_public_access_block(s3control, account)  # ACL flags alone do not matter
    s3control.put_public_access_block(
        AccountId=account,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    with pytest.raises(KitError) as err:
        preflight.check_public_access_block(s3control, account)
    assert "BlockPublicPolicy and RestrictPublicBuckets on" in str(err.value) and "\n" not in str(err.value)
    s3control.delete_public_access_block(AccountId=account)
    preflight.check_public_access_block(s3control, account)


def test_a_dedicated_account_is_pinned_and_reaches_the_teardown_scope(tmp_path):
    from provision.teardown.scope import scope_from_settings

    f = tmp_path / "classroom.toml"
    f.write_text('[class]\nexpected_account_id = "123456789012"\ndedicated_account = true\n')
    s = settings.load(f)
    assert s.dedicated_account and s.expected_account_id == "123456789012"
    assert scope_from_settings(s).dedicated is True
    assert settings.load(None).dedicated_account is False


def test_stamps_are_unique_beyond_the_minute_and_fixed_at_the_first_up(tmp_path, monkeypatch):
    """Bucket names and account aliases are unique across all of AWS: two classes started in the same
    minute must not collide, so the stamp carries 6 random characters, kept in class.json."""
    import datetime as dt

    from provision import classroom

    now = dt.datetime(2026, 12, 6, 3, 40, tzinfo=dt.UTC)
    stamps = {classroom.new_stamp(now) for _ in range(200)}
    assert len(stamps) == 200 and all(settings.STAMP_RE.match(s) for s in stamps)
    assert all(s.startswith("20261206-0340-") for s in stamps)
    models, share = settings.Settings().bucket_names(next(iter(stamps)))
    assert models.startswith("sm-models-20261206-0340-") and len(share) <= 63
    settings.check_stamp("20261206-0340")  # a class created before the suffix keeps its names
    monkeypatch.setenv("CLASSROOM_STATE_DIR", str(tmp_path))
    s = settings.Settings(class_name="stamped")
    first = classroom.stamp_for(s)
    assert classroom.stamp_for(s) == first and settings.STAMP_RE.match(first) and len(first) == 20


def test_lesson_regions_come_from_the_sdks_image_config():
    from jobs.sdk import XGBOOST_VERSION

    assert {v for a, _, v in settings.LESSON_IMAGES if a == "xgboost"} == {XGBOOST_VERSION}
    regions = settings.lesson_regions()
    assert {"us-east-1", "eu-west-1", "af-south-1"} <= set(regions)
    # sagemaker-core 2.27: none of these has the lesson's images (SageMaker itself is there)
    for region in ("ap-east-2", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "mx-central-1"):
        assert region in settings.sagemaker_regions() and region not in regions


def test_up_refuses_a_region_not_enabled_for_the_account_before_anything_is_created(client, reset_emulator):
    """EC2 DescribeRegions AllRegions: af-south-1 is opt-in and, for a new account, not opted in."""
    ec2 = client("ec2")
    preflight.check_region_enabled(ec2, "us-east-1", "123456789012")
    with pytest.raises(
        KitError,
        match=r"^region af-south-1 is not enabled for account 123456789012 "
        r"\(opt-in status not-opted-in\)",
    ):
        preflight.check_region_enabled(ec2, "af-south-1", "123456789012")


def test_the_reaper_end_reads_a_stamp_with_its_random_suffix():
    assert settings.reaper_ends_at("2026-12-06T20:00:00Z", "20261206-0900-abc123") == "2026-12-06T20:00:00Z"
    assert settings.reaper_ends_at("", "20261206-0900-abc123") == settings.reaper_ends_at("", "20261206-0900")
