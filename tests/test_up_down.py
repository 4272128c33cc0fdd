"""`classroom up` → `status` → `down` through the CLI, on the embedded AWS, with real Terraform.

The bucket slice of the account (Studio off, no students, no alias): both lesson buckets exist with
the right block-public-access flags and the kit's tags, secrets never reach the terminal, every
file in the state directory is private, and after `down` nothing is left.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

CLASSROOM = str(Path(sys.executable).parent / "classroom")

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


def run(args, cwd, env):
    proc = subprocess.run([CLASSROOM, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (
        f"classroom {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    return proc


@pytest.mark.terraform
def test_up_status_down_bucket_slice(tmp_path):
    state = tmp_path / "state"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["CLASSROOM_STATE_DIR"] = str(state)
    (tmp_path / "classroom.toml").write_text(SETTINGS)
    try:
        up = run(["up"], tmp_path, env)
        info = json.loads((state / "emulator" / "server.json").read_text())
        s3 = boto3.client(
            "s3",
            region_name="us-east-1",
            endpoint_url=f"http://127.0.0.1:{info['port']}",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        iam = boto3.client(
            "iam",
            region_name="us-east-1",
            endpoint_url=f"http://127.0.0.1:{info['port']}",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
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
        subprocess.run([CLASSROOM, "emulator", "stop"], cwd=tmp_path, env=env, capture_output=True)
