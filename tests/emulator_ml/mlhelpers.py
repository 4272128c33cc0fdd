"""Helpers for the embedded AWS's ML tests: data sets, job arguments, waiters, image URIs."""

from __future__ import annotations

import time

import numpy as np

LL_IMAGE = "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1"
XGB_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
ROLE = "arn:aws:iam::123456789012:role/kit-sagemaker"
BUCKET = "kit-ml-tests"


def regression_data(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) * [1.0, 10.0, 0.1] + [0.0, 50.0, 1.0]
    y = X @ np.array([1.0, 0.2, -3.0]) + 4.0 + rng.normal(scale=0.05, size=n)
    return X, y


def binary_data(n: int = 400, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(scale=0.3, size=n) > 0).astype(float)
    return X, y


def channel(name: str, uri: str, content_type: str | None = "text/csv") -> dict:
    ch = {"ChannelName": name, "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri}}}
    if content_type:
        ch["ContentType"] = content_type
    return ch


def job_args(
    name: str, image: str, hp: dict[str, str], channels: list[dict], out: str = f"s3://{BUCKET}/out"
):
    return dict(
        TrainingJobName=name,
        AlgorithmSpecification={"TrainingImage": image, "TrainingInputMode": "File"},
        RoleArn=ROLE,
        HyperParameters=hp,
        InputDataConfig=channels,
        OutputDataConfig={"S3OutputPath": out},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 600},
    )


def wait_for(fn, done, timeout: float = 60.0, interval: float = 0.1):
    """Call fn() until done(result) or the timeout; return the last result."""
    deadline = time.monotonic() + timeout
    while True:
        result = fn()
        if done(result) or time.monotonic() > deadline:
            return result
        time.sleep(interval)


def wait_training(sm, name: str, timeout: float = 60.0) -> dict:
    return wait_for(
        lambda: sm.describe_training_job(TrainingJobName=name),
        lambda d: d["TrainingJobStatus"] not in ("InProgress", "Stopping"),
        timeout,
    )
