"""Issue 18 item 2: every command that changes something in AWS checks the caller's account against
both the settings' pin (`expected_account_id`) and the class's record (class.json) before its first
such call; the pin and the record disagreeing is itself an error."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from kitcore.errors import KitError
from kitcore.statedir import write_json
from provision import classroom
from provision import settings as settings_mod
from provision.cli import main

EMULATOR_ACCOUNT = "123456789012"
OTHER = "999999999999"


def settings_text(pin: str) -> str:
    return f'[class]\nname = "pintest"\nexpected_account_id = "{pin}"\n[studio]\nenabled = false\n'


@pytest.fixture
def pinned_class(aws_env, state_dir, tmp_path, monkeypatch, reset_emulator):
    monkeypatch.delenv("TARGET", raising=False)
    class_dir = state_dir / "classes" / "pintest"
    write_json(class_dir / "class.json", {"account_id": EMULATOR_ACCOUNT, "target": "local"})
    write_json(
        class_dir / "outputs.json",
        {"models_bucket": "pintest-models", "execution_role_arn": f"arn:aws:iam::{EMULATOR_ACCOUNT}:role/r"},
    )
    path = tmp_path / "classroom.toml"
    yield path, class_dir
    for name in ("class.json", "outputs.json", "teardown-receipt.json", "teardown-progress.json"):
        (class_dir / name).unlink(missing_ok=True)


def invoke(path, *args):
    return CliRunner().invoke(main, ["--settings", str(path), *args])


def test_down_refuses_when_the_settings_pin_another_account(pinned_class, client):
    path, _ = pinned_class
    path.write_text(settings_text(OTHER))
    client("s3").create_bucket(Bucket="pintest-models")
    out = invoke(path, "down", "--yes")
    assert out.exit_code == 1 and "refusing" in out.output, out.output
    assert "pintest-models" in [b["Name"] for b in client("s3").list_buckets()["Buckets"]]


def test_train_refuses_when_the_settings_pin_another_account(pinned_class, client):
    path, _ = pinned_class
    path.write_text(settings_text(OTHER))
    out = invoke(path, "train", "rainfall")
    assert out.exit_code == 1 and "refusing" in out.output and OTHER in out.output, out.output
    sm = client("sagemaker")
    assert sm.list_training_jobs()["TrainingJobSummaries"] == []
    assert "pintest-models" not in [b["Name"] for b in client("s3").list_buckets()["Buckets"]]


def test_the_pin_and_the_record_must_agree(pinned_class, monkeypatch):
    """Pinned to the credentials' account, but the class was created in another one."""
    path, class_dir = pinned_class
    path.write_text(settings_text(EMULATOR_ACCOUNT))
    write_json(class_dir / "class.json", {"account_id": OTHER})
    mismatch = f"expected_account_id is {EMULATOR_ACCOUNT}.*created in account {OTHER}"
    with pytest.raises(KitError, match=mismatch):
        classroom.check_account(settings_mod.load(path))
    out = invoke(path, "down", "--yes")
    assert out.exit_code == 1 and "refusing" in out.output, out.output
