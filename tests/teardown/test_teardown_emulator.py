"""The leftover scenario on the embedded AWS: what students leave behind, made through boto3, then
one teardown. Asserts the deletion order (recorded calls), 0 left, the receipt, and that nothing out
of scope was touched."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from provision.teardown import teardown
from provision.teardown.receipt import RECEIPT_FILE
from testkit.teardown import (
    CLASS_TAGS,
    OTHER,
    REGION,
    class_clients,
    endpoint,
    first,
    last,
    make_ctx,
    make_scope,
    studio,
    tuning_job,
    versioned_bucket,
)


@pytest.fixture
def leftovers(client, reset_emulator):
    sm, sm2, s3, ec2, logs = class_clients(client)
    domain = studio(sm, ec2, profiles=15)
    versioned_bucket(s3, "ml101-models", versions=1200, markers=150)
    s3.create_bucket(Bucket="ml101-share")
    s3.put_bucket_tagging(Bucket="ml101-share", Tagging={"TagSet": [{"Key": "classroom", "Value": "ml101"}]})
    s3.put_object(Bucket="ml101-share", Key="public/readme.txt", Body=b"hi")
    for name in ("rain-xgb", "credit-ll"):
        endpoint(sm, name)
    endpoint(sm2, "wrong-region-ep")
    sm.create_notebook_instance(
        NotebookInstanceName="student-07-nb", InstanceType="ml.t3.medium", RoleArn=ROLE_ARN, Tags=CLASS_TAGS
    )
    # the endpoint's own group comes with it; SageMaker's shared group holds every team's job logs
    for g in ("/aws/sagemaker/TrainingJobs", "/aws/sagemaker/Endpoints/rain-xgb"):
        logs.create_log_group(logGroupName=g)
    tuning_job(sm, "rain-tuning", s3=s3)
    # out of scope: someone else's bucket and log group; must survive
    s3.create_bucket(Bucket="not-the-class-bucket")
    logs.create_log_group(logGroupName="/app/other")
    return {"domain": domain, "sm": sm, "sm2": sm2, "s3": s3, "ec2": ec2, "logs": logs}


ROLE_ARN = "arn:aws:iam::123456789012:role/classroom-sagemaker"


def test_leftover_scenario_is_deleted_in_order_and_receipt_is_zero(leftovers, td_state):
    lo = leftovers
    scope = make_scope(td_state, domain_ids=(lo["domain"],), buckets=("ml101-models",))
    ctx = make_ctx(scope)
    lines: list[str] = []
    out = teardown(ctx, log=lines.append)
    text = "\n".join(lines)

    assert out.ok, text
    receipt = json.loads((td_state / RECEIPT_FILE).read_text())
    assert receipt["ok"] is True and receipt["remaining_total"] == 0
    assert (td_state / RECEIPT_FILE).stat().st_mode & 0o777 == 0o600
    planned = {r["kind"]: r["planned"] for r in receipt["kinds"]}
    how = {(r["kind"], r["region"]): r["how"] for r in receipt["rechecked"]}
    for kind in ("studio-apps", "spaces", "user-profiles"):  # inside the deleted domain: said, not listed
        assert how[(kind, REGION)].startswith(f"not listed: domain {lo['domain']} no longer exists"), how
    assert how[("domain", REGION)] == "listed again in full"
    assert "3 Studio kind(s) known empty because their domain no longer exists" in text
    assert planned["user-profiles"] == 15
    assert planned["studio-apps"] == 16  # 15 profiles' apps + the space's app
    assert planned["spaces"] == 1
    assert planned["endpoints"] == 3 and planned["endpoint-configs"] == 3 and planned["models"] == 3
    assert planned["buckets"] == 2 and planned["notebook-instances"] == 1
    assert planned["tuning-jobs"] == 1  # the running tuning job (stopped, not deleted)
    assert "0 left" in text

    # order, from the recorded calls
    calls = ctx.aws.calls
    assert last(calls, "DeleteApp") < first(calls, "DeleteSpace") < first(calls, "DeleteUserProfile")
    assert last(calls, "DeleteUserProfile") < first(calls, "DeleteDomain")
    assert last(calls, "DeleteEndpoint") < first(calls, "DeleteEndpointConfig")
    assert last(calls, "DeleteEndpointConfig") < first(calls, "DeleteModel")
    assert last(calls, "DeleteEndpoint") < first(calls, "DeleteBucket")
    assert first(calls, "StopHyperParameterTuningJob") < first(calls, "DeleteObjects")
    assert first(calls, "DeleteLogGroup") > max(
        last(calls, op) for op in ("DeleteEndpoint", "DeleteApp", "DeleteDomain", "DeleteNotebookInstance")
    )
    for op in ("DeleteObjects", "DeleteBucket", "DeleteLogGroup"):
        assert all(c.region == REGION for c in calls if c.operation == op)
    # SageMaker's home EFS goes with the domain: RetentionPolicy Delete
    dd = [c for c in calls if c.operation == "DeleteDomain"]
    assert dd[0].params["RetentionPolicy"] == {"HomeEfsFileSystem": "Delete"}
    # 1,200 versions + 150 delete markers: batches of at most 1,000, paged past 1,000
    batches = [
        len(c.params["Delete"]["Objects"])
        for c in calls
        if c.operation == "DeleteObjects" and c.params["Bucket"] == "ml101-models"
    ]
    # (+ the tuning job's two data files and whatever its stopped training jobs wrote)
    assert sum(batches) >= 1350 and max(batches) <= 1000 and len(batches) >= 2

    # the account, seen directly: nothing of the class left, the rest untouched
    sm, sm2, s3, ec2, logs = lo["sm"], lo["sm2"], lo["s3"], lo["ec2"], lo["logs"]
    assert sm.list_endpoints()["Endpoints"] == [] and sm2.list_endpoints()["Endpoints"] == []
    assert sm.list_endpoint_configs()["EndpointConfigs"] == [] and sm2.list_models()["Models"] == []
    assert sm.list_notebook_instances()["NotebookInstances"] == []
    with pytest.raises(ClientError):
        sm.describe_domain(DomainId=lo["domain"])
    names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert names == {"not-the-class-bucket"}
    # SageMaker's shared log group is not provably the class's: left alone, listed, not counted
    assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == [
        "/app/other",
        "/aws/sagemaker/TrainingJobs",
    ]
    assert [(a["kind"], a["name"]) for a in receipt["left_alone"]] == [
        ("log-groups", "/aws/sagemaker/TrainingJobs")
    ]
    groups = [f"security-group-for-{d}-nfs-{lo['domain']}" for d in ("inbound", "outbound")]
    nfs = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": groups}])
    assert nfs["SecurityGroups"] == []
    running = sm.list_hyper_parameter_tuning_jobs(StatusEquals="InProgress")
    assert running["HyperParameterTuningJobSummaries"] == []

    # idempotent: a second run finds nothing and still ends with a receipt of 0
    again = teardown(make_ctx(scope), log=lambda _: None)
    assert again.ok and again.plan.items == []


def test_dry_run_deletes_nothing_and_wrong_account_is_refused(client, reset_emulator, td_state):
    sm = client("sagemaker")
    endpoint(sm, "keep-me")
    lines: list[str] = []
    out = teardown(make_ctx(make_scope(td_state)), dry_run=True, log=lines.append)
    assert out.receipt is None and "dry run: nothing was deleted" in lines[-1]
    assert any("keep-me" in line and "bills by the hour" in line for line in lines)
    assert [e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]] == ["keep-me"]

    from kitcore.errors import KitError

    with pytest.raises(KitError, match="account 123456789012.*created in account 999999999999"):
        teardown(make_ctx(make_scope(td_state, account_id="999999999999")), log=lambda _: None)
    with pytest.raises(KitError, match="not confirmed"):
        teardown(make_ctx(make_scope(td_state)), confirm=lambda plan: False, log=lambda _: None)
    assert [e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]] == ["keep-me"]


def test_domain_found_by_the_class_tags_when_outputs_are_lost(client, reset_emulator, td_state):
    sm, ec2 = client("sagemaker"), client("ec2")
    ours = studio(sm, ec2, profiles=2)
    theirs = studio(sm, ec2, profiles=1, name="another-team")
    arn = sm.describe_domain(DomainId=ours)["DomainArn"]
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": "classroom", "Value": "ml101"}])
    out = teardown(make_ctx(make_scope(td_state, sweep_regions=(REGION,))), log=lambda _: None)
    assert out.ok, out.receipt
    reasons = {it.id: it.reason for it in out.plan.items if it.kind == "domain"}
    assert reasons == {ours: "Studio domain tagged with the class's tags"}
    assert [d["DomainId"] for d in sm.list_domains()["Domains"]] == [theirs]
    assert len(sm.list_user_profiles(DomainIdEquals=theirs)["UserProfiles"]) == 1


def test_receipt_rechecks_every_swept_region_and_says_how(client, reset_emulator, td_state):
    """Sweep of every enabled region (DescribeRegions, asked once): the receipt lists the swept kinds
    again in every region — an empty one too, one List call per kind — and says so."""
    from provision.teardown.receipt import format_table

    sm2 = client("sagemaker", OTHER)
    endpoint(sm2, "lost-ep")
    ctx = make_ctx(make_scope(td_state, sweep_regions=None))
    out = teardown(ctx, log=lambda _: None)
    assert out.ok, out.receipt
    assert sm2.list_endpoints()["Endpoints"] == [] and sm2.list_models()["Models"] == []
    assert sm2.list_endpoint_configs()["EndpointConfigs"] == []

    regions = out.plan.regions
    assert len(regions) == 17 and "af-south-1" not in regions and "me-south-1" not in regions
    assert ctx.aws.count("DescribeRegions") == 1
    how = {(r["kind"], r["region"]): r["how"] for r in out.receipt["rechecked"]}
    for region in regions:
        for kind in ("endpoints", "notebook-instances"):
            assert (kind, region) in how, (kind, region)
    empty = "listed again (the plan found none here and nothing was deleted here)"
    assert how[("endpoints", "us-west-2")] == empty and how[("notebook-instances", "ap-south-1")] == empty
    assert how[("endpoints", OTHER)] == "listed again in full"
    assert how[("endpoints", REGION)] == "listed again in full"
    assert how[("endpoint-configs", OTHER)] == how[("models", OTHER)] == "the run's items looked up again"
    # an empty swept region: listed by the plan and once more by the receipt, never skipped
    for op in ("ListEndpoints", "ListNotebookInstances"):
        assert sum(1 for c in ctx.aws.calls if c.operation == op and c.region == "us-west-2") == 2
    assert "swept region(s) the plan found empty re-checked" in format_table(out.receipt)
