"""Fixtures for running the lesson's notebooks: a class folder shaped like `make up`'s (outputs.json
with an execution role, a student's handout) and the lab environment (`provision.lab.prepare`)."""

from __future__ import annotations

import csv
import json
import sys
import uuid
from pathlib import Path

import pytest
from nbhelpers import RUNNER_BUCKET, STUDENT

from provision import lab
from provision.handout import HEADER

# jobhelpers (the spam corpus writer, leftovers()) for the notebook tests, also when run alone
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "jobs"))


def execution_policy(role_name: str, buckets: list[str]) -> dict:
    """The class's execution-role policy, as terraform/modules/studio writes it (its statements that
    the lesson's notebooks and the job runner use): the kit's buckets, the SDK's default bucket, the
    lesson's SageMaker calls, reading and passing its own role. The embedded AWS enforces it."""
    acct, sm = "123456789012", "arn:aws:sagemaker:us-east-1:123456789012"
    default = "arn:aws:s3:::sagemaker-us-east-1-123456789012"
    kit = [f"arn:aws:s3:::{b}" for b in buckets]
    role = f"arn:aws:iam::{acct}:role/{role_name}"
    lesson = [
        "CreateTrainingJob",
        "DescribeTrainingJob",
        "StopTrainingJob",
        "CreateHyperParameterTuningJob",
        "DescribeHyperParameterTuningJob",
        "StopHyperParameterTuningJob",
        "ListTrainingJobsForHyperParameterTuningJob",
        "CreateTransformJob",
        "DescribeTransformJob",
        "StopTransformJob",
        "CreateModel",
        "DescribeModel",
        "DeleteModel",
        "CreateEndpointConfig",
        "DescribeEndpointConfig",
        "DeleteEndpointConfig",
        "CreateEndpoint",
        "DescribeEndpoint",
        "DeleteEndpoint",
        "UpdateEndpoint",
        "InvokeEndpoint",
        "AddTags",
        "ListTags",
    ]
    lists = [
        "ListTrainingJobs",
        "ListHyperParameterTuningJobs",
        "ListTransformJobs",
        "ListModels",
        "ListEndpointConfigs",
        "ListEndpoints",
    ]
    objects = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    statements = [
        ("ListKitBuckets", ["s3:ListBucket", "s3:GetBucketLocation"], kit),
        ("ReadWriteKitObjects", objects, [f"{b}/*" for b in kit]),
        ("SdkDefaultBucket", ["s3:CreateBucket", "s3:ListBucket", "s3:GetBucketLocation"], [default]),
        ("SdkDefaultBucketObjects", objects, [f"{default}/*"]),
        ("ReadOwnRole", ["iam:GetRole"], [role]),
        ("PullAlgorithmImagesToken", ["ecr:GetAuthorizationToken"], ["*"]),
        (
            "PullAlgorithmImages",
            ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
            ["arn:aws:ecr:us-east-1:*:repository/*"],
        ),
        (
            "WriteSageMakerLogs",
            [
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:DescribeLogStreams",
                "logs:GetLogEvents",
            ],
            [
                f"arn:aws:logs:us-east-1:{acct}:log-group:/aws/sagemaker/*",
                f"arn:aws:logs:us-east-1:{acct}:log-group:/aws/sagemaker/*:log-stream:*",
            ],
        ),
        ("PublishSageMakerMetrics", ["cloudwatch:PutMetricData"], ["*"]),
        ("RunLessonJobsAndEndpoints", [f"sagemaker:{a}" for a in lesson], [f"{sm}:*"]),
        ("ListLessonResources", [f"sagemaker:{a}" for a in lists], ["*"]),
    ]
    doc = [
        {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": res}
        for sid, actions, res in statements
    ]
    doc.append(
        {
            "Sid": "PassThisRoleToSageMaker",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": role,
            "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        }
    )
    return {"Version": "2012-10-17", "Statement": doc}


@pytest.fixture
def lesson_class(client, reset_emulator, tmp_path):
    """What `make up` leaves for `classroom lab`: outputs.json (execution role) and handouts."""
    iam = client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
            }
        ],
    }
    role = iam.create_role(
        RoleName=f"classroom-sm-exec-{uuid.uuid4().hex[:6]}", AssumeRolePolicyDocument=json.dumps(trust)
    )["Role"]["Arn"]
    name = role.rsplit("/", 1)[1]
    iam.put_role_policy(
        RoleName=name,
        PolicyName="classroom-least-privilege",
        PolicyDocument=json.dumps(execution_policy(name, [RUNNER_BUCKET])),
    )
    client("s3").create_bucket(Bucket=RUNNER_BUCKET)
    cdir = tmp_path / "class"
    (cdir / "handouts").mkdir(parents=True)
    (cdir / "outputs.json").write_text(
        json.dumps({"execution_role_arn": role, "models_bucket": RUNNER_BUCKET})
    )
    with (cdir / "handouts" / f"{STUDENT}.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerow([STUDENT, "x", "", "", "", STUDENT, "", "Ada", "no"])
    return cdir


@pytest.fixture
def lab_env(lesson_class, aws_env):
    """The kernels' environment of `classroom lab` for this class (and its AWS proxy, stopped after)."""
    outputs = json.loads((lesson_class / "outputs.json").read_text())
    the_lab = lab.prepare(lesson_class, outputs, aws_env.url, "us-east-1", None)
    yield the_lab
    the_lab.proxy.stop()
