"""A per-student class of 5 accounts, through the CLI, on the embedded AWS, with real Terraform:
`up` -> one training job (and an endpoint left running) in one member account -> the SCP allowlist
denies an outside instance type there -> `status` per account, totalled -> `down`: the class receipt
says 0 left, every account is back in the cleaned OU, the class's OU and SCPs are gone.

Kept as fast as a 5-account apply can be: Studio and the budget are off in the member accounts (the
account setup is then admin access, two buckets, the student's user and the guardrail), which is
what the per-account fan-out is about; Studio in member accounts is the same composition as in
single-account mode.
"""

from __future__ import annotations

import io
import json
import os
import time

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


JOB_ROLE = "rain-execution"


def _train_and_deploy(s: boto3.session.Session, url: str, account: str, bucket: str) -> str:
    """One small linear-learner job in the member account, then an endpoint left for `down`."""
    s3, sm = s.client("s3", endpoint_url=url), s.client("sagemaker", endpoint_url=url)
    rows = "\n".join(f"{2 * x + 1},{x}" for x in range(60)) + "\n"
    s3.upload_fileobj(io.BytesIO(rows.encode()), bucket, "rain/train/train.csv")
    # the job's role must trust SageMaker (AWS: ValidationException "Could not assume role ..."
    # otherwise); the access role trusts only the management account
    role = s.client("iam", endpoint_url=url).create_role(
        RoleName=JOB_ROLE,
        AssumeRolePolicyDocument=json.dumps(
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
        ),
    )["Role"]["Arn"]
    s.client("iam", endpoint_url=url).put_role_policy(
        RoleName=JOB_ROLE,
        PolicyName="job",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["s3:*", "ecr:*", "logs:*", "cloudwatch:*"],
                        "Resource": "*",
                    }
                ],
            }
        ),
    )
    sm.create_training_job(
        TrainingJobName="rain-1",
        RoleArn=role,
        AlgorithmSpecification={"TrainingImage": LL_IMAGE, "TrainingInputMode": "File"},
        HyperParameters={"predictor_type": "regressor", "feature_dim": "1", "epochs": "3"},
        InputDataConfig=[
            {
                "ChannelName": "train",
                "ContentType": "text/csv",
                "DataSource": {
                    "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{bucket}/rain/train/"}
                },
            }
        ],
        OutputDataConfig={"S3OutputPath": f"s3://{bucket}/rain/out"},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 600},
    )
    deadline = time.monotonic() + 120
    while (d := sm.describe_training_job(TrainingJobName="rain-1"))["TrainingJobStatus"] == "InProgress":
        assert time.monotonic() < deadline, "training did not finish"
        time.sleep(0.5)
    assert d["TrainingJobStatus"] == "Completed", d.get("FailureReason")
    sm.create_model(
        ModelName="rain-model",
        ExecutionRoleArn=role,
        PrimaryContainer={"Image": LL_IMAGE, "ModelDataUrl": d["ModelArtifacts"]["S3ModelArtifacts"]},
    )
    sm.create_endpoint_config(
        EndpointConfigName="rain-config",
        ProductionVariants=[
            {
                "VariantName": "v",
                "ModelName": "rain-model",
                "InstanceType": "ml.m5.xlarge",
                "InitialInstanceCount": 1,
            }
        ],
    )
    sm.create_endpoint(EndpointName="rain-endpoint", EndpointConfigName="rain-config")
    deadline = time.monotonic() + 120
    while sm.describe_endpoint(EndpointName="rain-endpoint")["EndpointStatus"] == "Creating":
        assert time.monotonic() < deadline
        time.sleep(0.5)
    answer = s.client("sagemaker-runtime", endpoint_url=url).invoke_endpoint(
        EndpointName="rain-endpoint", ContentType="text/csv", Body=b"10\n"
    )
    assert answer["Body"].read()
    return "rain-endpoint"


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
        up = run(["up"], tmp_path, env, timeout=1200)
        print(up.stdout)
        url = emulator_url(state)
        mgmt = aws.clients(url)
        orgs = mgmt("organizations")
        data = json.loads((cdir / "accounts.json").read_text())
        accounts = {m: rec["account_id"] for m, rec in data["members"].items()}
        assert sorted(accounts) == STUDENTS and len(set(accounts.values())) == 5
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
            users = {u["UserName"] for u in s.client("iam", endpoint_url=url).list_users()["Users"]}
            assert users == {"administrator", member}  # only this account's student
            handout = cdir / "accounts" / member / "handouts" / f"{member}.csv"
            assert os.stat(handout).st_mode & 0o077 == 0
            password = handout.read_text().splitlines()[1].split(",")[1]
            assert password and password not in up.stdout + up.stderr

        # one job in one account; its endpoint is left running for `down`
        ana = _member(url, accounts["ana"])
        models_bucket = json.loads((cdir / "accounts" / "ana" / "outputs.json").read_text())["models_bucket"]
        _train_and_deploy(ana, url, accounts["ana"], models_bucket)
        assert (
            _member(url, accounts["ben"]).client("sagemaker", endpoint_url=url).list_endpoints()["Endpoints"]
            == []
        )

        # the SCP allowlist (rendered by terraform/modules/org-class) denies an outside instance type in a
        # member account — even to the kit's own access role; the management account is not restricted
        sm = ana.client("sagemaker", endpoint_url=url)
        with pytest.raises(ClientError) as denied:
            sm.create_endpoint_config(
                EndpointConfigName="gpu",
                ProductionVariants=[
                    {
                        "VariantName": "v",
                        "ModelName": "rain-model",
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
        assert status.stdout.count("== ") == 5 and "rain-endpoint" in status.stdout
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
        # the job's role, made by this test (not the class's): removed by the test
        iam = _member(url, accounts["ana"]).client("iam", endpoint_url=url)
        iam.delete_role_policy(RoleName=JOB_ROLE, PolicyName="job")
        iam.delete_role(RoleName=JOB_ROLE)
    finally:
        stop_emulator(tmp_path, env)
