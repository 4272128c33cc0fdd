"""Tuning, hosting and batch transform through plain boto3 against the embedded AWS."""

from __future__ import annotations

import json

import botocore.exceptions
import numpy as np
import pytest
from mlhelpers import BUCKET, LL_IMAGE, ROLE, XGB_IMAGE, channel, job_args, wait_for, wait_training

XGB_RANGES = {
    "IntegerParameterRanges": [
        {"Name": "max_depth", "MinValue": "2", "MaxValue": "5", "ScalingType": "Auto"}
    ],
    "ContinuousParameterRanges": [
        {"Name": "eta", "MinValue": "0.05", "MaxValue": "0.5", "ScalingType": "Logarithmic"},
        {"Name": "subsample", "MinValue": "0.5", "MaxValue": "0.99", "ScalingType": "ReverseLogarithmic"},
    ],
    "CategoricalParameterRanges": [{"Name": "grow_policy", "Values": ["depthwise", "lossguide"]}],
}


def _definition(image=XGB_IMAGE, static=None, chans=("train", "validation")):
    return {
        "StaticHyperParameters": static or {"num_round": "20"},
        "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
        "RoleArn": ROLE,
        "InputDataConfig": [channel(c, f"s3://{BUCKET}/reg/{c}/") for c in chans],
        "OutputDataConfig": {"S3OutputPath": f"s3://{BUCKET}/tuning"},
        "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 5},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
    }


def _config(strategy="Random", jobs=4, parallel=2, ranges=None, metric="validation:rmse", early="Off"):
    return {
        "Strategy": strategy,
        "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": metric},
        "ResourceLimits": {"MaxNumberOfTrainingJobs": jobs, "MaxParallelTrainingJobs": parallel},
        "ParameterRanges": ranges or XGB_RANGES,
        "TrainingJobEarlyStoppingType": early,
        "RandomSeed": 7,
    }


def _wait_tuning(sm, name, timeout=120):
    return wait_for(
        lambda: sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name),
        lambda d: d["HyperParameterTuningJobStatus"] not in ("InProgress", "Stopping"),
        timeout,
        0.2,
    )


def _client_error(fn, **kwargs) -> dict:
    with pytest.raises(botocore.exceptions.ClientError) as err:
        fn(**kwargs)
    return err.value.response


def test_tuning_job_runs_real_children_and_picks_the_best(ml):
    ml.sm.create_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="tune-rand",
        HyperParameterTuningJobConfig=_config(),
        TrainingJobDefinition=_definition(),
    )
    d = _wait_tuning(ml.sm, "tune-rand")
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    assert d["TrainingJobStatusCounters"] == {
        "Completed": 4,
        "InProgress": 0,
        "RetryableError": 0,
        "NonRetryableError": 0,
        "Stopped": 0,
    }
    assert d["ObjectiveStatusCounters"] == {"Succeeded": 4, "Pending": 0, "Failed": 0}
    assert (
        d["TrainingJobDefinition"]["StaticHyperParameters"]["_tuning_objective_metric"] == "validation:rmse"
    )
    children = []
    token = None
    while True:  # paged, 3 per page
        kw = {"NextToken": token} if token else {}
        page = ml.sm.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName="tune-rand",
            MaxResults=3,
            SortBy="FinalObjectiveMetricValue",
            SortOrder="Ascending",
            **kw,
        )
        children += page["TrainingJobSummaries"]
        token = page.get("NextToken")
        if not token:
            break
    values = [c["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for c in children]
    assert len(children) == 4 and values == sorted(values)
    best = d["BestTrainingJob"]
    assert best["TrainingJobName"] == children[0]["TrainingJobName"]
    assert best["FinalHyperParameterTuningJobObjectiveMetric"] == {
        "Type": "Minimize",
        "MetricName": "validation:rmse",
        "Value": values[0],
    }
    for c in children:
        assert c["TrainingJobName"].startswith("tune-rand-0") and c["TuningJobName"] == "tune-rand"
        hp = c["TunedHyperParameters"]
        assert 2 <= int(hp["max_depth"]) <= 5 and 0.05 <= float(hp["eta"]) <= 0.5
        assert 0.5 <= float(hp["subsample"]) <= 0.99 and hp["grow_policy"] in ("depthwise", "lossguide")
        job = ml.sm.describe_training_job(TrainingJobName=c["TrainingJobName"])
        assert job["TuningJobArn"] == d["HyperParameterTuningJobArn"]
        assert job["HyperParameters"]["_tuning_objective_metric"] == "validation:rmse"
        assert {m["MetricName"]: m["Value"] for m in job["FinalMetricDataList"]}["validation:rmse"] == c[
            "FinalHyperParameterTuningJobObjectiveMetric"
        ]["Value"]
    # MaxParallelTrainingJobs=2: never more than two children alive at once
    spans = [(c["CreationTime"], c["TrainingEndTime"]) for c in children]
    assert max(sum(1 for s, e in spans if s <= t < e) for t, _ in spans) <= 2
    by_name = ml.sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="tune-rand", SortBy="Name", SortOrder="Descending"
    )["TrainingJobSummaries"]
    assert [c["TrainingJobName"] for c in by_name] == sorted(
        (c["TrainingJobName"] for c in children), reverse=True
    )
    summaries = ml.sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"]
    assert [(s["HyperParameterTuningJobName"], s["HyperParameterTuningJobStatus"]) for s in summaries] == [
        ("tune-rand", "Completed")
    ]


def test_bayesian_tuning_of_linear_learner_with_early_stopping(ml):
    definition = _definition(LL_IMAGE, {"predictor_type": "regressor", "epochs": "8", "num_models": "4"})
    ranges = {
        "ContinuousParameterRanges": [
            {"Name": "learning_rate", "MinValue": "0.0001", "MaxValue": "0.5", "ScalingType": "Logarithmic"}
        ]
    }
    ml.sm.create_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="tune-ll",
        TrainingJobDefinition=definition,
        HyperParameterTuningJobConfig=_config("Bayesian", 5, 1, ranges, "validation:objective_loss", "Auto"),
    )
    d = _wait_tuning(ml.sm, "tune-ll")
    assert d["HyperParameterTuningJobStatus"] == "Completed"
    counters = d["TrainingJobStatusCounters"]
    assert counters["Completed"] + counters["Stopped"] == 5 and counters["Completed"] >= 1
    best = ml.sm.describe_training_job(TrainingJobName=d["BestTrainingJob"]["TrainingJobName"])
    assert best["TrainingJobStatus"] == "Completed"
    assert "num_models" in best["HyperParameters"]  # static, but forced to 1 under tuning (documented)


def test_stop_tuning_job(ml):
    ml.sm.create_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="tune-stop",
        TrainingJobDefinition=_definition(static={"num_round": "100000"}),
        HyperParameterTuningJobConfig=_config(jobs=6, parallel=2),
    )
    wait_for(
        lambda: ml.sm.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName="tune-stop"
        )["TrainingJobSummaries"],
        lambda s: len(s) == 2,
        30,
    )
    ml.sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="tune-stop")
    d = _wait_tuning(ml.sm, "tune-stop", 60)
    assert d["HyperParameterTuningJobStatus"] == "Stopped"
    assert (
        d["TrainingJobStatusCounters"]["Stopped"] == 2 and d["TrainingJobStatusCounters"]["InProgress"] == 0
    )
    err = _client_error(ml.sm.stop_hyper_parameter_tuning_job, HyperParameterTuningJobName="tune-stop")
    assert err["Error"]["Code"] == "ValidationException"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"Strategy": "Hyperband"}, "Strategy Hyperband is not supported"),
        (
            {"HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "validation:nope"}},
            "is not supported by the xgboost algorithm",
        ),
        (
            {
                "ParameterRanges": {
                    "ContinuousParameterRanges": [
                        {"Name": "eta", "MinValue": "0", "MaxValue": "1", "ScalingType": "Logarithmic"}
                    ]
                }
            },
            "MinValue > 0",
        ),
        (
            {
                "ParameterRanges": {
                    "IntegerParameterRanges": [{"Name": "num_round", "MinValue": "1", "MaxValue": "9"}]
                }
            },
            "both a static hyperparameter and a tunable range",
        ),
    ],
)
def test_tuning_job_validation_errors(ml, change, words):
    err = _client_error(
        ml.sm.create_hyper_parameter_tuning_job,
        HyperParameterTuningJobName="tune-bad",
        HyperParameterTuningJobConfig={**_config(), **change},
        TrainingJobDefinition=_definition(),
    )
    assert err["Error"]["Code"] == "ValidationException" and words in err["Error"]["Message"]
    err = _client_error(
        ml.sm.list_training_jobs_for_hyper_parameter_tuning_job, HyperParameterTuningJobName="tune-bad"
    )
    assert err["Error"]["Code"] == "ResourceNotFound"


def _deploy(ml, name, image, artifact, serverless=False):
    ml.sm.create_model(
        ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": image, "ModelDataUrl": artifact}
    )
    variant = {"VariantName": "AllTraffic", "ModelName": name}
    variant.update(
        {"ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 1}}
        if serverless
        else {"InstanceType": "ml.m5.xlarge", "InitialInstanceCount": 1}
    )
    ml.sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[variant])
    ml.sm.create_endpoint(EndpointName=name, EndpointConfigName=name)


def _delete(ml, name):
    ml.sm.delete_endpoint(EndpointName=name)
    ml.sm.delete_endpoint_config(EndpointConfigName=name)
    ml.sm.delete_model(ModelName=name)


def test_linear_learner_endpoint_serves_the_trained_model(ml):
    chans = [
        channel("train", f"s3://{BUCKET}/bin/train/"),
        channel("validation", f"s3://{BUCKET}/bin/validation/"),
    ]
    ml.sm.create_training_job(
        **job_args(
            "ll-bin", LL_IMAGE, {"predictor_type": "binary_classifier", "mini_batch_size": "50"}, chans
        )
    )
    artifact = wait_training(ml.sm, "ll-bin")["ModelArtifacts"]["S3ModelArtifacts"]
    _deploy(ml, "ep-ll", LL_IMAGE, artifact, serverless=True)
    first = ml.sm.describe_endpoint(EndpointName="ep-ll")
    assert first["EndpointStatus"] == "Creating"
    assert "DataCaptureConfig" not in first
    assert "VpcConfig" not in ml.sm.describe_model(ModelName="ep-ll")
    assert "DataCaptureConfig" not in ml.sm.describe_endpoint_config(EndpointConfigName="ep-ll")
    ml.sm.get_waiter("endpoint_in_service").wait(
        EndpointName="ep-ll", WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    Xb, yb = ml.bin
    csv = "\n".join(",".join(str(v) for v in row) for row in Xb[300:])
    r = ml.rt.invoke_endpoint(EndpointName="ep-ll", ContentType="text/csv", Body=csv)
    assert r["ContentType"] == "application/json"
    preds = json.loads(r["Body"].read())["predictions"]
    assert len(preds) == 100 and all(set(p) == {"score", "predicted_label"} for p in preds)
    accuracy = np.mean([p["predicted_label"] for p in preds] == yb[300:])
    assert accuracy > 0.85  # a canned or untrained answer would be near 0.5
    body = json.dumps({"instances": [{"features": list(Xb[300])}]})
    r = ml.rt.invoke_endpoint(
        EndpointName="ep-ll", ContentType="application/json", Accept="application/json", Body=body
    )
    assert json.loads(r["Body"].read())["predictions"][0]["score"] == pytest.approx(preds[0]["score"])
    # a malformed body is the model's 4xx (ModelError), as on AWS
    err = _client_error(ml.rt.invoke_endpoint, EndpointName="ep-ll", ContentType="text/csv", Body="a,b")
    assert err["Error"]["Code"] == "ModelError" and err["ResponseMetadata"]["HTTPStatusCode"] == 424
    err = _client_error(ml.rt.invoke_endpoint, EndpointName="ep-ll", ContentType="text/csv", Body="1,2,3")
    assert err["Error"]["Code"] == "ModelError" and "expected 2 features" in err["Error"]["Message"]
    _delete(ml, "ep-ll")
    # deleting the endpoint frees the model: it no longer answers
    err = _client_error(ml.rt.invoke_endpoint, EndpointName="ep-ll", ContentType="text/csv", Body=csv)
    assert err["Error"]["Code"] == "ValidationError" and err["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert ml.sm.list_endpoints()["Endpoints"] == [] and ml.sm.list_models()["Models"] == []


def test_xgboost_endpoint_and_batch_transform(ml):
    chans = [
        channel("train", f"s3://{BUCKET}/reg/train/"),
        channel("validation", f"s3://{BUCKET}/reg/validation/"),
    ]
    ml.sm.create_training_job(**job_args("xgb-host", XGB_IMAGE, {"num_round": "30", "max_depth": "3"}, chans))
    artifact = wait_training(ml.sm, "xgb-host")["ModelArtifacts"]["S3ModelArtifacts"]
    _deploy(ml, "ep-xgb", XGB_IMAGE, artifact)
    ml.sm.get_waiter("endpoint_in_service").wait(
        EndpointName="ep-xgb", WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    X, y = ml.reg
    rows = "\n".join(",".join(str(v) for v in row) for row in X[250:260])
    body = (
        ml.rt.invoke_endpoint(EndpointName="ep-xgb", ContentType="text/csv", Body=rows)["Body"]
        .read()
        .decode()
    )
    scores = np.array(body.split(), dtype=float)  # one value per line, like the 1.2-2+ containers
    assert body.count("\n") == 10 and len(scores) == 10
    assert np.sqrt(np.mean((scores - y[250:260]) ** 2)) < 2.0  # label std ≈ 2.4
    err = _client_error(
        ml.rt.invoke_endpoint, EndpointName="no-such-endpoint", ContentType="text/csv", Body=rows
    )
    assert err["Error"]["Code"] == "ValidationError" and "no-such-endpoint" in err["Error"]["Message"]

    ml.sm.create_transform_job(
        TransformJobName="bt-xgb",
        ModelName="ep-xgb",
        TransformInput={
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{BUCKET}/reg/batch/"}},
            "ContentType": "text/csv",
            "SplitType": "Line",
        },
        TransformOutput={"S3OutputPath": f"s3://{BUCKET}/batch-out", "AssembleWith": "Line"},
        TransformResources={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
    )
    d = wait_for(
        lambda: ml.sm.describe_transform_job(TransformJobName="bt-xgb"),
        lambda d: d["TransformJobStatus"] != "InProgress",
        60,
    )
    assert d["TransformJobStatus"] == "Completed" and "FailureReason" not in d
    out = ml.s3.get_object(Bucket=BUCKET, Key="batch-out/rows.csv.out")["Body"].read().decode().split()
    assert len(out) == 50 and np.array(out[:10], dtype=float) == pytest.approx(scores, rel=1e-5)
    err = _client_error(
        ml.sm.create_transform_job,
        TransformJobName="bt-bad",
        ModelName="no-such-model",
        TransformInput={
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{BUCKET}/reg/batch/"}}
        },
        TransformOutput={"S3OutputPath": f"s3://{BUCKET}/x"},
        TransformResources={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
    )
    assert err["Error"]["Code"] == "ValidationException"
    _delete(ml, "ep-xgb")
    assert ml.sm.list_endpoints()["Endpoints"] == []


def test_endpoint_with_a_missing_artifact_fails(ml):
    _deploy(ml, "ep-broken", XGB_IMAGE, f"s3://{BUCKET}/nothing/model.tar.gz")
    d = wait_for(
        lambda: ml.sm.describe_endpoint(EndpointName="ep-broken"),
        lambda d: d["EndpointStatus"] != "Creating",
        30,
    )
    assert d["EndpointStatus"] == "Failed" and "Failed to download model data" in d["FailureReason"]
    _delete(ml, "ep-broken")


def test_stop_transform_job(ml):
    chans = [channel("train", f"s3://{BUCKET}/reg/train/")]
    ml.sm.create_training_job(**job_args("xgb-bt-stop", XGB_IMAGE, {"num_round": "5"}, chans))
    artifact = wait_training(ml.sm, "xgb-bt-stop")["ModelArtifacts"]["S3ModelArtifacts"]
    ml.sm.create_model(
        ModelName="bt-stop",
        ExecutionRoleArn=ROLE,
        PrimaryContainer={"Image": XGB_IMAGE, "ModelDataUrl": artifact},
    )
    X, _ = ml.reg
    many = "\n".join(",".join(str(v) for v in X[i % len(X)]) for i in range(5000)) + "\n"
    ml.s3.put_object(Bucket=BUCKET, Key="many/rows.csv", Body=many)
    ml.sm.create_transform_job(
        TransformJobName="bt-stop",
        ModelName="bt-stop",
        BatchStrategy="SingleRecord",
        TransformInput={
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{BUCKET}/many/"}},
            "ContentType": "text/csv",
            "SplitType": "Line",
        },
        TransformOutput={"S3OutputPath": f"s3://{BUCKET}/many-out"},
        TransformResources={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
    )
    ml.sm.stop_transform_job(TransformJobName="bt-stop")
    d = wait_for(
        lambda: ml.sm.describe_transform_job(TransformJobName="bt-stop"),
        lambda d: d["TransformJobStatus"] not in ("InProgress", "Stopping"),
        60,
    )
    assert d["TransformJobStatus"] == "Stopped"
    assert not ml.s3.list_objects_v2(Bucket=BUCKET, Prefix="many-out/").get("Contents")
    err = _client_error(ml.sm.stop_transform_job, TransformJobName="bt-stop")
    assert err["Error"]["Code"] == "ValidationException" and "Stopped" in err["Error"]["Message"]
    err = _client_error(ml.sm.stop_transform_job, TransformJobName="no-such-transform")
    assert err["Error"]["Code"] == "ValidationException"
    ml.sm.delete_model(ModelName="bt-stop")
