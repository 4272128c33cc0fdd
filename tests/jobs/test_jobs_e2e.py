"""Each job end to end on the embedded AWS (real training, hosting, tuning, batch transform), and the
guarantee that nothing stays deployed — also when prediction fails or Ctrl-C arrives mid-way."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner
from jobhelpers import NOTHING, class_dir_with_outputs, leftovers

from jobs import lifecycle, serving
from jobs.lifecycle import Context, run
from jobs.runner import make_jobs
from jobs.sdk import SageMaker
from kitcore.errors import KitError

POLL = 0.2
pytestmark = pytest.mark.slow


def _ctx(account, tmp_path, **kw) -> Context:
    return Context(account=account, class_dir=tmp_path / "class", run_id="t1", poll=POLL, **kw)


def _objects(client, bucket: str) -> list[str]:
    return [o["Key"] for o in client("s3").list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_train_command_rainfall_end_to_end(client, account, tmp_path):
    """`classroom train rainfall` via the CLI: outputs.json → train → deploy → predict → report."""
    from provision.commands.train import command

    cdir = class_dir_with_outputs(tmp_path, account)
    reports = tmp_path / "reports"
    res = CliRunner().invoke(
        command,
        ["rainfall", "--class-dir", str(cdir), "--reports", str(reports), "--option", "rainfall.epochs=4"],
        env={"CLASSROOM_POLL_SECONDS": str(POLL)},
        catch_exceptions=True,
    )
    assert res.exit_code == 0, (res.output, res.exception)
    run_dir = next(reports.iterdir())
    doc = json.loads((run_dir / "metrics.json").read_text())["jobs"]["rainfall"]
    m, ref = doc["metrics"], doc["info"]["reference"]
    assert doc["status"] == "ok" and m["n"] == 366
    # a real fit on Seattle: absolute loss → MAE near the least-absolute-deviation reference
    assert math.isfinite(m["rmse"]) and m["mae"] < 1.15 * ref["lad_mae"] and m["rmse"] < 1.2 * ref["ols_rmse"]
    assert (run_dir / "rainfall-predicted-vs-actual.png").stat().st_size > 5000
    assert "data:image/png;base64," in (run_dir / "index.html").read_text()
    assert leftovers(client) == NOTHING
    assert len(doc["deleted"]) == 3
    keys = _objects(client, account.bucket)
    assert "rainfall/train/train.csv" in keys and "rainfall/test/test.csv" in keys
    last = json.loads((cdir / "jobs" / "rainfall" / "last.json").read_text())
    assert last["model_data_url"].startswith(f"s3://{account.bucket}/rainfall/output/")
    assert "rainfall" in res.output and "report:" in res.output


def test_credit_end_to_end_then_serving(client, account, tmp_path):
    job = make_jobs(["credit"], {"credit": {"epochs": "8"}})[0]
    ctx = _ctx(account, tmp_path, tags={"classroom-class": "testclass"})
    result = run(job, ctx)
    assert result.status == "ok", result.error
    m = result.metrics
    assert m["n"] == 250 and m["accuracy"] > 0.68 and m["roc_auc"] > 0.7
    assert sum(map(sum, m["confusion_matrix"])) == 250 and "good" in m["classification_report"]
    assert leftovers(client) == NOTHING

    # the web page's view: form fields, one encoded row, a deployment with an expiry, one answer
    s = serving.load("credit", ctx.class_dir)
    names = [f["name"] for f in s.form_fields()]
    assert names[:3] == ["age", "sex", "job"] and "purpose" in names
    form = {
        "age": 35,
        "sex": "male",
        "job": "2",
        "housing": "own",
        "saving_accounts": "little",
        "checking_account": "moderate",
        "credit_amount": 2000,
        "duration": 12,
        "purpose": "car",
    }
    body, ctype = s.encode(form)
    assert ctype == "text/csv" and body.count(",") == result.info["encoded_features"] - 1
    with pytest.raises(KitError, match="purpose must be one of"):
        s.encode({**form, "purpose": "yacht"})
    dep = lifecycle.deploy("credit", ctx.class_dir, minutes=5, poll=POLL)
    try:
        sm = client("sagemaker")
        arn = sm.describe_endpoint(EndpointName=dep.endpoint_name)["EndpointArn"]
        tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}
        assert tags["expires-at"] == dep.expires_at and tags["classroom-job"] == "credit"
        answer = SageMaker(account, poll=POLL).invoke(dep.endpoint_name, body, ctype, s.accept)
        out = s.decode(answer)
        assert out["label"] in ("good risk", "bad risk") and 0.0 <= out["score"] <= 1.0
    finally:
        lifecycle.undeploy(dep, account)
    assert leftovers(client) == NOTHING


def test_spam_fixed_tuned_batch_transform_end_to_end(client, account, tmp_path, spam_folder):
    opts = {
        "data": str(spam_folder),
        "max_jobs": "4",
        "max_parallel": "2",
        "num_round": "20",
        "max_features": "200",
    }
    job = make_jobs(["spam"], {"spam": opts})[0]
    result = run(job, _ctx(account, tmp_path))
    assert result.status == "ok", result.error
    comp = result.training["comparison"]
    assert [r["model"] for r in comp] == [
        "capstone word indices, fixed",
        "TF-IDF, fixed",
        "TF-IDF, tuned (best job)",
    ]
    assert comp[-1]["accuracy"] >= 0.9  # the fixture's two classes use disjoint words
    assert result.metrics["accuracy"] >= 0.9 and result.metrics["endpoint_vs_batch_agreement"] == 1.0
    tuning = result.training["tuning"]
    assert tuning["objective"] == "validation:rmse" and len(tuning["jobs"]) == 4
    assert tuning["best_job"] == result.training["job_name"]
    # three batch-transform models and the endpoint's model: all gone
    assert leftovers(client) == NOTHING
    assert sum(d.startswith("model ") for d in result.deleted) == 4
    s = serving.load("spam", tmp_path / "class")
    body, _ = s.encode({"message": "free money winner click now"})
    assert body.count(",") == result.info["tfidf_features"] - 1
    assert s.decode(b"0.93\n") == {"label": "spam", "score": 0.93}


@pytest.mark.parametrize("fault", [RuntimeError("endpoint broke"), KeyboardInterrupt()])
def test_endpoint_config_and_model_deleted_when_prediction_raises(
    client, account, tmp_path, monkeypatch, fault
):
    calls = []

    def broken_invoke(self, *args, **kwargs):  # the emulator cannot fail on demand: inject the fault
        calls.append(args[0])
        assert client("sagemaker").describe_endpoint(EndpointName=args[0])["EndpointStatus"] == "InService"
        raise fault

    monkeypatch.setattr(SageMaker, "invoke", broken_invoke)
    job = make_jobs(["rainfall"], {"rainfall": {"epochs": "1"}})[0]
    result = run(job, _ctx(account, tmp_path))
    assert calls, "prediction was never reached"
    if isinstance(fault, KeyboardInterrupt):
        assert result.status == "interrupted"
    else:
        assert result.status == "failed" and "endpoint broke" in result.error
    assert leftovers(client) == NOTHING
    assert [d.split()[0] for d in result.deleted] == ["endpoint", "endpoint-config", "model"]
    assert not (tmp_path / "class" / "jobs" / "rainfall" / "last.json").exists()


def test_bad_input_and_no_make_up_fail_before_any_upload(client, account, tmp_path):
    from provision.commands.train import command

    cdir = tmp_path / "class"
    cdir.mkdir()
    runner = CliRunner()
    res = runner.invoke(command, ["rainfall", "--class-dir", str(cdir)])
    assert isinstance(res.exception, KitError) and "run `make up` first" in str(res.exception)

    (cdir / "outputs.json").write_text(
        json.dumps({"models_bucket": "no-such-bucket", "execution_role_arn": account.role_arn})
    )
    res = runner.invoke(command, ["credit", "--class-dir", str(cdir)])
    assert isinstance(res.exception, KitError) and "make up" in str(res.exception)

    (cdir / "outputs.json").write_text(
        json.dumps({"models_bucket": account.bucket, "execution_role_arn": account.role_arn})
    )
    bad = tmp_path / "empty.csv"
    bad.write_text("")
    for args, message in [
        (["weather"], "unknown job 'weather'"),
        (["rainfall", "credit", "--data", "rainfall=" + str(bad)], "is empty"),
        (["rainfall", "--data", str(tmp_path / "nope.csv")], "does not exist"),
        (["rainfall", "credit", "--data", str(bad)], "write JOB=DATA"),
        (["spam", "--data", str(tmp_path)], "needs a sub-folder"),
        (["credit", "--instance-type", "huge"], "not a SageMaker instance type"),
    ]:
        res = runner.invoke(command, [*args, "--class-dir", str(cdir)])
        assert isinstance(res.exception, KitError), (args, res.output, res.exception)
        assert message in str(res.exception), (args, str(res.exception))
        assert "\n" not in str(res.exception)
    # the class's guardrail allowlists (in `terraform output -json` form) are checked up front
    allow = {
        "DenyTrainingTypesOutsideAllowlist": ["ml.m5.xlarge"],
        "DenyHostingTypesOutsideAllowlist": ["ml.m5.*"],
    }
    (cdir / "outputs.json").write_text(
        json.dumps(
            {
                "models_bucket": {"value": account.bucket, "type": "string", "sensitive": False},
                "execution_role_arn": account.role_arn,
                "guardrail_allowlists": {"value": allow},
            }
        )
    )
    res = runner.invoke(command, ["credit", "--instance-type", "ml.p3.2xlarge", "--class-dir", str(cdir)])
    assert isinstance(res.exception, KitError)
    assert "ml.p3.2xlarge is not allowed for training in this class" in str(res.exception)
    # the SDK's own role check (iam:SimulatePrincipalPolicy) on a role with no policies at all
    (cdir / "outputs.json").write_text(
        json.dumps({"models_bucket": account.bucket, "execution_role_arn": account.role_arn})
    )
    res = runner.invoke(
        command, ["rainfall", "--class-dir", str(cdir)], env={"SAGEMAKER_VALIDATE_ROLE": "true"}
    )
    assert isinstance(res.exception, KitError), (res.output, res.exception)
    assert "cannot run training jobs (SageMaker SDK role check): Missing permissions" in str(res.exception)
    assert "\n" not in str(res.exception)
    assert _objects(client, account.bucket) == []
    assert client("sagemaker").list_training_jobs()["TrainingJobSummaries"] == []
    assert leftovers(client) == NOTHING


def test_ctrl_c_while_deployed_stops_every_job_and_cleans_up(client, account, tmp_path):
    """Ctrl-C reaches the main thread while a worker holds an endpoint: the run stops, deletes it,
    and still writes the report."""
    import _thread
    import time

    from jobs.runner import run_all

    lines = []

    def progress(job: str, msg: str) -> None:  # runs in the worker thread
        lines.append((job, msg))
        if msg.startswith("deploying"):
            _thread.interrupt_main()  # what Ctrl-C does to the main thread
            time.sleep(1.0)  # let the main thread see it before this worker goes on

    results, page = run_all(
        make_jobs(["rainfall"], {"rainfall": {"epochs": "1"}}),
        account,
        tmp_path / "class",
        tmp_path / "reports",
        progress=progress,
        poll=POLL,
    )
    assert [r.status for r in results] == ["interrupted"]
    assert [d.split()[0] for d in results[0].deleted] == ["endpoint", "endpoint-config", "model"]
    assert leftovers(client) == NOTHING
    assert "interrupted" in page.read_text()
    assert ("all", "interrupted: stopping jobs and deleting what they deployed …") in lines
