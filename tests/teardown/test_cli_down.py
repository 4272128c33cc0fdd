"""`classroom down` / `classroom status` through the real CLI (in-process), on the embedded AWS:
the plan, the typed confirmation, --dry-run, --yes, the receipt next to the class state, the account
refusal, and the running cost."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kitcore.statedir import write_json
from provision.cli import main
from testkit.teardown import ROLE

SETTINGS = """
[class]
name = "clitest"
region = "us-east-1"
target = "local"

[studio]
enabled = false
"""


@pytest.fixture
def cli_class(aws_env, state_dir, tmp_path, monkeypatch, reset_emulator):
    monkeypatch.delenv("TARGET", raising=False)
    settings = tmp_path / "classroom.toml"
    settings.write_text(SETTINGS)
    class_dir = state_dir / "classes" / "clitest"
    write_json(class_dir / "class.json", {"account_id": "123456789012", "target": "local"})
    write_json(class_dir / "outputs.json", {"models_bucket": "clitest-models"})
    yield settings, class_dir
    for name in ("class.json", "outputs.json", "teardown-receipt.json"):
        (class_dir / name).unlink(missing_ok=True)


def invoke(settings, *args, input=None):
    return CliRunner().invoke(main, ["--settings", str(settings), *args], input=input)


def test_down_plan_confirmation_receipt_and_status(cli_class, client):
    settings, class_dir = cli_class
    s3, sm = client("s3"), client("sagemaker")
    s3.create_bucket(Bucket="clitest-models")
    s3.put_object(Bucket="clitest-models", Key="model.tar.gz", Body=b"x")
    sm.create_notebook_instance(
        NotebookInstanceName="nb-cli",
        InstanceType="ml.t3.medium",
        RoleArn=ROLE,
        Tags=[{"Key": "classroom", "Value": "clitest"}],
    )
    # another team's notebook in the same account: `classroom down` lists it and leaves it alone
    sm.create_notebook_instance(NotebookInstanceName="team-b-nb", InstanceType="ml.t3.medium", RoleArn=ROLE)

    status = invoke(settings, "status")
    assert status.exit_code == 0, status.output
    assert "nb-cli" in status.output and "$0.050/h" in status.output and "free tier" in status.output.lower()

    dry = invoke(settings, "down", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "clitest-models" in dry.output and "bucket in the class's Terraform outputs" in dry.output
    assert "dry run: nothing was deleted" in dry.output

    wrong = invoke(settings, "down", input="not-the-name\n")
    assert wrong.exit_code == 1 and "not confirmed; nothing was deleted" in wrong.output
    assert "clitest-models" in {b["Name"] for b in s3.list_buckets()["Buckets"]}

    done = invoke(settings, "down", input="clitest\n")
    assert done.exit_code == 0, done.output
    assert "Type the class name" in done.output and "0 left" in done.output
    assert "Not the class's: left alone (1;" in done.output
    assert "not the class's: left alone: 1" in done.output
    assert s3.list_buckets()["Buckets"] == []
    names = [n["NotebookInstanceName"] for n in sm.list_notebook_instances()["NotebookInstances"]]
    assert names == ["team-b-nb"]
    receipt = json.loads((class_dir / "teardown-receipt.json").read_text())
    assert receipt["ok"] and receipt["class"] == "clitest"
    assert [(x["name"], x["per_hour"]) for x in receipt["left_alone"]] == [("team-b-nb", 0.05)]


def test_down_refuses_another_account(cli_class, client):
    settings, class_dir = cli_class
    write_json(class_dir / "class.json", {"account_id": "999999999999"})
    client("s3").create_bucket(Bucket="clitest-models")
    out = invoke(settings, "down", "--yes")
    assert out.exit_code == 1 and "refusing" in out.output
    assert [b["Name"] for b in client("s3").list_buckets()["Buckets"]] == ["clitest-models"]
