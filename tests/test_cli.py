"""The `classroom` CLI: emulator lifecycle, `env`, and one-line errors for bad input."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLASSROOM = [str(Path(sys.executable).parent / "classroom")]


def run(args, state, extra_env=None, check=False):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["CLASSROOM_STATE_DIR"] = str(state)
    env.update(extra_env or {})
    proc = subprocess.run(CLASSROOM + args, capture_output=True, text=True, env=env, cwd=state, timeout=120)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture
def private_state(tmp_path):
    d = tmp_path / "state"
    d.mkdir()
    yield d
    run(["emulator", "stop"], d)


def one_error_line(proc):
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode != 0
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def test_emulator_start_env_boto3_stop(private_state):
    out = run(["emulator", "start"], private_state, check=True).stdout
    assert "embedded AWS running: http://127.0.0.1:" in out
    assert "running: http://127.0.0.1:" in run(["emulator", "status"], private_state, check=True).stdout
    exports = run(["env"], private_state, check=True).stdout
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    for line in exports.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = value
    script = (
        "import boto3; s3 = boto3.client('s3'); s3.create_bucket(Bucket='from-env');"
        "print(','.join(b['Name'] for b in s3.list_buckets()['Buckets']))"
    )
    listed = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert listed.stdout.strip() == "from-env", listed.stderr
    # every file in the state directory is private
    for dirpath, _dirs, files in os.walk(private_state):
        if dirpath == str(private_state):
            continue
        assert os.stat(dirpath).st_mode & 0o077 == 0, dirpath
        for f in files:
            assert os.stat(os.path.join(dirpath, f)).st_mode & 0o077 == 0, f
    assert "embedded AWS stopped" in run(["emulator", "stop"], private_state, check=True).stdout
    proc = run(["emulator", "status"], private_state)
    assert proc.returncode == 3 and "not running" in proc.stdout


def test_unknown_target(private_state):
    line = one_error_line(run(["--target", "gcp", "emulator", "status"], private_state))
    assert "unknown TARGET 'gcp'" in line or "unknown TARGET" in line


def test_env_without_emulator(private_state):
    line = one_error_line(run(["env"], private_state))
    assert line == (
        "error: the embedded AWS is not running; start it with `classroom emulator start` or `make up`"
    )


def test_port_in_use(private_state):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        line = one_error_line(run(["emulator", "start", "--port", str(port)], private_state))
    assert f"port {port} on 127.0.0.1 is already in use" in line
    assert not (private_state / "emulator" / "server.json").exists()


def test_dead_emulator_is_reported(private_state):
    run(["emulator", "start"], private_state, check=True)
    info = (private_state / "emulator" / "server.json").read_text()
    import json

    os.kill(json.loads(info)["pid"], 9)
    line = one_error_line(run(["env"], private_state))
    assert "is not running any more" in line


def test_state_dir_unwritable(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["CLASSROOM_STATE_DIR"] = str(blocker / "state")
    proc = subprocess.run(
        CLASSROOM + ["emulator", "start"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
    )
    assert "is not writable" in one_error_line(proc)


def test_next_command_removes_expired_endpoint(private_state):
    """`classroom deploy --minutes N` tags an expiry; the next kit command deletes what expired."""
    from kitcore import tags as kit_tags
    from provision import settings as settings_mod
    from provision.endpoints import class_scope
    from testkit import aws

    run(["emulator", "start"], private_state, check=True)
    port = __import__("json").loads((private_state / "emulator" / "server.json").read_text())["port"]
    sm = aws.clients(f"http://127.0.0.1:{port}")("sagemaker")
    scope = class_scope(settings_mod.load(None))
    tags = [{"Key": k, "Value": v} for k, v in scope.items()]
    for name, expires in (("old", "2020-01-01T00:00:00Z"), ("fresh", "2999-01-01T00:00:00Z")):
        aws.endpoint(
            sm,
            f"e-{name}",
            role="arn:aws:iam::123456789012:role/probe",
            bucket="nowhere",
            tags=tags + [{"Key": kit_tags.EXPIRES, "Value": expires}],
        )
    proc = run(["status"], private_state)
    assert "removed expired endpoint e-old" in proc.stdout, proc.stdout + proc.stderr
    assert [e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]] == ["e-fresh"]
    assert [c["EndpointConfigName"] for c in sm.list_endpoint_configs()["EndpointConfigs"]] == [
        "e-fresh-config"
    ]
    assert [m["ModelName"] for m in sm.list_models()["Models"]] == ["e-fresh-model"]
    sm.delete_endpoint(EndpointName="e-fresh")
    sm.delete_endpoint_config(EndpointConfigName="e-fresh-config")
    sm.delete_model(ModelName="e-fresh-model")
    assert sm.list_endpoints()["Endpoints"] == []


def test_up_refuses_account_level_public_access_block(private_state, monkeypatch):
    """The account blocks public policies: `up` says so in one line before creating anything."""
    import boto3

    from provision import preflight

    run(["emulator", "start"], private_state, check=True)
    port = __import__("json").loads((private_state / "emulator" / "server.json").read_text())["port"]
    url = f"http://127.0.0.1:{port}"
    for k, v in {
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(k, v)
    preflight.s3control_client("us-east-1").put_public_access_block(
        AccountId="123456789012",
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    line = one_error_line(run(["up"], private_state))
    assert "public" in line.lower() and "block" in line.lower(), line
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=url)
    iam = boto3.client("iam", region_name="us-east-1", endpoint_url=url)
    assert s3.list_buckets()["Buckets"] == []
    assert iam.list_users()["Users"] == []
    assert not (private_state / "classes" / "ml-class" / "terraform" / "terraform.tfstate").exists()
