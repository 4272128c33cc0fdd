"""Fixtures for the web page: a class's settings, clients, tiny real models trained on the embedded AWS.

``trained_class`` trains one small model per lesson job through the emulator's real linear-learner and
XGBoost (CreateTrainingJob on the jobs' own feature pipelines, cut down so that all three take
seconds), and writes ``<class_dir>/jobs/<job>/last.json`` exactly as ``make train`` does. Tests deploy
from there with the kit's own ``classroom deploy`` code.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest
from web_helpers import REGION, ROLE_ARN, boto, web_settings

TINY_OPTIONS = {
    "rainfall": {},
    "credit": {},
    "spam": {"limit": 120, "max_features": 300, "capstone": False},
}


@pytest.fixture
def settings():
    return web_settings()


@pytest.fixture
def restore_environ():
    """``classroom.activate`` writes AWS_* into os.environ; put the environment back afterwards."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def _wait_training(sm, name: str, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        d = sm.describe_training_job(TrainingJobName=name)
        if d["TrainingJobStatus"] in ("Completed", "Failed", "Stopped"):
            assert d["TrainingJobStatus"] == "Completed", d.get("FailureReason")
            return d
        assert time.monotonic() < deadline, f"training job {name} still {d['TrainingJobStatus']}"
        time.sleep(0.5)


def _hyperparameters(job: str, prepared) -> dict[str, str]:
    """The job's own hyperparameters, cut down to a few seconds of training."""
    from jobs import rainfall, spam

    if job == "rainfall":
        hp = {**rainfall.HYPERPARAMETERS, "num_models": 4, "epochs": 5}
    elif job == "credit":
        hp = {**prepared.info["hyperparameters"], "num_models": 4, "epochs": 5}
    else:
        hp = {**spam.FIXED, "num_round": 20}
    return {k: str(v) for k, v in hp.items()}


@pytest.fixture(scope="session")
def trained_class(emulator, state_dir):
    """A class directory holding last.json + feature pipeline of three tiny models trained for real."""
    from sagemaker.core import image_uris

    from jobs.lifecycle import Context, save_last
    from jobs.runner import job_class
    from jobs.sdk import Account, Trained
    from kitcore.statedir import ensure_dir
    from provision import classroom

    class_dir = ensure_dir(classroom.class_dir(web_settings()))
    s3, sm = boto("s3", emulator), boto("sagemaker", emulator)
    bucket = f"web-tests-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    ctx = Context(
        account=Account(bucket=bucket, role_arn=ROLE_ARN, region=REGION),
        class_dir=class_dir,
        run_id="web-tests",
    )
    names = []
    for job in ("rainfall", "credit", "spam"):
        obj = job_class(job)(TINY_OPTIONS[job])
        prepared = obj.prepare()
        s3.put_object(Bucket=bucket, Key=f"{job}/train/train.csv", Body=prepared.channels["train"].encode())
        algorithm = "xgboost" if job == "spam" else "linear-learner"
        image = image_uris.retrieve(
            framework=algorithm, region=REGION, version="1.7-1" if algorithm == "xgboost" else None
        )
        name = f"web-{job}-{uuid.uuid4().hex[:6]}"
        sm.create_training_job(
            TrainingJobName=name,
            RoleArn=ROLE_ARN,
            HyperParameters=_hyperparameters(job, prepared),
            AlgorithmSpecification={"TrainingImage": image, "TrainingInputMode": "File"},
            InputDataConfig=[
                {
                    "ChannelName": "train",
                    "ContentType": "text/csv",
                    "DataSource": {
                        "S3DataSource": {
                            "S3DataType": "S3Prefix",
                            "S3Uri": f"s3://{bucket}/{job}/train/",
                            "S3DataDistributionType": "FullyReplicated",
                        }
                    },
                }
            ],
            OutputDataConfig={"S3OutputPath": f"s3://{bucket}/{job}/output"},
            ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 1},
            StoppingCondition={"MaxRuntimeInSeconds": 600},
        )
        names.append((job, name, image, obj, prepared))
    for _job, name, image, obj, prepared in names:
        d = _wait_training(sm, name)
        artifact = d["ModelArtifacts"]["S3ModelArtifacts"]
        trained = Trained(job_name=name, model_data_url=artifact, image_uri=image)
        save_last(obj, ctx, trained, prepared)
    yield Path(class_dir)
    import shutil

    shutil.rmtree(class_dir / "jobs", ignore_errors=True)
    # Under `make test`'s workers this session fixture ends when its worker ends: a later test file on
    # the same worker may have reset the emulator (moto's /moto-api/reset) and taken the bucket with it.
    if bucket not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        return
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys})
    s3.delete_bucket(Bucket=bucket)
