"""Training jobs through plain boto3 against the embedded AWS: real training, artifacts, logs, errors."""

from __future__ import annotations

import io
import json
import tarfile

import botocore.exceptions
import numpy as np
import pytest
from mlhelpers import BUCKET, LL_IMAGE, XGB_IMAGE, channel, job_args, wait_for, wait_training

from emulator.ml import recordio
from testkit.data import csv_rows


def _artifact(ml, uri: str) -> dict[str, bytes]:
    bucket, key = uri[5:].split("/", 1)
    body = ml.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


def _log_lines(ml, job: str) -> list[str]:
    streams = ml.logs.describe_log_streams(
        logGroupName="/aws/sagemaker/TrainingJobs", logStreamNamePrefix=job
    )["logStreams"]
    assert len(streams) == 1 and streams[0]["logStreamName"].startswith(f"{job}/algo-1-")
    events = ml.logs.get_log_events(
        logGroupName="/aws/sagemaker/TrainingJobs",
        logStreamName=streams[0]["logStreamName"],
        startFromHead=True,
    )["events"]
    return [e["message"] for e in events]


def test_linear_learner_job_trains_for_real(ml):
    chans = [
        channel("train", f"s3://{BUCKET}/reg/train/"),
        channel("validation", f"s3://{BUCKET}/reg/validation/"),
        channel("test", f"s3://{BUCKET}/reg/test/"),
    ]
    arn = ml.sm.create_training_job(
        **job_args(
            "ll-reg",
            LL_IMAGE,
            {"predictor_type": "regressor", "mini_batch_size": "25", "epochs": "20"},
            chans,
        )
    )
    assert arn["TrainingJobArn"].endswith(":training-job/ll-reg")
    first = ml.sm.describe_training_job(TrainingJobName="ll-reg")
    assert first["TrainingJobStatus"] in ("InProgress", "Completed")
    d = wait_training(ml.sm, "ll-reg")
    assert d["TrainingJobStatus"] == "Completed" and d["SecondaryStatus"] == "Completed"
    assert [t["Status"] for t in d["SecondaryStatusTransitions"]] == [
        "Starting",
        "Downloading",
        "Training",
        "Uploading",
        "Completed",
    ]
    assert d["BillableTimeInSeconds"] >= 1 and d["TrainingTimeInSeconds"] >= 1
    metrics = {m["MetricName"]: m["Value"] for m in d["FinalMetricDataList"]}
    assert {
        "validation:mse",
        "validation:rmse",
        "test:mse",
        "test:absolute_loss",
        "test:objective_loss",
    } <= set(metrics)
    assert metrics["test:mse"] < 0.05  # the label noise is 0.05²; a canned answer would not be this good
    assert any(md["Name"] == "test:mse" for md in d["AlgorithmSpecification"]["MetricDefinitions"])
    assert "VpcConfig" not in d
    files = _artifact(ml, d["ModelArtifacts"]["S3ModelArtifacts"])
    assert d["ModelArtifacts"]["S3ModelArtifacts"] == f"s3://{BUCKET}/out/ll-reg/output/model.tar.gz"
    assert (
        list(files) == ["model_algo-1"] and json.loads(files["model_algo-1"])["predictor_type"] == "regressor"
    )
    lines = _log_lines(ml, "ll-reg")
    assert any(ln.startswith("#quality_metric: host=algo-1, test mse <loss>=") for ln in lines)
    assert any("epoch=0" in ln for ln in lines)
    summaries = ml.sm.list_training_jobs(NameContains="ll-reg")["TrainingJobSummaries"]
    assert [(s["TrainingJobName"], s["TrainingJobStatus"]) for s in summaries] == [("ll-reg", "Completed")]


def test_linear_learner_reads_recordio_protobuf(ml):
    X, y = ml.bin
    ml.s3.put_object(Bucket=BUCKET, Key="rec/train/data.rec", Body=recordio.write(X, y))
    chans = [channel("train", f"s3://{BUCKET}/rec/train/", "application/x-recordio-protobuf")]
    ml.sm.create_training_job(
        **job_args(
            "ll-rec", LL_IMAGE, {"predictor_type": "binary_classifier", "mini_batch_size": "50"}, chans
        )
    )
    d = wait_training(ml.sm, "ll-rec")
    assert d["TrainingJobStatus"] == "Completed", d.get("FailureReason")
    assert {m["MetricName"] for m in d["FinalMetricDataList"]} >= {"train:objective_loss"}


def test_xgboost_job_trains_and_writes_xgboost_model(ml):
    chans = [
        channel("train", f"s3://{BUCKET}/reg/train/"),
        channel("validation", f"s3://{BUCKET}/reg/validation/"),
    ]
    ml.sm.create_training_job(
        **job_args("xgb-reg", XGB_IMAGE, {"num_round": "25", "max_depth": "3", "eval_metric": "mae"}, chans)
    )
    d = wait_training(ml.sm, "xgb-reg")
    assert d["TrainingJobStatus"] == "Completed", d.get("FailureReason")
    metrics = {m["MetricName"] for m in d["FinalMetricDataList"]}
    assert {"train:mae", "validation:mae"} <= metrics
    files = _artifact(ml, d["ModelArtifacts"]["S3ModelArtifacts"])
    assert list(files) == ["xgboost-model"]
    import xgboost

    booster = xgboost.Booster()
    booster.load_model(bytearray(files["xgboost-model"]))
    assert booster.num_boosted_rounds() == 25
    assert any(ln.startswith("[24]#011train-mae:") for ln in _log_lines(ml, "xgb-reg"))


@pytest.mark.parametrize(
    ("image", "hp", "chans", "reason"),
    [
        (XGB_IMAGE, {"max_depth": "3"}, ["train"], "ClientError: Unable to initialize the algorithm"),
        (LL_IMAGE, {"predictor_type": "regressor", "bogus": "1"}, ["train"], "('bogus' was unexpected)"),
        (LL_IMAGE, {"predictor_type": "regressor"}, ["validation"], "'train' is a required property"),
        (LL_IMAGE, {"predictor_type": "regressor"}, ["missing"], "No S3 objects found under S3 URL"),
        (LL_IMAGE, {"predictor_type": "regressor"}, ["header"], "Unable to read data channel 'train'"),
        (XGB_IMAGE, {"num_round": "3"}, ["nocontenttype"], "Unable to read data channel 'train'"),
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/my-own:latest", {}, ["train"], "built-in"),
    ],
)
def test_bad_jobs_fail_with_an_aws_like_reason(ml, image, hp, chans, reason):
    name = f"bad-{chans[0]}-{len(hp)}-{image.rsplit('/', 1)[1][:6].strip(':')}"
    ml.s3.put_object(Bucket=BUCKET, Key="bad/header.csv", Body="label,x\n1,2\n")
    uris = {
        "train": channel("train", f"s3://{BUCKET}/reg/train/"),
        "validation": channel("validation", f"s3://{BUCKET}/reg/validation/"),
        "missing": channel("train", f"s3://{BUCKET}/nothing-here/"),
        "header": channel("train", f"s3://{BUCKET}/bad/"),
        # no ContentType: XGBoost reads libsvm by default (SDK v3 dict-input pitfall)
        "nocontenttype": channel("train", f"s3://{BUCKET}/reg/train/", None),
    }
    ml.sm.create_training_job(**job_args(name, image, hp, [uris[c] for c in chans]))
    d = wait_training(ml.sm, name)
    assert d["TrainingJobStatus"] == "Failed" and d["SecondaryStatus"] == "Failed"
    assert reason in d["FailureReason"]
    assert d["FailureReason"].startswith(("ClientError: ", "AlgorithmError: "))
    assert not ml.s3.list_objects_v2(Bucket=BUCKET, Prefix=f"out/{name}/").get("Contents")


def test_duplicate_name_and_missing_job_errors(ml):
    args = job_args(
        "dup", LL_IMAGE, {"predictor_type": "regressor"}, [channel("train", f"s3://{BUCKET}/reg/train/")]
    )
    ml.sm.create_training_job(**args)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ml.sm.create_training_job(**args)
    assert err.value.response["Error"]["Code"] == "ResourceInUse"
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ml.sm.describe_training_job(TrainingJobName="no-such-job")
    assert err.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ml.sm.stop_training_job(TrainingJobName="no-such-job")
    assert err.value.response["Error"]["Code"] == "ValidationException"
    wait_training(ml.sm, "dup")
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ml.sm.stop_training_job(TrainingJobName="dup")
    assert "is in status Completed" in err.value.response["Error"]["Message"]


def test_stop_training_job(ml):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 20))
    ml.s3.put_object(Bucket=BUCKET, Key="big/train/d.csv", Body=csv_rows(X, X @ rng.normal(size=20)))
    ml.sm.create_training_job(
        **job_args(
            "long",
            XGB_IMAGE,
            {"num_round": "100000", "max_depth": "8"},
            [channel("train", f"s3://{BUCKET}/big/train/")],
        )
    )
    wait_for(
        lambda: ml.sm.describe_training_job(TrainingJobName="long"),
        lambda d: d.get("SecondaryStatus") == "Training",
        timeout=30,
    )
    ml.sm.stop_training_job(TrainingJobName="long")
    assert ml.sm.describe_training_job(TrainingJobName="long")["TrainingJobStatus"] in ("Stopping", "Stopped")
    d = wait_training(ml.sm, "long", timeout=30)
    assert d["TrainingJobStatus"] == "Stopped" and d["SecondaryStatus"] == "Stopped"
    assert "FailureReason" not in d
