"""The SageMaker Python SDK v3 runs the lesson's flow offline against the embedded AWS:
ModelTrainer (linear-learner) → HyperparameterTuner (XGBoost, 4 jobs, 2 parallel) → Model /
EndpointConfig / Endpoint → invoke → TransformJob → delete, with real metrics and nothing left behind.
Every non-loopback connection is refused during the run (tests/conftest.py), so the SDK cannot reach AWS.
"""

from __future__ import annotations

import logging

import boto3
import numpy as np
import pytest
from mlhelpers import LL_IMAGE, ROLE, XGB_IMAGE, binary_data, regression_data

from testkit.data import csv_rows

BUCKET = "kit-sdk-v3"
pytestmark = pytest.mark.slow


@pytest.fixture
def sdk_env(aws_env, monkeypatch, tmp_path, reset_emulator):
    config = tmp_path / "sagemaker-config.yaml"
    config.write_text(
        "SchemaVersion: '1.0'\nSageMaker:\n  PythonSDK:\n    Modules:\n      TelemetryOptOut: true\n"
    )
    monkeypatch.setenv("SAGEMAKER_USER_CONFIG_OVERRIDE", str(config))
    monkeypatch.setenv("SAGEMAKER_VALIDATE_ROLE", "false")
    return aws_env


def test_sdk_v3_train_tune_deploy_invoke_transform_delete(sdk_env, caplog):
    from sagemaker.core import image_uris
    from sagemaker.core.helper.session_helper import Session
    from sagemaker.core.parameter import ContinuousParameter, IntegerParameter
    from sagemaker.core.resources import Endpoint, EndpointConfig, Model, TrainingJob, TransformJob
    from sagemaker.core.shapes import ContainerDefinition, ProductionVariant
    from sagemaker.core.training.configs import Compute, InputData, OutputDataConfig
    from sagemaker.train import ModelTrainer
    from sagemaker.train.tuner import HyperparameterTuner

    boto = boto3.Session(region_name="us-east-1")
    s3, sm = boto.client("s3"), boto.client("sagemaker")
    s3.create_bucket(Bucket=BUCKET)
    Xb, yb = binary_data()
    X, y = regression_data()
    put = s3.put_object
    put(Bucket=BUCKET, Key="credit/train/train.csv", Body=csv_rows(Xb[:300], yb[:300]))
    put(Bucket=BUCKET, Key="credit/test/test.csv", Body=csv_rows(Xb[300:], yb[300:]))
    put(Bucket=BUCKET, Key="reg/train/train.csv", Body=csv_rows(X[:250], y[:250]))
    put(Bucket=BUCKET, Key="reg/validation/validation.csv", Body=csv_rows(X[250:], y[250:]))
    put(Bucket=BUCKET, Key="reg/batch/batch.csv", Body=csv_rows(X[250:]))
    session = Session(boto_session=boto, default_bucket=BUCKET)
    # the SDK's own image URIs are the ones the emulator recognises
    assert image_uris.retrieve(framework="linear-learner", region="us-east-1") == LL_IMAGE
    xgb_image = image_uris.retrieve(framework="xgboost", region="us-east-1", version="1.7-1")
    assert xgb_image == XGB_IMAGE

    # --- train: linear-learner through ModelTrainer, logs streamed from CloudWatch
    ll = ModelTrainer(
        training_image=LL_IMAGE,
        role=ROLE,
        sagemaker_session=session,
        base_job_name="credit",
        compute=Compute(instance_type="ml.m5.xlarge", instance_count=1),
        output_data_config=OutputDataConfig(s3_output_path=f"s3://{BUCKET}/output"),
        hyperparameters={"predictor_type": "binary_classifier", "mini_batch_size": 50},
    )
    caplog.set_level(logging.INFO, logger="sagemaker.core.resources")
    ll.train(
        input_data_config=[
            InputData(
                channel_name="train", data_source=f"s3://{BUCKET}/credit/train/", content_type="text/csv"
            ),
            InputData(
                channel_name="test", data_source=f"s3://{BUCKET}/credit/test/", content_type="text/csv"
            ),
        ],
        wait=True,
        logs=True,
    )
    streamed = [r.getMessage() for r in caplog.records if r.name == "sagemaker.core.resources"]
    assert any("#quality_metric: host=algo-1, test binary_classification_accuracy" in m for m in streamed)
    job = ll._latest_training_job.refresh()
    assert job.training_job_status == "Completed"
    metrics = {m.metric_name: m.value for m in job.final_metric_data_list}
    assert metrics["test:binary_classification_accuracy"] > 0.85 and 0.5 < metrics["test:roc_auc_score"] <= 1

    # --- tune: XGBoost, 4 jobs, 2 in parallel, InputData list with content_type
    xgb = ModelTrainer(
        training_image=xgb_image,
        role=ROLE,
        sagemaker_session=session,
        base_job_name="spam",
        compute=Compute(instance_type="ml.m5.xlarge", instance_count=1),
        output_data_config=OutputDataConfig(s3_output_path=f"s3://{BUCKET}/output"),
        hyperparameters={"num_round": 30, "objective": "reg:squarederror"},
    )
    tuner = HyperparameterTuner(
        model_trainer=xgb,
        objective_metric_name="validation:rmse",
        objective_type="Minimize",
        hyperparameter_ranges={"max_depth": IntegerParameter(2, 5), "eta": ContinuousParameter(0.05, 0.5)},
        max_jobs=4,
        max_parallel_jobs=2,
    )
    tuner.tune(
        inputs=[
            InputData(channel_name="train", data_source=f"s3://{BUCKET}/reg/train/", content_type="text/csv"),
            InputData(
                channel_name="validation",
                data_source=f"s3://{BUCKET}/reg/validation/",
                content_type="text/csv",
            ),
        ],
        wait=True,
    )
    described = tuner.describe()
    assert described.hyper_parameter_tuning_job_status == "Completed"
    assert described.training_job_status_counters.completed == 4
    best_name = tuner.best_training_job()
    children = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=described.hyper_parameter_tuning_job_name,
        SortBy="FinalObjectiveMetricValue",
        SortOrder="Ascending",
    )["TrainingJobSummaries"]
    assert best_name == children[0]["TrainingJobName"] and len(children) == 4
    best = TrainingJob.get(best_name, session=boto)

    # --- deploy the best job with the resource classes, invoke, batch transform
    model = Model.create(
        model_name="spam-best",
        execution_role_arn=ROLE,
        session=boto,
        primary_container=ContainerDefinition(
            image=xgb_image, model_data_url=best.model_artifacts.s3_model_artifacts
        ),
    )
    config = EndpointConfig.create(
        endpoint_config_name="spam-best",
        session=boto,
        production_variants=[
            ProductionVariant(
                variant_name="AllTraffic",
                model_name="spam-best",
                instance_type="ml.m5.xlarge",
                initial_instance_count=1,
            )
        ],
    )
    endpoint = Endpoint.create(endpoint_name="spam-best", endpoint_config_name="spam-best", session=boto)
    try:
        endpoint.wait_for_status("InService", poll=1, timeout=60)
        answer = endpoint.invoke(body=csv_rows(X[250:255]), content_type="text/csv", accept="text/csv")
        scores = np.array(answer.body.read().decode().split(), dtype=float)
        assert len(scores) == 5 and np.sqrt(np.mean((scores - y[250:255]) ** 2)) < 2.0
        transform = TransformJob.create(
            transform_job_name="spam-batch",
            model_name="spam-best",
            session=boto,
            transform_input={
                "data_source": {
                    "s3_data_source": {"s3_data_type": "S3Prefix", "s3_uri": f"s3://{BUCKET}/reg/batch/"}
                },
                "content_type": "text/csv",
                "split_type": "Line",
            },
            transform_output={"s3_output_path": f"s3://{BUCKET}/batch-out", "assemble_with": "Line"},
            transform_resources={"instance_type": "ml.m5.xlarge", "instance_count": 1},
        )
        transform.wait(poll=1, timeout=60)
        assert transform.refresh().transform_job_status == "Completed"
        out = s3.get_object(Bucket=BUCKET, Key="batch-out/batch.csv.out")["Body"].read().decode().split()
        assert len(out) == 50 and np.array(out[:5], dtype=float) == pytest.approx(scores, rel=1e-5)
    finally:
        endpoint.delete()
        config.delete()
        model.delete()
    assert sm.list_endpoints()["Endpoints"] == []
    assert sm.list_endpoint_configs()["EndpointConfigs"] == []
    assert sm.list_models()["Models"] == []
