"""Issue 18 item 1 and issue 12 item 4: a teardown interrupted while a notebook instance is being
deleted finishes on the next run, no item stays in the progress file forever, and the receipt's
"N left" counts what is really left (every item of a skipped kind, every resource in the Terraform
state), checked against an independent boto3 listing."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from kitcore.statedir import write_json
from provision.teardown import teardown
from provision.teardown.aws import is_not_found
from provision.teardown.model import item
from provision.teardown.runner import PROGRESS_FILE, Progress
from testkit.teardown import ROLE, Faults, make_ctx, make_scope

INTERRUPTED = "(left by an interrupted teardown)"
# These tests make untagged resources with boto3 and are about resuming and counting, not about
# ownership: their classes declare the account dedicated, so untagged SageMaker resources are in
# scope (tests/teardown/test_ownership.py covers the other mode).


def quiet(_: str) -> None:
    pass


def client_error(code: str, message: str) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": 400}},
        "DescribeNotebookInstance",
    )


def test_record_not_found_is_not_found():
    # AWS answers a missing notebook instance with ValidationException "RecordNotFound": the provider
    # matches exactly that (terraform-provider-aws internal/service/sagemaker/find.go,
    # findNotebookInstanceByName: tfawserr.ErrMessageContains(err, "ValidationException", "RecordNotFound"))
    assert is_not_found(client_error("ValidationException", "RecordNotFound"))
    busy = "Status (InService) not in ([Stopped, Failed])"
    assert not is_not_found(client_error("ValidationException", busy))


def test_the_emulator_answers_a_missing_notebook_instance_like_aws(client, reset_emulator):
    sm = client("sagemaker")
    for call in (
        lambda: sm.describe_notebook_instance(NotebookInstanceName="nope"),
        lambda: sm.stop_notebook_instance(NotebookInstanceName="nope"),
        lambda: sm.delete_notebook_instance(NotebookInstanceName="nope"),
    ):
        with pytest.raises(ClientError) as err:
            call()
        assert err.value.response["Error"]["Code"] == "ValidationException"
        assert "RecordNotFound" in err.value.response["Error"]["Message"]


def test_the_emulator_deletes_a_notebook_instance_through_deleting(client, reset_emulator):
    sm = client("sagemaker")
    sm.create_notebook_instance(NotebookInstanceName="nb", InstanceType="ml.t3.medium", RoleArn=ROLE)
    sm.stop_notebook_instance(NotebookInstanceName="nb")
    seen = set()
    for _ in range(200):
        status = sm.describe_notebook_instance(NotebookInstanceName="nb")["NotebookInstanceStatus"]
        seen.add(status)
        if status == "Stopped":
            break
    assert {"Stopping", "Stopped"} <= seen
    sm.delete_notebook_instance(NotebookInstanceName="nb")
    assert sm.describe_notebook_instance(NotebookInstanceName="nb")["NotebookInstanceStatus"] == "Deleting"
    import time

    deadline = time.monotonic() + 10
    while sm.list_notebook_instances()["NotebookInstances"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sm.list_notebook_instances()["NotebookInstances"] == []


def _independent_count(client) -> int:
    """What a person would find with boto3: notebook instances and /aws/sagemaker log groups."""
    sm, logs = client("sagemaker"), client("logs")
    return len(sm.list_notebook_instances()["NotebookInstances"]) + len(
        logs.describe_log_groups(logGroupNamePrefix="/aws/sagemaker/")["logGroups"]
    )


def test_interrupted_while_a_notebook_instance_is_deleted_the_rerun_finishes(
    client, reset_emulator, td_state
):
    sm, logs = client("sagemaker"), client("logs")
    sm.create_notebook_instance(NotebookInstanceName="nb", InstanceType="ml.t3.medium", RoleArn=ROLE)
    logs.create_log_group(logGroupName="/aws/sagemaker/NotebookInstances")
    scope = make_scope(td_state, sweep_regions=("us-east-1",), dedicated=True)
    # Ctrl-C right after DeleteNotebookInstance was accepted, before the run could record it
    faults = Faults().add("ListNotebookInstances", "interrupt", once_seen="DeleteNotebookInstance")
    with pytest.raises(KeyboardInterrupt):
        teardown(make_ctx(scope, hooks=faults.hooks()), log=quiet)
    assert faults.fired("ListNotebookInstances") == 1
    import time

    deadline = time.monotonic() + 10  # the instance goes away while nobody runs
    while sm.list_notebook_instances()["NotebookInstances"] and time.monotonic() < deadline:
        time.sleep(0.05)
    out = teardown(make_ctx(scope), log=quiet)
    rows = {r["kind"]: r for r in out.receipt["kinds"]}
    assert rows["notebook-instances"]["error"] == "" and not rows["notebook-instances"]["failed"], rows
    assert rows["log-groups"]["skipped"] == "" and rows["log-groups"]["deleted"] == 1
    assert out.ok and out.receipt["remaining_total"] == 0 == _independent_count(client)
    assert not (td_state / PROGRESS_FILE).exists()


def test_an_item_the_fresh_listing_no_longer_returns_is_gone_whatever_its_delete_says(
    client, reset_emulator, td_state
):
    """(a): a progress-file item that its kind's fresh listing does not return is gone, even when
    asking for it fails in a way the kit does not know (here: access denied)."""
    Progress(td_state).save([item("notebook-instances", "us-east-1", "ghost", "notebook instance")])
    faults = Faults().add("DescribeNotebookInstance", "deny", times=100)
    scope = make_scope(td_state, sweep_regions=("us-east-1",), dedicated=True)
    out = teardown(make_ctx(scope, hooks=faults.hooks()), log=quiet)
    assert out.ok, out.receipt
    assert all(it.id != "ghost" for it in out.plan.items)
    assert not (td_state / PROGRESS_FILE).exists()


def test_the_interrupted_note_does_not_grow(client, reset_emulator, td_state):
    """(c): an item left by several interrupted runs says so once."""
    sm = client("sagemaker")
    for name in ("m1", "m2"):
        sm.create_model(
            ModelName=name,
            ExecutionRoleArn=ROLE,
            PrimaryContainer={
                "Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
            },
        )
    scope = make_scope(td_state, sweep_regions=("us-east-1",), dedicated=True)
    faults = Faults().add("DeleteModel", "interrupt")
    with pytest.raises(KeyboardInterrupt):
        teardown(make_ctx(scope, hooks=faults.hooks()), log=quiet)
    # from now on the models cannot be listed: they come only from the progress file, run after run
    for _ in range(3):
        lines: list[str] = []
        out = teardown(
            make_ctx(scope, hooks=Faults().add("ListModels", "deny", times=100).hooks()), log=lines.append
        )
        assert not out.ok
        models = [
            line
            for line in "\n".join(lines).splitlines()
            if line.split()[:2] in (["models", "m1"], ["models", "m2"])
        ]
        assert len(models) == 2 and all(line.count(INTERRUPTED) == 1 for line in models), models
    saved = json.loads((td_state / PROGRESS_FILE).read_text())["items"]
    assert saved and all(INTERRUPTED not in it["reason"] for it in saved), saved
    assert teardown(make_ctx(scope), log=quiet).ok


def test_the_receipt_counts_every_item_of_a_skipped_kind_and_every_resource_in_the_state(
    client, reset_emulator, td_state
):
    """(b): "N left" equals an independent listing: boto3 for what the kinds delete, plus every
    resource the class's Terraform state still holds (what `terraform destroy` must still remove)."""
    sm, logs = client("sagemaker"), client("logs")
    sm.create_notebook_instance(NotebookInstanceName="nb", InstanceType="ml.t3.medium", RoleArn=ROLE)
    for name in ("/aws/sagemaker/NotebookInstances", "/aws/sagemaker/TrainingJobs"):
        logs.create_log_group(logGroupName=name)
    tfstate = td_state / "terraform" / "terraform.tfstate"
    resources = [
        {
            "mode": "managed",
            "type": t,
            "name": n,
            "module": "module.classroom",
            "instances": [{"attributes": {"id": i}}],
        }
        for t, n, i in (
            ("aws_iam_user", "student", "s1"),
            ("aws_iam_group", "students", "g"),
            ("aws_iam_account_alias", "this", "alias"),
        )
    ]
    resources.append(
        {
            "mode": "data",
            "type": "aws_caller_identity",
            "name": "me",
            "instances": [{"attributes": {"id": "123456789012"}}],
        }
    )
    write_json(tfstate, {"version": 4, "resources": resources})

    def destroy() -> None:
        raise AssertionError("terraform destroy must wait for the notebook instance")

    from provision.teardown.scope import scope_from_files

    base = scope_from_files(
        class_name="ml101",
        region="us-east-1",
        class_dir=td_state,
        expected_account_id="123456789012",
        terraform_destroy=destroy,
        sweep_regions=("us-east-1",),
    )
    scope = make_scope(
        td_state,
        sweep_regions=("us-east-1",),
        dedicated=True,
        terraform_destroy=destroy,
        terraform_pending=base.terraform_pending,
        terraform_resources=base.terraform_resources,
    )
    # the notebook instance cannot be stopped: log groups and terraform wait for it
    faults = Faults().add("StopNotebookInstance", "deny", times=100)
    ctx = make_ctx(scope, hooks=faults.hooks())
    ctx.wait_timeout_s = 2
    out = teardown(ctx, log=quiet)
    rows = {r["kind"]: r for r in out.receipt["kinds"]}
    assert rows["log-groups"]["skipped"] and rows["terraform"]["skipped"]
    assert len(rows["log-groups"]["remaining"]) == 2
    assert sorted(r["name"] for r in rows["terraform"]["remaining"]) == [
        "module.classroom.aws_iam_account_alias.this",
        "module.classroom.aws_iam_group.students",
        "module.classroom.aws_iam_user.student",
    ]
    in_state = sum(
        len(r["instances"]) for r in json.loads(tfstate.read_text())["resources"] if r["mode"] == "managed"
    )
    assert out.receipt["remaining_total"] == _independent_count(client) + in_state == 6


def _nb_answer(status: str) -> dict:
    return {
        "NotebookInstanceName": "nb",
        "NotebookInstanceStatus": status,
        "NotebookInstanceArn": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb",
    }


def test_a_notebook_instance_in_maintenance_is_waited_for_not_failed(client, reset_emulator, td_state):
    """InMaintenance (botocore's NotebookInstanceStatus enum) cannot be stopped or deleted: the kit waits
    and asks again. The emulator has no maintenance windows, so that status is a made-up answer."""
    sm = client("sagemaker")
    sm.create_notebook_instance(NotebookInstanceName="nb", InstanceType="ml.t3.medium", RoleArn=ROLE)
    faults = (
        Faults()
        .add("DescribeNotebookInstance", "answer", times=1, answer=_nb_answer("InMaintenance"))
        .add(
            "ListNotebookInstances",
            "answer",
            times=2,
            once_seen="DescribeNotebookInstance",
            answer={"NotebookInstances": [_nb_answer("InMaintenance")]},
        )
    )
    ctx = make_ctx(make_scope(td_state, sweep_regions=("us-east-1",), dedicated=True), hooks=faults.hooks())
    out = teardown(ctx, log=quiet)
    assert out.ok, out.receipt
    assert faults.fired("ListNotebookInstances") == 2
    ops = [c.operation for c in ctx.aws.calls]
    # nothing was asked of the instance while it was in maintenance
    first_stop = ops.index("StopNotebookInstance")
    assert ops[:first_stop].count("ListNotebookInstances") >= 3  # the plan's listing + the two answers
    assert sm.list_notebook_instances()["NotebookInstances"] == []


def test_a_notebook_instance_pending_maintenance_is_stopped_like_a_running_one(
    client, reset_emulator, td_state
):
    """PendingMaintenance: running (and billing) with maintenance scheduled: stop it, then delete it."""
    sm = client("sagemaker")
    sm.create_notebook_instance(NotebookInstanceName="nb", InstanceType="ml.t3.medium", RoleArn=ROLE)
    faults = Faults().add(
        "DescribeNotebookInstance", "answer", times=1, answer=_nb_answer("PendingMaintenance")
    )
    ctx = make_ctx(make_scope(td_state, sweep_regions=("us-east-1",), dedicated=True), hooks=faults.hooks())
    out = teardown(ctx, log=quiet)
    assert out.ok, out.receipt
    ops = [c.operation for c in ctx.aws.calls]
    assert ops.index("StopNotebookInstance") < ops.index("DeleteNotebookInstance")
    assert ctx.aws.count("DeleteNotebookInstance") == 1
    assert sm.list_notebook_instances()["NotebookInstances"] == []
