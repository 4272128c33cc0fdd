"""`classroom doctor` on the embedded AWS: every check ok for a fresh class, and each blocking case
produced for real where the emulator can (another account, a region not enabled, Terraform missing, the
account's S3 Block Public Access, a SageMaker quota of 0 — Service Quotas' knob), with the fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import boto3
import pytest

from provision import doctor, settings

ACCOUNT = "123456789012"


@pytest.fixture
def class_settings(emulator, tmp_path, monkeypatch):
    monkeypatch.setenv("CLASSROOM_EMULATOR_PORT", "0")

    def make(toml: str = "") -> settings.Settings:
        path = tmp_path / "classroom.toml"
        path.write_text(toml)
        return settings.load(path)

    return make


def _levels(lines: list[doctor.Line]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for ln in lines:
        out.setdefault(ln.level, []).append(ln.check)
    return out


def _blocking(lines: list[doctor.Line], check: str) -> doctor.Line:
    [line] = [ln for ln in lines if ln.level == doctor.BLOCKING and ln.check == check]
    assert line.fix, line
    return line


def _quotas(emulator, method: str, values: dict | None = None) -> None:
    body = json.dumps(values or {}).encode()
    urllib.request.urlopen(
        urllib.request.Request(f"{emulator.url}/__classroom/quotas", data=body, method=method)
    )


def test_a_fresh_class_on_the_embedded_aws_has_nothing_blocking(class_settings):
    lines = doctor.run(class_settings())
    levels = _levels(lines)
    assert doctor.BLOCKING not in levels, doctor.format_lines(lines)
    assert {"terraform", "account", "region", "lesson algorithms", "S3 block public access"} <= set(
        levels[doctor.OK]
    )
    assert levels[doctor.OK].count("quota") == 4
    assert "billing access" in levels[doctor.WARNING]  # no API can read it: the checklist
    fast = doctor.run(class_settings(), fast=True)
    assert "quota" not in {ln.check for ln in fast}


def test_another_account_blocks(class_settings):
    line = _blocking(
        doctor.run(class_settings('[class]\nexpected_account_id = "999999999999"\n'), fast=True), "account"
    )
    assert ACCOUNT in line.detail and "999999999999" in line.detail


def test_a_region_not_enabled_blocks(class_settings):
    # af-south-1 is opt-in: "not-opted-in" for a new account (EC2 DescribeRegions AllRegions)
    line = _blocking(doctor.run(class_settings('[class]\nregion = "af-south-1"\n'), fast=True), "region")
    assert "not enabled" in line.detail and "Enable" in line.fix


def test_a_region_without_the_lesson_algorithms_blocks(class_settings, monkeypatch):
    # fault injection: every region the SDK knows has the images, so the SDK is made to refuse one
    from sagemaker.core import image_uris

    def refuse(**kwargs):
        raise ValueError(f"Unsupported region: {kwargs.get('region')}")

    monkeypatch.setattr(image_uris, "retrieve", refuse)
    line = _blocking(doctor.run(class_settings(), fast=True), "lesson algorithms")
    assert "us-east-1" in line.detail


def test_missing_terraform_blocks(class_settings, monkeypatch, tmp_path):
    monkeypatch.setenv("CLASSROOM_TERRAFORM", str(tmp_path / "no-terraform"))
    line = _blocking(doctor.run(class_settings(), fast=True), "terraform")
    assert "no-terraform" in line.detail and "CLASSROOM_TERRAFORM" in line.fix


def test_account_block_public_access_blocks(class_settings, emulator, aws_env):
    from provision import preflight

    s3control = preflight.s3control_client("us-east-1")
    s3control.put_public_access_block(
        AccountId=ACCOUNT,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    try:
        line = _blocking(doctor.run(class_settings(), fast=True), "S3 block public access")
        assert "BlockPublicPolicy" in line.detail and "Block Public Access" in line.fix
    finally:
        s3control.delete_public_access_block(AccountId=ACCOUNT)
    with pytest.raises(s3control.exceptions.ClientError):
        s3control.get_public_access_block(AccountId=ACCOUNT)


def test_a_quota_of_zero_blocks_and_a_low_one_warns(class_settings, emulator):
    _quotas(
        emulator, "POST", {"ml.m5.xlarge for endpoint usage": 0, "ml.m5.xlarge for training job usage": 1}
    )
    try:
        sq = boto3.client(
            "service-quotas",
            region_name="us-east-1",
            endpoint_url=emulator.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        values = {
            q["QuotaName"]: q["Value"] for q in sq.list_service_quotas(ServiceCode="sagemaker")["Quotas"]
        }
        assert values["ml.m5.xlarge for endpoint usage"] == 0
        lines = doctor.run(class_settings())
        line = _blocking(lines, "quota")
        assert "ml.m5.xlarge for endpoint usage is 0" in line.detail
        assert "Service Quotas" in line.fix
        [low] = [ln for ln in lines if ln.level == doctor.WARNING and "training job usage" in ln.detail]
        assert "is 1" in low.detail
    finally:
        _quotas(emulator, "DELETE")
    assert not [ln for ln in doctor.run(class_settings()) if ln.level == doctor.BLOCKING]


def test_the_cli_exits_1_with_an_error_line_when_something_blocks(emulator, tmp_path):
    (tmp_path / "classroom.toml").write_text('[class]\nexpected_account_id = "999999999999"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"CLASSROOM_EMULATOR_PORT": "0", "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "classroom"), "doctor", "--fast"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "blocking  account" in proc.stdout and "fix: " in proc.stdout
    assert proc.stderr.strip().startswith("error: 1 blocking problem")
