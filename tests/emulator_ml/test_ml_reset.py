"""/moto-api/reset while a training job runs: the worker stops, writes nothing, and new jobs still run."""

from __future__ import annotations

import numpy as np
from mlhelpers import BUCKET, LL_IMAGE, XGB_IMAGE, channel, job_args, wait_for, wait_training

from testkit import aws
from testkit.data import csv_rows


def test_reset_stops_running_work_and_the_emulator_keeps_serving(ml, emulator):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 20))
    ml.s3.put_object(Bucket=BUCKET, Key="big/train/d.csv", Body=csv_rows(X, X @ rng.normal(size=20)))
    ml.sm.create_training_job(
        **job_args(
            "long", XGB_IMAGE, {"num_round": "100000"}, [channel("train", f"s3://{BUCKET}/big/train/")]
        )
    )
    wait_for(
        lambda: ml.sm.describe_training_job(TrainingJobName="long"),
        lambda d: d.get("SecondaryStatus") == "Training",
        timeout=30,
    )
    aws.reset(emulator.url)
    assert ml.sm.list_training_jobs()["TrainingJobSummaries"] == []
    assert ml.s3.list_buckets()["Buckets"] == []
    # the stopped worker wrote nothing into the fresh state, and new jobs still run
    ml.s3.create_bucket(Bucket=BUCKET)
    X, y = ml.reg
    ml.s3.put_object(Bucket=BUCKET, Key="reg/train/d.csv", Body=csv_rows(X, y))
    ml.sm.create_training_job(
        **job_args(
            "after",
            LL_IMAGE,
            {"predictor_type": "regressor"},
            [channel("train", f"s3://{BUCKET}/reg/train/")],
        )
    )
    assert wait_training(ml.sm, "after")["TrainingJobStatus"] == "Completed"
    keys = [o["Key"] for o in ml.s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == ["out/after/output/model.tar.gz", "reg/train/d.csv"]
