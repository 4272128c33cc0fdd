"""`classroom up` → `status` → `down` through the CLI, on the embedded AWS, with real Terraform.

The bucket slice of the account (Studio off, no students, no alias): both lesson buckets exist with
the right block-public-access flags and the kit's tags, secrets never reach the terminal, every
file in the state directory is private, and after `down` nothing is left.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from testkit import aws
from testkit.cli import emulator_url, env_for, run, stop_emulator

SETTINGS = """
[class]
name = "slice-test"
region = "us-east-1"
target = "local"

[admin]
account_alias = ""

[studio]
enabled = false
"""


@pytest.mark.terraform
def test_up_status_down_bucket_slice(tmp_path):
    state = tmp_path / "state"
    env = env_for(state)
    (tmp_path / "classroom.toml").write_text(SETTINGS)
    try:
        up = run(["up"], tmp_path, env)
        client = aws.clients(emulator_url(state))
        s3, iam = client("s3"), client("iam")
        outputs = json.loads((state / "classes" / "slice-test" / "outputs.json").read_text())
        models, share = outputs["models_bucket"], outputs["share_bucket"]
        assert models.startswith("sm-models-") and share.startswith("public-share-")
        assert {models, share} <= {b["Name"] for b in s3.list_buckets()["Buckets"]}

        pab = s3.get_public_access_block(Bucket=models)["PublicAccessBlockConfiguration"]
        assert pab == {
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        }
        pab = s3.get_public_access_block(Bucket=share)["PublicAccessBlockConfiguration"]
        assert pab == {
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False,
        }
        tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=models)["TagSet"]}
        assert tags["classroom"] == "slice-test" and tags["managed-by"] == "classroom-kit"
        # the lifecycle rule is opt-in ([buckets] noncurrent_version_days): none by default
        for bucket in (models, share):
            with pytest.raises(s3.exceptions.ClientError, match="NoSuchLifecycleConfiguration"):
                s3.get_bucket_lifecycle_configuration(Bucket=bucket)

        # quiet by default: one closing progress line, Terraform's own text in the run's log file
        logs = state / "classes" / "slice-test" / "logs"
        up_logs = sorted(logs.glob("up-*.log"))
        assert len(up_logs) == 1, sorted(logs.iterdir())
        assert "Apply complete!" in up_logs[0].read_text()
        assert "Creation complete" not in up.stdout + up.stderr
        planned = up_logs[0].read_text().count(": Plan to create")
        assert planned > 5 and f"account setup {planned}/{planned} resources" in up.stderr

        # the administrator's password went to a 0600 handout, never to the terminal or outputs.json
        handout = state / "classes" / "slice-test" / "handouts" / "administrator.csv"
        password = next(line for line in handout.read_text().splitlines()[1:] if line).split(",")[1]
        assert len(password) >= 12
        assert password not in up.stdout + up.stderr
        assert password not in (state / "classes" / "slice-test" / "outputs.json").read_text()
        assert password not in up_logs[0].read_text()
        assert "sign_in_url" in up.stdout and "Billing access" in up.stdout
        for dirpath, _dirs, files in os.walk(state):
            if Path(dirpath) != state:
                assert os.stat(dirpath).st_mode & 0o077 == 0, dirpath
            for f in files:
                p = os.path.join(dirpath, f)
                if not os.path.islink(p):
                    assert os.stat(p).st_mode & 0o077 == 0, p

        status = run(["status"], tmp_path, env)
        assert "slice-test" in status.stdout

        down = run(["down", "--yes"], tmp_path, env)
        assert "0 left" in down.stdout
        assert "Destruction complete" not in down.stdout + down.stderr
        down_logs = sorted(logs.glob("down-*.log"))
        assert len(down_logs) == 1 and "Destroy complete!" in down_logs[0].read_text()
        assert "terraform destroy " in down.stdout + down.stderr
        assert s3.list_buckets()["Buckets"] == []
        assert iam.list_users()["Users"] == []
        assert iam.list_groups()["Groups"] == []
        receipt = json.loads((state / "classes" / "slice-test" / "teardown-receipt.json").read_text())
        assert receipt["ok"] is True and receipt["remaining_total"] == 0
    finally:
        stop_emulator(tmp_path, env)
