"""`classroom up` with Studio publishes the lesson's notebooks and attaches the JupyterLab lifecycle
configuration that copies them into each student's home; `classroom down` (what `make down` runs)
removes both, and the receipt says nothing is left. Real Terraform against the embedded AWS."""

from __future__ import annotations

import base64
import json

import pytest

from testkit import aws
from testkit.cli import emulator_url, env_for, run, stop_emulator

SETTINGS = """
[class]
name = "nb-class"
region = "us-east-1"
target = "local"
roster = "roster.csv"

[admin]
account_alias = ""
"""


@pytest.mark.terraform
@pytest.mark.slow
def test_up_publishes_notebooks_and_down_removes_them(tmp_path):
    state = tmp_path / "state"
    env = env_for(state)
    (tmp_path / "classroom.toml").write_text(SETTINGS)
    (tmp_path / "roster.csv").write_text("user_name,email\nada,ada@example.org\n")
    try:
        run(["up"], tmp_path, env, timeout=900)
        client = aws.clients(emulator_url(state))
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
        run(["up"], tmp_path, env, timeout=900)
        last = sorted((state / "classes" / "nb-class" / "logs").glob("up-*.log"))[-1].read_text()
        assert "Resources: 0 added, 0 changed, 0 destroyed" in last

        down = run(["down", "--yes"], tmp_path, env, timeout=900)
        assert "0 left" in down.stdout
        assert sm.list_studio_lifecycle_configs()["StudioLifecycleConfigs"] == []
        assert sm.list_domains()["Domains"] == []
        assert s3.list_buckets()["Buckets"] == []
    finally:
        stop_emulator(tmp_path, env)
