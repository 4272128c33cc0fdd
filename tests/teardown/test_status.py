"""`classroom status`: what runs now with $/hour from the shipped, dated price table."""

from __future__ import annotations

import datetime as dt
import re

from provision import costs
from provision.status import collect, emulator_line, format_status, summarize_created
from testkit.teardown import ROLE, endpoint, make_ctx, make_scope, studio


def test_price_table_is_dated_sourced_and_never_guesses():
    table = costs.load()
    assert table.as_of == "2026-11-23" and "aws.amazon.com/sagemaker/pricing" in table.source
    assert "ESTIMATE" in table.note
    assert table.price("us-east-1", "hosting", "ml.m5.xlarge") == 0.23
    assert table.price("us-east-1", "hosting", "ml.p5.48xlarge") is None
    assert table.price("ap-south-2", "training", "ml.m5.xlarge") is None
    assert table.free("training").hours == 50 and table.free("hosting").hours == 125


def test_prices_match_the_aws_price_list_with_sources_and_dates():
    """AWS price list (AmazonSageMaker, On-Demand), read 2026-12-01: hosting ml.m4.xlarge 0.24 in
    us-east-1/us-east-2/us-west-2 (the table had 0.28); 0.269 is ml.m5.xlarge hosting in us-west-1;
    batch transform is not in the free tier."""
    import json

    table = costs.load()
    for region in ("us-east-1", "us-east-2", "us-west-2"):
        assert table.price(region, "hosting", "ml.m4.xlarge") == 0.24
        assert table.price(region, "hosting", "ml.m5.xlarge") == 0.23
        assert table.price(region, "hosting", "ml.t2.medium") == 0.056
    assert table.price("us-west-1", "hosting", "ml.m5.xlarge") == 0.269
    assert table.free("transform") is None and "Batch transform is NOT in it" in table.free_tier_note
    data = json.loads(costs.PRICES.read_text())
    figures = data["figures"].values()
    assert all(re.match(r"^\d{4}-\d{2}-\d{2}", f["read"]) and f["source"] for f in figures)
    assert "us-west-1" in data["note"] and "0.28" in data["note"]


def test_the_free_tier_meter_says_which_offer_applies_or_that_it_cannot_tell(
    client, reset_emulator, td_state
):
    from provision.status import free_plan
    from testkit.teardown import Faults

    # the embedded AWS has no Free Tier API: it cannot tell, and says so
    said = free_plan(make_ctx(make_scope(td_state)))
    assert said.startswith("cannot tell whether the SageMaker free trial")
    # an account on the free plan (created on or after 2025-07-15): AWS's answer, made up here
    answer = {
        "accountId": "123456789012",
        "accountPlanType": "FREE",
        "accountPlanStatus": "ACTIVE",
        "accountPlanRemainingCredits": {"amount": 187.5, "unit": "USD"},
        "accountPlanExpirationDate": dt.datetime(2027, 1, 31, tzinfo=dt.UTC),
    }
    faults = Faults().add("GetAccountPlanState", "answer", answer=answer)
    said = free_plan(make_ctx(make_scope(td_state), hooks=faults.hooks()))
    assert said.startswith("AWS free plan (FREE, ACTIVE): $187.50 credits left until 2027-01-31")
    assert "free-trial hours below do not apply" in said
    # a plan without credits (e.g. an older account): not proof either way
    paid = {k: v for k, v in answer.items() if k != "accountPlanRemainingCredits"}
    paid["accountPlanType"] = "PAID"
    faults = Faults().add("GetAccountPlanState", "answer", answer=paid)
    said = free_plan(make_ctx(make_scope(td_state), hooks=faults.hooks()))
    assert said.startswith("AWS account plan PAID without credits reported: cannot tell")


def test_the_free_plan_question_gives_up_after_two_attempts_not_eight(client, reset_emulator, td_state):
    """GetAccountPlanState is information only: a server that answers 5xx is asked twice (standard
    retry mode), not eight times with adaptive back-off (~5 s of `classroom status` on the embedded
    AWS, which has no Free Tier API); the teardown's clients keep their eight attempts."""
    from provision.status import free_plan
    from testkit.teardown import Faults

    faults = Faults().add("GetAccountPlanState", "send-5xx", times=20)
    ctx = make_ctx(make_scope(td_state), hooks=faults.hooks(), max_attempts=8)
    said = free_plan(ctx)
    assert said.startswith("cannot tell whether the SageMaker free trial")
    assert faults.fired("GetAccountPlanState") == 2
    # the same client for the same question; the teardown's client of that service is another one
    assert ctx.aws.client("freetier", "us-east-1", max_attempts=2) is ctx.aws.client(
        "freetier", "us-east-1", max_attempts=2
    )
    assert ctx.aws.client("freetier", "us-east-1") is not ctx.aws.client(
        "freetier", "us-east-1", max_attempts=2
    )
    assert ctx.aws.client("freetier", "us-east-1").meta.config.retries["total_max_attempts"] == 9


def test_training_hours_are_summed_per_instance_type_from_every_job(client, reset_emulator, td_state):
    """Free-tier training hours: BillableTimeInSeconds × InstanceCount of every listed job, by type
    (the jobs are described in parallel; the sum must not depend on the order)."""
    from provision.status import _training_hours_of, _training_use
    from testkit.teardown import Faults

    jobs = {"TrainingJobSummaries": [{"TrainingJobName": f"job-{i}"} for i in range(3)]}
    m5 = {
        "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 2},
        "BillableTimeInSeconds": 900,
    }
    p3 = {
        "ResourceConfig": {"InstanceType": "ml.p3.2xlarge", "InstanceCount": 1},
        "TrainingTimeInSeconds": 60,
    }
    faults = (
        Faults()
        .add("ListTrainingJobs", "answer", answer=jobs)
        .add("DescribeTrainingJob", "answer", times=2, answer=m5)
        .add("DescribeTrainingJob", "answer", answer=p3)
    )
    ctx = make_ctx(make_scope(td_state), hooks=faults.hooks())
    (use,) = _training_use(ctx, "us-east-1")
    assert faults.fired("DescribeTrainingJob") == 3
    assert _training_hours_of(use, ("ml.m4.xlarge", "ml.m5.xlarge")) == 1.0  # 2 jobs × 900 s × 2
    assert _training_hours_of(use, ("ml.p3.2xlarge",)) == 60 / 3600


def test_status_lists_running_things_with_cost_per_hour(client, reset_emulator, td_state):
    sm, ec2 = client("sagemaker"), client("ec2")
    domain = studio(sm, ec2, profiles=1)
    sm.create_notebook_instance(NotebookInstanceName="nb-t3", InstanceType="ml.t3.medium", RoleArn=ROLE)
    sm.create_notebook_instance(NotebookInstanceName="nb-big", InstanceType="ml.p3.2xlarge", RoleArn=ROLE)
    ctx = make_ctx(make_scope(td_state, domain_ids=(domain,)))
    st = collect(ctx)
    by_name = {r.name: r for r in st.running}
    assert by_name["nb-t3"].per_hour == 0.05
    assert by_name["nb-big"].per_hour is None  # not in the table: said so, not guessed
    assert by_name["group-project/JupyterLab/default"].per_hour == 0.05  # the space's app
    assert "student-00/JupyterServer/default" not in by_name  # the free "system" instance
    text = format_status(st, "ml101")
    assert "total ≈ $0.10/hour" in text and "1 item(s) without a price are not included" in text
    assert "no price in the table" in text and "of 50 h" in text and "of 250 h" in text


# --- the class section: what the kit created (state), the embedded AWS, class endpoints' time left -----
STATUS_SETTINGS = """
[class]
name = "statustest"
region = "us-east-1"
target = "local"

[studio]
enabled = false
"""


def _tfstate(resources: list[tuple[str, str, str, list[tuple[str, str]]]]) -> dict:
    """A Terraform state file as `terraform apply` writes it: (module, type, name, [(index_key, id)])."""
    out = [{"mode": "data", "type": "aws_region", "name": "current", "instances": [{"attributes": {}}]}]
    for module, typ, name, instances in resources:
        out.append(
            {
                "module": module,
                "mode": "managed",
                "type": typ,
                "name": name,
                "instances": [
                    ({"index_key": key} if key else {}) | {"attributes": {"id": rid}}
                    for key, rid in instances
                ],
            }
        )
    return {"version": 4, "resources": out}


def test_summarize_created_counts_by_type_and_names_a_few():
    rows = [
        {"module": "m", "type": "aws_iam_user", "name": f"this[{n!r}]", "id": n}
        for n in ("student-02", "administrator", "alice", "student-01")
    ]
    rows.append({"module": "m", "type": "aws_s3_bucket", "name": "models", "id": "sm-models-1"})
    rows.append(
        {
            "module": "m",
            "type": "aws_iam_policy",
            "name": "guard",
            "id": "arn:aws:iam::123456789012:policy/classroom-guardrails",
        }
    )
    assert summarize_created(rows) == [
        "aws_iam_policy 1 (guard)",  # an ARN is too long to read: the resource name instead
        "aws_iam_user 4 (administrator, alice, student-01, …)",
        "aws_s3_bucket 1 (sm-models-1)",
    ]
    assert summarize_created([]) == []


def test_status_lists_created_resources_emulator_and_time_left(
    aws_env, state_dir, tmp_path, monkeypatch, client, reset_emulator
):
    from click.testing import CliRunner

    from kitcore import tags as kit_tags
    from kitcore.statedir import write_json
    from kitcore.times import UTC_FORMAT
    from provision import settings as settings_mod
    from provision.cli import main
    from provision.endpoints import class_scope

    monkeypatch.delenv("TARGET", raising=False)
    path = tmp_path / "classroom.toml"
    path.write_text(STATUS_SETTINGS)
    class_dir = state_dir / "classes" / "statustest"
    write_json(class_dir / "class.json", {"account_id": "123456789012", "target": "local"})
    users = [("administrator", "administrator"), ("alice", "alice"), ("bob", "bob"), ("carol", "carol")]
    write_json(
        class_dir / "terraform" / "terraform.tfstate",
        _tfstate(
            [
                ("module.classroom.module.students", "aws_iam_user", "this", users),
                ("module.classroom.module.buckets", "aws_s3_bucket", "models", [("", "sm-models-abc")]),
                ("module.classroom.module.buckets", "aws_s3_bucket", "share", [("", "public-share-abc")]),
            ]
        ),
    )
    sm = client("sagemaker")
    tags = class_scope(settings_mod.load(path))
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=95)).strftime(UTC_FORMAT)
    for name, extra in (("st-timed", {kit_tags.EXPIRES: expires}), ("st-forever", {})):
        endpoint(sm, name)
        sm.add_tags(
            ResourceArn=sm.describe_endpoint(EndpointName=name)["EndpointArn"],
            Tags=[{"Key": k, "Value": v} for k, v in {**tags, **extra}.items()],
        )
    try:
        out = CliRunner().invoke(main, ["--settings", str(path), "status"])
        assert out.exit_code == 0, out.output
        text = out.output
        # quiet: one count; -v: one line per type
        assert "created by the kit (Terraform state): 6 resource(s) of 2 type(s) (-v lists them)" in text
        assert "aws_iam_user" not in text
        monkeypatch.setenv("CLASSROOM_VERBOSE", "1")
        verbose = CliRunner().invoke(main, ["--settings", str(path), "status"])
        assert verbose.exit_code == 0, verbose.output
        assert "created by the kit (Terraform state): 6 resource(s)\n" in verbose.output
        assert "aws_iam_user 4 (administrator, alice, bob, …)" in verbose.output
        assert "aws_s3_bucket 2 (public-share-abc, sm-models-abc)" in verbose.output
        assert f"embedded AWS: running at {aws_env.url}" in text  # the real emulator of this session
        assert "class endpoints: 2" in text
        assert re.search(r"st-timed \[\w+\]: 1 h 3[45] min left \(expires ", text), text
        assert "st-forever" in text and "no expires-at tag: it runs (and bills) until deleted" in text
    finally:
        for name in ("st-timed", "st-forever"):
            sm.delete_endpoint(EndpointName=name)
            sm.delete_endpoint_config(EndpointConfigName=f"{name}-config")
            sm.delete_model(ModelName=f"{name}-model")
        for name in ("class.json", "terraform/terraform.tfstate"):
            (class_dir / name).unlink(missing_ok=True)
    assert sm.list_endpoints()["Endpoints"] == [] and sm.list_models()["Models"] == []


def test_status_says_in_one_line_when_the_embedded_aws_died(tmp_path, monkeypatch):
    import subprocess

    from click.testing import CliRunner

    from kitcore.statedir import write_json
    from provision.cli import main

    monkeypatch.setenv("CLASSROOM_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("TARGET", raising=False)
    assert emulator_line("local").startswith("embedded AWS: not running (")  # never started
    assert emulator_line("aws") == "embedded AWS: not used (TARGET=aws)"
    proc = subprocess.Popen(["true"])  # a pid that has exited
    proc.wait()
    write_json(tmp_path / "state" / "emulator" / "server.json", {"pid": proc.pid, "port": 9})
    line = emulator_line("local")
    assert line.startswith("embedded AWS: NOT running — its process died") and "\n" not in line
    path = tmp_path / "classroom.toml"
    path.write_text(STATUS_SETTINGS)
    out = CliRunner().invoke(main, ["--settings", str(path), "status"])
    assert out.exit_code == 1
    assert out.output.count("NOT running") == 1 and "Traceback" not in out.output
    assert "created by the kit: nothing" in out.output


# --- storage: the home EFS with data in it, the spaces' volumes, the class's buckets' bytes -------------
def test_status_prices_the_class_storage_from_real_sizes(client, reset_emulator, td_state):
    """The domain's home EFS holds real files (written where the embedded AWS keeps that file system's
    contents, as a Studio user's home directory would), a bucket real object versions, and two
    JupyterLab spaces their volumes; status prices each per GB-month (EFS doc "Metering": 2 KiB of
    metadata per object plus data in 4-KiB increments) and adds the $/hour equivalent to the total."""
    import shutil

    from provision import embedded
    from provision.status import Stored
    from testkit.aws import ACCOUNT, REGION

    sm, ec2, s3, efs = client("sagemaker"), client("ec2"), client("s3"), client("efs")
    domain = studio(sm, ec2, profiles=1)  # a JupyterLab space "group-project": no size given, 5 GB
    sm.create_space(
        DomainId=domain,
        SpaceName="big-lab",
        OwnershipSettings={"OwnerUserProfileName": "student-00"},
        SpaceSharingSettings={"SharingType": "Private"},
        SpaceSettings={
            "AppType": "JupyterLab",
            "SpaceStorageSettings": {"EbsStorageSettings": {"EbsVolumeSizeInGb": 20}},
        },
    )
    fs_id = sm.describe_domain(DomainId=domain)["HomeEfsFileSystemId"]
    home = embedded.efs_dir() / ACCOUNT / REGION / fs_id
    try:
        (home / "200001" / "lesson").mkdir(parents=True)
        (home / "200001" / "lesson" / "rainfall.ipynb").write_bytes(b"x" * 10_000)  # 3 blocks
        (home / "200001" / "empty.txt").write_bytes(b"")  # still one block
        # metered: 3 directories (root, 200001, lesson) and 2 files, 2 KiB metadata each, data in 4 KiB
        metered = 3 * (2048 + 4096) + (2048 + 3 * 4096) + (2048 + 4096)
        reported = efs.describe_file_systems(FileSystemId=fs_id)["FileSystems"][0]["SizeInBytes"]
        assert reported["Value"] == reported["ValueInStandard"] == metered

        s3.create_bucket(Bucket="ml101-models")
        s3.put_bucket_versioning(Bucket="ml101-models", VersioningConfiguration={"Status": "Enabled"})
        s3.put_object(Bucket="ml101-models", Key="train/data.csv", Body=b"1" * 300_000)
        s3.put_object(Bucket="ml101-models", Key="train/data.csv", Body=b"2" * 200_000)  # both billed

        st = collect(make_ctx(make_scope(td_state, domain_ids=(domain,), buckets=("ml101-models",))))
        stored = {s.kind + ":" + s.name: s for s in st.stored}
        gb = 1024**3
        assert stored[f"efs:{fs_id} (home of {domain})"].size_bytes == metered
        assert stored["s3:ml101-models"].size_bytes == 500_000
        assert stored[f"space-volume:{domain}/group-project (5 GB)"].size_bytes == 5 * gb
        assert stored[f"space-volume:{domain}/big-lab (20 GB)"].size_bytes == 20 * gb
        s = stored[f"space-volume:{domain}/big-lab (20 GB)"]
        assert (
            s.per_gb_month == 0.14 and abs(s.per_month - 2.8) < 1e-9 and abs(s.per_hour - 2.8 / 730) < 1e-12
        )
        assert stored["s3:ml101-models"].per_gb_month == 0.023
        assert stored[f"efs:{fs_id} (home of {domain})"].per_gb_month == 0.30
        storage = sum(x.per_hour for x in st.stored)
        assert abs(storage - (25 * 0.14 + metered / gb * 0.30 + 500_000 / gb * 0.023) / 730) < 1e-12
        assert abs(st.total_per_hour - (st.instances_per_hour + storage)) < 1e-12
        assert st.instances_per_hour == 0.05  # the space's JupyterLab app on ml.t3.medium

        text = format_status(st, "ml101")
        assert (
            "Storage the class keeps (billed per GB-month while it exists; $/hour = $/month ÷ 730 h):" in text
        )
        assert "$2.8000/month" in text and "20.0 GiB" in text and "488.3 KiB" in text
        assert f"total ≈ ${st.total_per_hour:.2f}/hour" in text and "+ storage $0.0048/hour" in text
        # a region without storage prices says so instead of guessing
        far = Stored("s3", "b", "ap-south-2", "s3-standard", 10)
        far.per_gb_month = costs.load().storage_price("ap-south-2", "s3-standard")
        assert far.per_month is None and far.per_hour is None
    finally:
        shutil.rmtree(home, ignore_errors=True)  # the emulator's reset forgets the file system, not its files
    assert not home.exists()
