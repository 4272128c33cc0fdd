"""The Terraform runner: real terraform against the embedded AWS, the provider mirror, and errors."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from kitcore.errors import KitError
from provision import tfrunner
from provision.tfrunner import Provider, Workspace

FIXTURE = Path(__file__).parent / "fixtures" / "terraform" / "one-bucket"
TAGS = {"classroom:class": "runner-test", "managed-by": "classroom-kit"}


def _modes(root: Path) -> list[tuple[str, int]]:
    out = []
    for dirpath, _dirs, files in os.walk(root):
        out.append((dirpath, stat.S_IMODE(os.stat(dirpath).st_mode)))
        for f in files:
            p = os.path.join(dirpath, f)
            if not os.path.islink(p):
                out.append((p, stat.S_IMODE(os.stat(p).st_mode)))
    return out


@pytest.mark.terraform
def test_apply_plan_destroy_one_bucket(emulator, client, tmp_path):
    provider = Provider(target="local", region="us-east-1", tags=TAGS, endpoint=emulator.url)
    ws = Workspace.prepare(
        tmp_path / "tf",
        "runner-test",
        provider,
        {"bucket_name": "runner-probe"},
        module_source=FIXTURE,
        stream=False,
    )
    ws.init()
    ws.apply()
    s3 = client("s3")
    assert "runner-probe" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    pab = s3.get_public_access_block(Bucket="runner-probe")["PublicAccessBlockConfiguration"]
    assert all(pab.values()) and len(pab) == 4
    tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket="runner-probe")["TagSet"]}
    assert tags == TAGS  # default_tags rendered into the provider block
    outputs = ws.outputs()
    assert outputs["bucket"] == "runner-probe"
    assert ws.plan_has_changes() is False
    recorded = {r["type"] for r in tfrunner.resources_in_state(ws.state_file)}
    assert recorded == {"aws_s3_bucket", "aws_s3_bucket_public_access_block"}
    # nothing in the working directory is readable by others (state holds secrets)
    loose = [(p, oct(m)) for p, m in _modes(tmp_path / "tf") if m & 0o077]
    assert loose == []
    ws.destroy()
    assert "runner-probe" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_terraform_and_its_provider_run_with_a_lazier_garbage_collector(monkeypatch, tmp_path):
    """Every Terraform run (and the provider it starts, which inherits Terraform's environment) gets
    GOGC=400: ~25% less CPU per provider start; a GOGC the user set is kept."""
    provider = Provider(target="local", region="us-east-1", tags=TAGS, endpoint="http://127.0.0.1:1")
    monkeypatch.delenv("GOGC", raising=False)
    ws = Workspace.prepare(tmp_path / "tf", "runner-test", provider, {}, module_source=FIXTURE, stream=False)
    assert ws._env()["GOGC"] == "400"
    monkeypatch.setenv("GOGC", "150")
    assert ws._env()["GOGC"] == "150"


@pytest.mark.terraform
def test_state_rm_edits_the_state_file_and_terraform_reads_it(emulator, client, tmp_path, monkeypatch):
    """``Workspace.state_rm`` forgets instances in the state file itself (format 4), without starting
    Terraform: Terraform's own ``state list`` and ``destroy`` then work from the edited file, and the
    previous state is the backup. An address the state does not hold goes to ``terraform state rm``."""
    provider = Provider(target="local", region="us-east-1", tags=TAGS, endpoint=emulator.url)
    ws = Workspace.prepare(
        tmp_path / "tf", "runner-test", provider, {"bucket_name": "runner-forget"}, module_source=FIXTURE
    )
    ws.init()
    ws.apply()
    before = json.loads(ws.state_file.read_text())
    pab = "module.classroom.aws_s3_bucket_public_access_block.this"
    addresses = {tfrunner.state_address(r, i) for r in before["resources"] for i in r["instances"]}
    assert pab in addresses, addresses
    ran: list[str] = []
    real_run = ws._run
    monkeypatch.setattr(ws, "_run", lambda cmd, *a, **kw: ran.append(cmd) or real_run(cmd, *a, **kw))
    ws.state_rm([pab])
    assert ran == []  # no Terraform start
    after = json.loads(ws.state_file.read_text())
    assert after["serial"] == before["serial"] + 1 and after["lineage"] == before["lineage"]
    assert json.loads((tmp_path / "tf" / "terraform.tfstate.backup").read_text()) == before
    assert stat.S_IMODE(os.stat(ws.state_file).st_mode) == 0o600
    _, listed = ws._run("state list", quiet=True)
    assert pab not in listed and "aws_s3_bucket.this" in listed
    with pytest.raises(KitError):  # not in the state: Terraform's own state rm says so
        ws.state_rm(["module.classroom.aws_s3_bucket.missing"])
    assert ran[-1] == "state rm"
    ws.destroy(refresh=False)
    assert tfrunner.resources_in_state(ws.state_file) == []
    assert "runner-forget" not in [b["Name"] for b in client("s3").list_buckets()["Buckets"]]


def test_render_local_provider_points_every_service_at_the_emulator():
    text = tfrunner.render_main(
        "c1", Provider("local", "eu-west-1", TAGS, "http://127.0.0.1:4999"), {"b": 1, "a": 2}, FIXTURE
    )
    import re

    pointed = re.findall(r'^\s+(\w+)\s+= "http://127\.0\.0\.1:4999"$', text, flags=re.M)
    assert sorted(pointed) == sorted(tfrunner.LOCAL_SERVICES)
    assert "max_retries                 = 1" in text
    assert 'region = "eu-west-1"' in text
    assert text.index('variable "a"') < text.index('variable "b"')


def test_render_aws_provider_has_no_endpoints_or_fake_keys():
    text = tfrunner.render_main("c1", Provider("aws", "us-east-1", TAGS), {}, FIXTURE)
    assert "endpoints" not in text and "testing" not in text
    assert '"managed-by" = "classroom-kit"' in text


def test_unknown_target_is_one_line():
    with pytest.raises(KitError, match="unknown target 'gcp'"):
        Provider("gcp", "us-east-1", TAGS)


def test_missing_terraform_binary(monkeypatch, tmp_path):
    monkeypatch.setenv("CLASSROOM_TERRAFORM", str(tmp_path / "no-terraform"))
    with pytest.raises(KitError, match="install Terraform >= 1.6 or set CLASSROOM_TERRAFORM"):
        Workspace.prepare(tmp_path / "tf", "c", Provider("aws", "us-east-1", TAGS), {}, FIXTURE)
    assert not (tmp_path / "tf").exists()


def test_configured_mirror_without_provider(monkeypatch, tmp_path):
    monkeypatch.setenv("CLASSROOM_PROVIDER_MIRROR", str(tmp_path))
    with pytest.raises(KitError, match="holds no registry.terraform.io/hashicorp/aws provider"):
        tfrunner.find_mirror()


@pytest.mark.terraform
def test_no_provider_obtainable_names_the_setting(monkeypatch, tmp_path):
    monkeypatch.delenv("CLASSROOM_PROVIDER_MIRROR", raising=False)
    monkeypatch.setattr(tfrunner, "MIRROR_CANDIDATES", ())
    # make sure the registry is unreachable even on a machine with internet
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    ws = Workspace.prepare(
        tmp_path / "tf", "c", Provider("aws", "us-east-1", TAGS), {}, module_source=FIXTURE, stream=False
    )
    assert ws.mirror is None
    with pytest.raises(KitError, match="set CLASSROOM_PROVIDER_MIRROR"):
        ws.init()


def test_state_dir_unwritable(monkeypatch, tmp_path):
    from kitcore.statedir import ensure_dir, state_root

    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    monkeypatch.setenv("CLASSROOM_STATE_DIR", str(ro / "state"))
    if os.geteuid() == 0:
        # root ignores permission bits; a path below a regular file is unwritable for everyone
        (tmp_path / "file").write_text("")
        monkeypatch.setenv("CLASSROOM_STATE_DIR", str(tmp_path / "file" / "state"))
    with pytest.raises(KitError, match="is not writable.*set CLASSROOM_STATE_DIR"):
        ensure_dir(state_root() / "emulator")


@pytest.mark.terraform
def test_failed_apply_shows_the_error_lines_and_the_logs_path(emulator, tmp_path):
    """Quiet mode (the default): Terraform's JSON diagnostics become the error lines on the
    terminal and in the run's log; the one-line error names the log."""
    import io

    provider = Provider(target="local", region="us-east-1", tags=TAGS, endpoint=emulator.url)
    ws = Workspace.prepare(
        tmp_path / "tf",
        "runner-test",
        provider,
        {"bucket_name": {"not": "a string"}},
        module_source=FIXTURE,
        stream=False,
        log_path=tmp_path / "logs" / "up.log",
    )
    ws.out = io.StringIO()
    ws.init()
    with pytest.raises(KitError) as err:
        ws.apply()
    message = str(err.value)
    assert message.startswith("terraform apply failed: Invalid value for input variable")
    assert message.endswith(f"(full log: {tmp_path / 'logs' / 'up.log'})") and "\n" not in message
    shown = ws.out.getvalue()
    assert "  | Error: Invalid value for input variable" in shown
    log = (tmp_path / "logs" / "up.log").read_text()
    assert "s Error: Invalid value for input variable" in log and "# exit code 1 after" in log
    assert stat.S_IMODE(os.stat(tmp_path / "logs" / "up.log").st_mode) == 0o600


def test_progress_counts_the_plans_resources_not_data_source_reads():
    import io
    import json

    def ev(kind, addr, action="create"):
        key = "change" if kind == "planned_change" else "hook"
        return json.dumps(
            {"type": kind, "@message": f"{addr}: {kind}", key: {"resource": {"addr": addr}, "action": action}}
        )

    out = io.StringIO()
    progress = tfrunner._Progress("account setup", "apply", tfrunner.ui.LiveLine(out))
    for line in (
        ev("planned_change", "a.x"),
        ev("planned_change", "a.y"),
        ev("planned_change", "data.b.z", "read"),
        ev("apply_complete", "data.b.z", "read"),
        ev("apply_start", "a.x"),
        ev("apply_complete", "a.x"),
        ev("apply_complete", "a.y"),
    ):
        assert progress.feed(line) == [json.loads(line)["@message"]]
    assert progress.feed("not json\n") == ["not json"]
    progress.finish()
    assert out.getvalue().startswith("account setup 2/2 resources · ")  # not a terminal: one line
    assert out.getvalue().count("\n") == 1
