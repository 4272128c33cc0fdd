"""`classroom up` with Studio publishes the lesson's notebooks and attaches the JupyterLab lifecycle
configuration that copies them into each student's home; `classroom down` (what `make down` runs)
removes both, and the receipt says nothing is left. Real Terraform against the embedded AWS."""

from __future__ import annotations

import base64
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
name = "nb-class"
region = "us-east-1"
target = "local"
roster = "roster.csv"

[admin]
account_alias = ""
"""


def run(args, cwd, env):
    proc = subprocess.run([CLASSROOM, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, (
        f"classroom {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    return proc


@pytest.mark.terraform
@pytest.mark.slow
def test_up_publishes_notebooks_and_down_removes_them(tmp_path):
    state = tmp_path / "state"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["CLASSROOM_STATE_DIR"] = str(state)
    (tmp_path / "classroom.toml").write_text(SETTINGS)
    (tmp_path / "roster.csv").write_text("user_name,email\nada,ada@example.org\n")
    try:
        run(["up"], tmp_path, env)
        port = json.loads((state / "emulator" / "server.json").read_text())["port"]

        def client(service):
            return boto3.client(
                service,
                region_name="us-east-1",
                endpoint_url=f"http://127.0.0.1:{port}",
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )

        sm, s3 = client("sagemaker"), client("s3")
        outputs = json.loads((state / "classes" / "nb-class" / "outputs.json").read_text())
        arn = outputs["notebooks_lifecycle_config_arn"]
        assert arn.endswith(":studio-lifecycle-config/nb-class-copy-notebooks")
        d = sm.describe_studio_lifecycle_config(StudioLifecycleConfigName="nb-class-copy-notebooks")
        assert d["StudioLifecycleConfigAppType"] == "JupyterLab"
        script = base64.b64decode(d["StudioLifecycleConfigContent"]).decode()
        share = outputs["share_bucket"]
        for name in ("rainfall", "credit", "spam"):
            assert f"s3://{share}/share/notebooks/{name}.ipynb" in script
            body = s3.get_object(Bucket=share, Key=f"share/notebooks/{name}.ipynb")["Body"].read()
            assert json.loads(body)["nbformat"] == 4
        lab = sm.describe_domain(DomainId=outputs["studio_domain_id"])["DefaultUserSettings"][
            "JupyterLabAppSettings"
        ]
        assert lab["LifecycleConfigArns"] == [arn]
        assert lab["DefaultResourceSpec"]["LifecycleConfigArn"] == arn
        tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}
        assert tags["classroom"] == "nb-class"
        # a second `up` changes nothing (the generated notebooks are byte-identical)
        run(["up"], tmp_path, env)
        last = sorted((state / "classes" / "nb-class" / "logs").glob("up-*.log"))[-1].read_text()
        assert "Resources: 0 added, 0 changed, 0 destroyed" in last

        down = run(["down", "--yes"], tmp_path, env)
        assert "0 left" in down.stdout
        assert sm.list_studio_lifecycle_configs()["StudioLifecycleConfigs"] == []
        assert sm.list_domains()["Domains"] == []
        assert s3.list_buckets()["Buckets"] == []
    finally:
        subprocess.run(
            [CLASSROOM, "emulator", "stop"], cwd=tmp_path, env=env, capture_output=True, timeout=60
        )
