"""Fixtures for the teardown tests: a class scope on the embedded AWS, and leftovers made directly
through boto3 the way a student would make them (never by the kit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from provision.teardown import Aws, ClassScope, Context

REGION = "us-east-1"
OTHER = "eu-west-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/classroom-sagemaker"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def make_scope(state: Path, **kw) -> ClassScope:
    base = dict(class_name="ml101", region=REGION, account_id=ACCOUNT, tags={"classroom": "ml101"},
                state_dir=state, sweep_regions=(REGION, OTHER, "us-west-2"))
    base.update(kw)
    return ClassScope(**base)


def make_ctx(scope: ClassScope, hooks=None, max_attempts: int = 4) -> Context:
    return Context(aws=Aws(max_attempts=max_attempts, hooks=hooks, record_params=True), scope=scope,
                   poll_initial_s=0.05, poll_max_s=0.5, wait_timeout_s=30, workers=8)


def endpoint(sm, name: str, bucket: str = "ml101-models") -> None:
    """Model + config + endpoint, as a notebook's deploy() makes them."""
    sm.create_model(ModelName=f"{name}-model", ExecutionRoleArn=ROLE,
                    PrimaryContainer={"Image": IMAGE, "ModelDataUrl": f"s3://{bucket}/{name}/model.tar.gz"})
    sm.create_endpoint_config(EndpointConfigName=f"{name}-config", ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": f"{name}-model", "InitialInstanceCount": 1,
        "InstanceType": "ml.m5.xlarge"}])
    sm.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config")


def versioned_bucket(s3, name: str, versions: int = 1200, markers: int = 150) -> None:
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    keys = versions // 2
    for round_ in range(2):
        for i in range(keys):
            s3.put_object(Bucket=name, Key=f"data/part-{i:04d}.csv", Body=f"{round_},{i}\n".encode())
    for i in range(markers):
        s3.delete_object(Bucket=name, Key=f"data/part-{i:04d}.csv")


def tuning_job(sm, name: str, bucket: str = "ml101-models") -> None:
    sm.create_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name,
        HyperParameterTuningJobConfig={
            "Strategy": "Bayesian",
            "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "validation:rmse"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 4, "MaxParallelTrainingJobs": 2},
            "ParameterRanges": {"ContinuousParameterRanges": [
                {"Name": "eta", "MinValue": "0.1", "MaxValue": "0.5"}]},
        },
        TrainingJobDefinition={
            "StaticHyperParameters": {"num_round": "20", "objective": "reg:squarederror"},
            "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
            "RoleArn": ROLE,
            "InputDataConfig": [{"ChannelName": "train", "ContentType": "text/csv", "DataSource": {
                "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{bucket}/train/"}}}],
            "OutputDataConfig": {"S3OutputPath": f"s3://{bucket}/output/"},
            "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 5},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        })


@pytest.fixture
def td_state(tmp_path) -> Path:
    d = tmp_path / "class"
    d.mkdir(mode=0o700)
    return d
