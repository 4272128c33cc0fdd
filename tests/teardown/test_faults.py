"""Faults the emulator cannot produce, injected into real clients: throttling, 5xx, a kind that keeps
failing, and an interruption (Ctrl-C / crash) at each step — the re-run must end with a receipt of 0."""

from __future__ import annotations

import json

import pytest

from provision.teardown import teardown
from provision.teardown.receipt import RECEIPT_FILE
from provision.teardown.runner import PROGRESS_FILE
from testkit.teardown import Faults, make_ctx, make_scope, small_class


def quiet(_: str) -> None:
    pass


def scope_for(td_state, made):
    return make_scope(td_state, domain_ids=(made["domain"],), buckets=made["buckets"])


def test_throttling_and_5xx_are_retried(client, reset_emulator, td_state):
    made = small_class(client)
    faults = (
        Faults()
        .add("DeleteLogGroup", "send-throttle", times=2)  # botocore's adaptive retries
        .add("ListApps", "send-5xx", times=2)
        .add("DeleteBucket", "throttle", times=2)  # past botocore: the kit's own loop
        .add("DeleteUserProfile", "5xx", times=1)
        .add("ListModels", "throttle", times=1)
    )
    ctx = make_ctx(scope_for(td_state, made), hooks=faults.hooks())
    out = teardown(ctx, log=quiet)
    assert out.ok, out.receipt
    assert all(r["left"] == 0 for r in faults.rules), faults.rules
    # send-level faults were retried inside botocore (one API call each), call-level ones by the kit
    planned = {r["kind"]: r["planned"] for r in out.receipt["kinds"]}
    assert ctx.aws.count("DeleteLogGroup") == planned["log-groups"]
    assert ctx.aws.count("DeleteBucket") == 1 + 2


def test_a_failing_kind_does_not_stop_unrelated_kinds(client, reset_emulator, td_state):
    made = small_class(client)
    faults = Faults().add("DeleteEndpoint", "deny", times=10_000)
    out = teardown(make_ctx(scope_for(td_state, made), hooks=faults.hooks()), log=quiet)
    assert not out.ok
    rows = {r["kind"]: r for r in out.receipt["kinds"]}
    assert rows["endpoints"]["failed"] and "AccessDenied" in rows["endpoints"]["failed"][0]["error"]
    assert len(rows["endpoints"]["remaining"]) == 2
    for kind in ("endpoint-configs", "models", "buckets", "log-groups"):
        assert rows[kind]["skipped"].startswith("waits for"), kind
    for kind in ("studio-apps", "user-profiles", "domain", "notebook-instances", "tuning-jobs"):
        assert rows[kind]["deleted"] == rows[kind]["planned"] and not rows[kind]["remaining"], kind
    assert json.loads((td_state / RECEIPT_FILE).read_text())["ok"] is False
    # the next run, with the fault gone, finishes the job
    again = teardown(make_ctx(scope_for(td_state, made)), log=quiet)
    assert again.ok and again.receipt["remaining_total"] == 0


def test_a_domain_in_delete_failed_is_reported_with_its_reason(client, reset_emulator, td_state):
    made = small_class(client)
    failed = {
        "DomainId": made["domain"],
        "Status": "Delete_Failed",
        "FailureReason": "Unable to delete EFS: file system has mount targets in use",
    }
    # the emulator cannot fail a domain deletion: the answer to DescribeDomain after DeleteDomain is made up
    faults = Faults().add("DescribeDomain", "answer", times=100, answer=failed, once_seen="DeleteDomain")
    out = teardown(make_ctx(scope_for(td_state, made), hooks=faults.hooks()), log=quiet)
    rows = {r["kind"]: r for r in out.receipt["kinds"]}
    assert "Delete_Failed: Unable to delete EFS" in rows["domain"]["error"]
    assert rows["efs-file-systems"]["skipped"] and rows["terraform"]["skipped"]
    assert not out.ok


# every step of the deletion order, in that order: each run is interrupted at the next step and
# resumes what the previous runs left (the progress file and a fresh listing), the last run is clean
STEPS = [
    ("StopHyperParameterTuningJob", 0),
    ("DeleteEndpoint", 1),
    ("StopNotebookInstance", 0),
    ("DeleteNotebookInstance", 0),
    ("DeleteApp", 1),
    ("ListApps", 1),
    ("DeleteSpace", 0),
    ("DeleteUserProfile", 1),
    ("DeleteDomain", 0),
    # the domain goes with its home EFS and NFS groups (RetentionPolicy=Delete): the re-run's lookup
    # finds the items the interrupted run left of them gone and asks for no delete (issue 18, 1a)
    ("DeleteMountTarget", 0),
    ("DeleteEndpointConfig", 1),
    ("DeleteModel", 0),
    ("DeleteObjects", 0),
    ("DeleteBucket", 0),
    ("DeleteLogGroup", 1),
]


def test_interrupted_at_each_step_in_turn_a_rerun_ends_clean(client, reset_emulator, td_state):
    made = small_class(client)
    for operation, after in STEPS:
        faults = Faults().add(operation, "interrupt", after=after)
        with pytest.raises(KeyboardInterrupt):
            teardown(make_ctx(scope_for(td_state, made), hooks=faults.hooks()), log=quiet)
            pytest.fail(f"not interrupted at {operation}")
        assert faults.fired(operation) == 1, operation
        assert (td_state / PROGRESS_FILE).exists()
    out = teardown(make_ctx(scope_for(td_state, made)), log=quiet)
    assert out.ok, out.receipt
    assert out.receipt["remaining_total"] == 0
    assert not (td_state / PROGRESS_FILE).exists()


def test_an_interruption_before_the_first_delete_resumes(client, reset_emulator, td_state):
    made = small_class(client)
    faults = Faults().add("ListModels", "interrupt")  # while planning
    with pytest.raises(KeyboardInterrupt):
        teardown(make_ctx(scope_for(td_state, made), hooks=faults.hooks()), log=quiet)
    out = teardown(make_ctx(scope_for(td_state, made)), log=quiet)
    assert out.ok and out.receipt["remaining_total"] == 0


def test_a_swept_region_that_cannot_be_listed_blocks_nothing_but_is_reported(
    client, reset_emulator, td_state
):
    made = small_class(client)

    def deny_us_west_2(model=None, context=None, **_):  # e.g. an SCP that denies one region
        if model.name == "ListEndpoints" and (context or {}).get("client_region") == "us-west-2":
            return _Denied(), {
                "Error": {"Code": "AccessDeniedException", "Message": "denied by SCP"},
                "ResponseMetadata": {"HTTPStatusCode": 400},
            }
        return None

    out = teardown(make_ctx(scope_for(td_state, made), hooks=[("before-call", deny_us_west_2)]), log=quiet)
    rows = {r["kind"]: r for r in out.receipt["kinds"]}
    assert any("us-west-2" in w and "AccessDenied" in w for w in out.plan.warnings)
    assert rows["endpoints"]["deleted"] == 2 and rows["buckets"]["deleted"] == 1
    assert rows["models"]["skipped"] == "" and rows["log-groups"]["skipped"] == ""
    assert out.receipt["remaining_total"] == 0 and out.receipt["unchecked_regions"] and not out.ok


class _Denied:
    status_code = 400
    headers: dict = {}
    content = b""
