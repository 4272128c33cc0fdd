"""A per-student class of 5 accounts, through the CLI, on the embedded AWS, with real Terraform:
a pool account holding a stray bucket and endpoint -> `up` (the pool account is reused and swept before
the class's setup) -> `classroom train rainfall --account ana` and `classroom deploy rainfall --account
ana` in ana's account (its execution role, its bucket; the endpoint is left running) -> the SCP
allowlist denies an outside instance type there -> `status` per account, totalled -> `down`: the class
receipt says 0 left, every account is back in the cleaned OU, the class's OU and SCPs are gone.

Kept as fast as a 5-account apply can be: Studio and the budget are off in the member accounts (the
account setup is then admin access, two buckets, the execution role, the student's user and the
guardrail), the 5 accounts are applied at once, nothing is applied twice, one job runs once; Studio in
member accounts is the same composition as in single-account mode.
"""

from __future__ import annotations

import io
import json
import os

import boto3
import pytest
from botocore.exceptions import ClientError

from testkit import aws
from testkit.cli import emulator_url, env_for, run, stop_emulator

STUDENTS = ["ana", "ben", "cai", "dee", "eli"]
LL_IMAGE = "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1"

SETTINGS = """
[class]
name = "orgclass"
region = "us-east-1"
target = "local"
accounts = "per-student"

[accounts]
email = "aws+{account}@school.example"
parallel = 5

[admin]
account_alias = ""

[studio]
enabled = false
"""


def _member(url: str, account: str) -> boto3.session.Session:
    return aws.assumed(url, f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole")


def _stray(s: boto3.session.Session, url: str, account: str) -> None:
    """What a pool account may hold: an untagged bucket with an object, an untagged endpoint (its model
    without an execution role: optional in CreateModel, botocore sagemaker-2017-07-24)."""
    s3, sm = s.client("s3", endpoint_url=url), s.client("sagemaker", endpoint_url=url)
    s3.create_bucket(Bucket=f"stray-{account}")
    s3.upload_fileobj(io.BytesIO(b"x"), f"stray-{account}", "left.csv")
    sm.create_model(
        ModelName="stray-model",
        PrimaryContainer={"Image": LL_IMAGE},
    )
    sm.create_endpoint_config(
        EndpointConfigName="stray-config",
        ProductionVariants=[
            {
                "VariantName": "v",
                "ModelName": "stray-model",
                "InstanceType": "ml.m5.xlarge",
                "InitialInstanceCount": 1,
            }
        ],
    )
    sm.create_endpoint(EndpointName="stray-endpoint", EndpointConfigName="stray-config")


def _pool_account(url: str) -> str:
    """An account in the cleaned OU (the pool), as a past class's `down` leaves it, plus strays."""
    orgs = aws.clients(url)("organizations")
    orgs.create_organization(FeatureSet="ALL")
    root = orgs.list_roots()["Roots"][0]["Id"]
    pool = orgs.create_organizational_unit(ParentId=root, Name="classroom-cleaned")["OrganizationalUnit"][
        "Id"
    ]
    st = orgs.create_account(AccountName="old-class-x", Email="old-x@school.example")["CreateAccountStatus"]
    account = orgs.describe_create_account_status(CreateAccountRequestId=st["Id"])["CreateAccountStatus"][
        "AccountId"
    ]
    orgs.move_account(AccountId=account, SourceParentId=root, DestinationParentId=pool)
    _stray(_member(url, account), url, account)
    return account


@pytest.mark.terraform
def test_per_student_class_of_five_accounts(tmp_path):
    state = tmp_path / "state"
    env = env_for(state)
    (tmp_path / "classroom.toml").write_text(SETTINGS)
    (tmp_path / "roster.csv").write_text(
        "user_name,email\n" + "".join(f"{s},{s}@school.example\n" for s in STUDENTS)
    )
    cdir = state / "classes" / "orgclass"
    try:
        run(["emulator", "start"], tmp_path, env)
        url = emulator_url(state)
        pooled = _pool_account(url)

        up = run(["up"], tmp_path, env, timeout=1200)
        print(up.stdout)

        mgmt = aws.clients(url)
        orgs = mgmt("organizations")
        data = json.loads((cdir / "accounts.json").read_text())
        accounts = {m: rec["account_id"] for m, rec in data["members"].items()}
        assert sorted(accounts) == STUDENTS and len(set(accounts.values())) == 5
        # the pool account went to the first member and was swept before its setup: the strays are gone
        assert accounts["ana"] == pooled and data["members"]["ana"]["how"] == "pool"
        assert data["members"]["ana"]["swept"]["deleted"] >= 4  # bucket, endpoint, its config and model
        assert all(data["members"][m]["how"] == "created" for m in STUDENTS[1:])
        sweep = json.loads((cdir / "accounts" / "ana" / "pool-sweep" / "teardown-receipt.json").read_text())
        assert sweep["ok"] and sweep["account"] == pooled
        assert "stray-endpoint" in up.stdout
        assert "123456789012" not in accounts.values()
        class_ou, cleaned_ou = data["class_ou"], data["cleaned_ou"]
        in_ou = {a["Id"] for a in orgs.list_accounts_for_parent(ParentId=class_ou)["Accounts"]}
        assert in_ou == set(accounts.values())
        scps = {
            p["Name"]
            for p in orgs.list_policies_for_target(TargetId=class_ou, Filter="SERVICE_CONTROL_POLICY")[
                "Policies"
            ]
        }
        # AWS attaches FullAWSAccess to every new OU; the class's two SCPs come on top
        assert scps == {"FullAWSAccess", "classroom-orgclass-limits", "classroom-orgclass-protect"}
        scps -= {"FullAWSAccess"}
        assert mgmt("s3").list_buckets()["Buckets"] == []  # nothing of the class in the management account

        for member, account in accounts.items():
            s = _member(url, account)
            buckets = sorted(b["Name"] for b in s.client("s3", endpoint_url=url).list_buckets()["Buckets"])
            assert len(buckets) == 2 and all(b.endswith(f"-{account}") for b in buckets), buckets
            assert "stray" not in str(buckets)
            assert s.client("sagemaker", endpoint_url=url).list_endpoints()["Endpoints"] == []
            users = {u["UserName"] for u in s.client("iam", endpoint_url=url).list_users()["Users"]}
            assert users == {"administrator", member}  # only this account's student
            handout = cdir / "accounts" / member / "handouts" / f"{member}.csv"
            assert os.stat(handout).st_mode & 0o077 == 0
            password = handout.read_text().splitlines()[1].split(",")[1]
            assert password and password not in up.stdout + up.stderr

        # one job in one account, by the CLI, with that account's execution role and bucket; then its
        # model deployed there and left running for `down`
        ana = _member(url, accounts["ana"])
        outputs = json.loads((cdir / "accounts" / "ana" / "outputs.json").read_text())
        assert outputs["execution_role_arn"].startswith(f"arn:aws:iam::{accounts['ana']}:role/")
        env_run = {**env, "CLASSROOM_POLL_SECONDS": "0.2"}
        train = run(
            [
                "train",
                "rainfall",
                "--account",
                "ana",
                "--option",
                "rainfall.epochs=2",
                "--reports",
                "reports",
            ],
            tmp_path,
            env_run,
        )
        assert "rainfall" in train.stdout and "account of ana" in train.stderr
        last = json.loads((cdir / "accounts" / "ana" / "jobs" / "rainfall" / "last.json").read_text())
        assert last["role_arn"] == outputs["execution_role_arn"]
        assert last["model_data_url"].startswith(f"s3://{outputs['models_bucket']}/")
        sm_ana = ana.client("sagemaker", endpoint_url=url)
        jobs = sm_ana.list_training_jobs()["TrainingJobSummaries"]
        assert [j["TrainingJobStatus"] for j in jobs] == ["Completed"]
        assert mgmt("sagemaker").list_training_jobs()["TrainingJobSummaries"] == []  # not in the management
        deployed = run(["deploy", "rainfall", "--account", "ana", "--minutes", "30"], tmp_path, env_run)
        assert "deployed endpoint" in deployed.stdout
        endpoint = deployed.stdout.split("endpoint ", 1)[1].split(",", 1)[0]
        assert [e["EndpointName"] for e in sm_ana.list_endpoints()["Endpoints"]] == [endpoint]
        assert (
            _member(url, accounts["ben"]).client("sagemaker", endpoint_url=url).list_endpoints()["Endpoints"]
            == []
        )
        wrong = run(["train", "rainfall", "--account", "zed"], tmp_path, env, check=False)
        assert wrong.returncode != 0 and "'zed' is not a member account" in wrong.stderr

        # the SCP allowlist (rendered by terraform/modules/org-class) denies an outside instance type in a
        # member account — even to the kit's own access role; the management account is not restricted
        sm = ana.client("sagemaker", endpoint_url=url)
        with pytest.raises(ClientError) as denied:
            sm.create_endpoint_config(
                EndpointConfigName="gpu",
                ProductionVariants=[
                    {
                        "VariantName": "v",
                        "ModelName": "any-model",
                        "InstanceType": "ml.p3.2xlarge",
                        "InitialInstanceCount": 1,
                    }
                ],
            )
        assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
        assert "explicit deny in a service control policy" in denied.value.response["Error"]["Message"]
        with pytest.raises(ClientError) as left:
            ana.client("organizations", endpoint_url=url).leave_organization()
        assert left.value.response["Error"]["Code"] == "AccessDeniedException"

        status = run(["status"], tmp_path, env, timeout=1200)
        assert status.stdout.count("== ") == 5 and endpoint in status.stdout
        total = next(line for line in status.stdout.splitlines() if line.startswith("Class total"))
        assert "$0.00/hour" not in total  # the endpoint's price is counted in the class total

        down = run(["down", "--yes"], tmp_path, env, timeout=1200)
        assert "0 left: nothing in scope remains in any account" in down.stdout, down.stdout[-3000:]
        receipt = json.loads((cdir / "class-receipt.json").read_text())
        assert receipt["ok"] is True and receipt["remaining_total"] == 0
        assert len(receipt["accounts"]) == 5 and receipt["organization"]["destroyed"] is True
        for row in receipt["accounts"]:
            assert row["ok"] and row["released"] == "returned to the cleaned OU"
            own = json.loads((cdir / "accounts" / row["member"] / "teardown-receipt.json").read_text())
            assert own["ok"] and own["account"] == row["account_id"]

        # every account is back in the pool, clean; the class's OU and SCPs are gone
        pool = {a["Id"] for a in orgs.list_accounts_for_parent(ParentId=cleaned_ou)["Accounts"]}
        assert set(accounts.values()) <= pool
        assert all(
            ou["Id"] != class_ou
            for ou in orgs.list_organizational_units_for_parent(ParentId=orgs.list_roots()["Roots"][0]["Id"])[
                "OrganizationalUnits"
            ]
        )
        names = {p["Name"] for p in orgs.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]}
        assert not names & scps
        for account in accounts.values():
            s = _member(url, account)
            assert s.client("s3", endpoint_url=url).list_buckets()["Buckets"] == []
            assert s.client("iam", endpoint_url=url).list_users()["Users"] == []
            assert s.client("sagemaker", endpoint_url=url).list_endpoints()["Endpoints"] == []
            assert s.client("sagemaker", endpoint_url=url).list_models()["Models"] == []
            roles = [r["RoleName"] for r in s.client("iam", endpoint_url=url).list_roles()["Roles"]]
            assert not [r for r in roles if "execution" in r], roles  # the member's execution role too
    finally:
        stop_emulator(tmp_path, env)
