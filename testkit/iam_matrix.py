"""The class's principals exercised on the embedded AWS with IAM enforced (issue 13).

Used by ``tests/emulator_iam/test_iam_class.py`` (after a real Terraform apply of the class) and by
``bench/bench_iam.py`` (the matrix as a table, the mutation test over the execution role's
statements, the latency cost of enforcement). Every call is a real boto3 call signed by the
principal under test:

- the **execution role**, assumed through STS as SageMaker assumes it, runs the lesson's path:
  upload, train, tune, deploy, invoke, batch transform, Studio app, clean up (``exercise_role``);
- a **student** with an access key of their own (the IAM user Terraform created, so its groups'
  policies apply) and the same student **in Studio** (the execution role's session);
- the **administrator** with the access key from the handout;
- **anonymous** (unsigned) requests to the buckets.

Every cell of the matrix has an expected value; ``allowed`` means IAM let the request through (a
later validation error of the service still counts as allowed), ``denied`` means AWS's access-denied
answer for the protocol.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import boto3
import numpy as np
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
REGION = "us-east-1"
XGB_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
DENIED_CODES = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "403",
}  # 403: HEAD has no body
BOOT = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=120)
CLASS_TAG = "classroom"


@dataclass
class Cell:
    principal: str
    action: str
    expected: str  # allowed | denied
    actual: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.expected == self.actual


def attempt(call: Callable[[], object]) -> tuple[str, str]:
    """("allowed" | "denied", detail) of one request."""
    try:
        call()
    except ClientError as err:
        code = err.response["Error"].get("Code", "")
        message = err.response["Error"].get("Message", "")
        if code in DENIED_CODES:
            return "denied", message
        return "allowed", f"{code}: {message}"  # IAM let it through; the service refused it
    return "allowed", ""


def _csv(n: int = 120, seed: int = 0, label: bool = True) -> bytes:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 3.0
    rows = np.column_stack([y, X]) if label else X
    return ("\n".join(",".join(f"{v:.5g}" for v in r) for r in rows) + "\n").encode()


def _wait(fn: Callable[[], dict], key: str, timeout: float = 180.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        d = fn()
        if d[key] not in ("InProgress", "Stopping", "Creating", "Updating") or time.monotonic() > deadline:
            return d
        time.sleep(0.2)


class ClassAccount:
    """The principals of one applied class on the embedded AWS (``out``: the Terraform outputs)."""

    def __init__(self, url: str, out: dict) -> None:
        self.url, self.out = url, out
        self.role_arn: str = out["execution_role_arn"]
        self.models: str = out["models_bucket"]
        self.share: str = out["share_bucket"]
        self.domain: str = out["studio_domain_id"]
        self.students: list[str] = sorted(out["students"])
        self._keys: list[tuple[str, str]] = []
        self._class_name: str | None = None

    @property
    def class_tags(self) -> list[dict[str, str]]:
        """The class's tag (``classroom=<class>``, Terraform's default_tags), read off the execution
        role: what a student must put on everything they create (terraform/modules/students)."""
        if self._class_name is None:
            tags = self.client("iam").list_role_tags(RoleName=self.role_arn.rsplit("/", 1)[-1])["Tags"]
            self._class_name = next(t["Value"] for t in tags if t["Key"] == CLASS_TAG)
        return [{"Key": CLASS_TAG, "Value": self._class_name}]

    def client(self, service: str, creds: dict | None = None, unsigned: bool = False):
        if unsigned:
            return boto3.client(
                service,
                region_name=REGION,
                endpoint_url=self.url,
                config=CONFIG.merge(Config(signature_version=UNSIGNED)),
            )
        return boto3.client(
            service, region_name=REGION, endpoint_url=self.url, config=CONFIG, **(creds or BOOT)
        )

    def role_session(self, name: str = "SageMaker") -> dict:
        """The execution role assumed through STS (by the bootstrapping principal, as SageMaker does)."""
        c = self.client("sts").assume_role(RoleArn=self.role_arn, RoleSessionName=name)["Credentials"]
        return {
            "aws_access_key_id": c["AccessKeyId"],
            "aws_secret_access_key": c["SecretAccessKey"],
            "aws_session_token": c["SessionToken"],
        }

    def student_key(self, name: str) -> dict:
        """An access key of the student's own IAM user (deleted by ``cleanup``)."""
        key = self.client("iam").create_access_key(UserName=name)["AccessKey"]
        self._keys.append((name, key["AccessKeyId"]))
        return {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}

    def admin_key(self) -> dict:
        return {
            "aws_access_key_id": self.out["admin"]["access_key_id"],
            "aws_secret_access_key": self.out["admin_secrets"]["access_key_secret"],
        }

    def cleanup(self) -> None:
        iam = self.client("iam")
        for user, key in self._keys:
            iam.delete_access_key(UserName=user, AccessKeyId=key)
        self._keys.clear()


# ------------------------------------------------------------------------------------------------
# The execution role runs the lesson
# ------------------------------------------------------------------------------------------------


def exercise_role(acct: ClassAccount, tag: str | None = None) -> list[str]:
    """The lesson's path under the execution role's session; the list of what failed (empty: all ran).

    What SageMaker itself does with the role (image pulls, reading channels, writing the model and the
    logs) is checked by the embedded AWS as AWS does it; the SDK's own role check (SimulatePrincipalPolicy
    over ``_get_smoke_test_actions("training")``) is asked too.
    """
    tag = tag or uuid.uuid4().hex[:6]
    failures: list[str] = []
    creds = acct.role_session(f"SageMaker-{tag}")
    sm, s3 = acct.client("sagemaker", creds), acct.client("s3", creds)
    runtime, logs = acct.client("sagemaker-runtime", creds), acct.client("logs", creds)
    boot_sm = acct.client("sagemaker")
    prefix = f"iam-{tag}"
    job, tuner, model, config, endpoint, batch = (
        f"{prefix}-{k}" for k in ("train", "tune", "model", "cfg", "ep", "bt")
    )
    made: dict[str, list[str]] = {"model": [], "config": [], "endpoint": []}

    def step(what: str, call: Callable[[], object]) -> object | None:
        try:
            return call()
        except ClientError as err:
            failures.append(
                f"{what}: {err.response['Error'].get('Code')}: {err.response['Error'].get('Message')}"
            )
        except AssertionError as err:
            failures.append(f"{what}: {err}")
        return None

    # the SDK's role check before it trains (sagemaker/core/helper/iam_role_resolver.py)
    try:
        from sagemaker.core.helper.iam_role_resolver import _get_smoke_test_actions

        gate = _get_smoke_test_actions("training")
        results = acct.client("iam").simulate_principal_policy(
            PolicySourceArn=acct.role_arn, ActionNames=gate
        )["EvaluationResults"]
        refused = [r["EvalActionName"] for r in results if r["EvalDecision"] != "allowed"]
        if refused:
            failures.append(f"SDK role check: not allowed {refused}")
    except ImportError:  # pragma: no cover - the SDK is a dependency of the kit
        pass

    train_uri, val_uri = f"s3://{acct.models}/{prefix}/train/", f"s3://{acct.models}/{prefix}/validation/"
    step(
        "s3:PutObject train",
        lambda: s3.put_object(Bucket=acct.models, Key=f"{prefix}/train/d.csv", Body=_csv()),
    )
    step(
        "s3:PutObject validation",
        lambda: s3.put_object(Bucket=acct.models, Key=f"{prefix}/validation/d.csv", Body=_csv(60, 1)),
    )
    step(
        "s3:PutObject batch",
        lambda: s3.put_object(Bucket=acct.models, Key=f"{prefix}/batch/d.csv", Body=_csv(20, 2, label=False)),
    )

    def channel(name: str, uri: str) -> dict:
        return {
            "ChannelName": name,
            "ContentType": "text/csv",
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri}},
        }

    definition = {
        "AlgorithmSpecification": {"TrainingImage": XGB_IMAGE, "TrainingInputMode": "File"},
        "RoleArn": acct.role_arn,
        "InputDataConfig": [channel("train", train_uri), channel("validation", val_uri)],
        "OutputDataConfig": {"S3OutputPath": f"s3://{acct.models}/{prefix}/out"},
        "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 5},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
    }
    artifacts = None
    if (
        step(
            "sagemaker:CreateTrainingJob",
            lambda: sm.create_training_job(
                TrainingJobName=job,
                HyperParameters={"num_round": "10", "objective": "reg:squarederror"},
                **definition,
            ),
        )
        is not None
    ):
        d = _wait(lambda: sm.describe_training_job(TrainingJobName=job), "TrainingJobStatus")
        if d["TrainingJobStatus"] != "Completed":
            failures.append(f"training job {d['TrainingJobStatus']}: {d.get('FailureReason')}")
        else:
            artifacts = d["ModelArtifacts"]["S3ModelArtifacts"]

        def logged() -> None:
            streams = logs.describe_log_streams(
                logGroupName="/aws/sagemaker/TrainingJobs", logStreamNamePrefix=job
            )["logStreams"]
            assert streams, "no log stream for the training job (the role may not write logs)"
            events = logs.get_log_events(
                logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=streams[0]["logStreamName"]
            )["events"]
            assert events, "the training job wrote no log events"

        step("training logs", logged)

    if (
        step(
            "sagemaker:CreateHyperParameterTuningJob",
            lambda: sm.create_hyper_parameter_tuning_job(
                HyperParameterTuningJobName=tuner,
                HyperParameterTuningJobConfig={
                    "Strategy": "Random",
                    "RandomSeed": 3,
                    "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "validation:rmse"},
                    "ResourceLimits": {"MaxNumberOfTrainingJobs": 2, "MaxParallelTrainingJobs": 2},
                    "ParameterRanges": {
                        "IntegerParameterRanges": [
                            {"Name": "max_depth", "MinValue": "2", "MaxValue": "4", "ScalingType": "Auto"}
                        ]
                    },
                },
                TrainingJobDefinition={**definition, "StaticHyperParameters": {"num_round": "5"}},
            ),
        )
        is not None
    ):
        d = _wait(
            lambda: sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=tuner),
            "HyperParameterTuningJobStatus",
        )
        if d["HyperParameterTuningJobStatus"] != "Completed":
            failures.append(f"tuning job {d['HyperParameterTuningJobStatus']}: {d.get('FailureReason')}")
        step(
            "sagemaker:ListTrainingJobsForHyperParameterTuningJob",
            lambda: sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=tuner),
        )

    for what, call in [
        ("sagemaker:ListTrainingJobs", sm.list_training_jobs),
        ("sagemaker:ListEndpoints", sm.list_endpoints),
        ("sagemaker:ListModels", sm.list_models),
        ("sagemaker:ListDomains", sm.list_domains),
    ]:
        step(what, call)

    if artifacts:
        if (
            step(
                "sagemaker:CreateModel",
                lambda: sm.create_model(
                    ModelName=model,
                    ExecutionRoleArn=acct.role_arn,
                    PrimaryContainer={"Image": XGB_IMAGE, "ModelDataUrl": artifacts},
                ),
            )
            is not None
        ):
            made["model"].append(model)
        if (
            step(
                "sagemaker:CreateEndpointConfig",
                lambda: _endpoint_config(sm, config, model, "ml.m5.xlarge", variant="AllTraffic"),
            )
            is not None
        ):
            made["config"].append(config)
        if (
            step(
                "sagemaker:CreateEndpoint",
                lambda: sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=config),
            )
            is not None
        ):
            made["endpoint"].append(endpoint)
            d = _wait(lambda: sm.describe_endpoint(EndpointName=endpoint), "EndpointStatus")
            if d["EndpointStatus"] != "InService":
                failures.append(f"endpoint {d['EndpointStatus']}: {d.get('FailureReason')}")
            else:
                step(
                    "sagemaker:InvokeEndpoint",
                    lambda: runtime.invoke_endpoint(
                        EndpointName=endpoint, ContentType="text/csv", Body=b"0.1,0.2,0.3"
                    ),
                )
        if (
            step(
                "sagemaker:CreateTransformJob",
                lambda: sm.create_transform_job(
                    TransformJobName=batch,
                    ModelName=model,
                    TransformInput={
                        "ContentType": "text/csv",
                        "SplitType": "Line",
                        "DataSource": {
                            "S3DataSource": {
                                "S3DataType": "S3Prefix",
                                "S3Uri": f"s3://{acct.models}/{prefix}/batch/",
                            }
                        },
                    },
                    TransformOutput={"S3OutputPath": f"s3://{acct.models}/{prefix}/batch-out"},
                    TransformResources={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
                ),
            )
            is not None
        ):
            d = _wait(lambda: sm.describe_transform_job(TransformJobName=batch), "TransformJobStatus")
            if d["TransformJobStatus"] != "Completed":
                failures.append(f"transform job {d['TransformJobStatus']}: {d.get('FailureReason')}")
            else:
                step(
                    "s3:GetObject transform output",
                    lambda: s3.get_object(Bucket=acct.models, Key=f"{prefix}/batch-out/d.csv.out")[
                        "Body"
                    ].read(),
                )

    # a notebook under the role: SDK v3's default bucket, an object in it, get_execution_role()'s GetRole
    actual, detail = default_bucket_under_role(acct)
    if actual != "allowed":
        failures.append(f"SDK Session().default_bucket(): {detail}")
    default = f"sagemaker-{REGION}-{ACCOUNT}"
    if actual == "allowed":
        step(
            "s3:PutObject default bucket",
            lambda: s3.put_object(Bucket=default, Key=f"{prefix}/n.txt", Body=b"n"),
        )
        step("s3:GetObject default bucket", lambda: s3.get_object(Bucket=default, Key=f"{prefix}/n.txt"))
    step(
        "iam:GetRole own role",
        lambda: acct.client("iam", creds).get_role(RoleName=acct.role_arn.rsplit("/", 1)[-1]),
    )
    _drop_default_bucket(acct)

    # Studio runs the student's JupyterLab app under this role
    student = acct.students[0] if acct.students else None
    if (
        student
        and step(
            "sagemaker:CreateApp ml.t3.medium",
            lambda: _jupyter_app(sm, acct, student, f"app-{tag}", "ml.t3.medium"),
        )
        is not None
    ):
        step(
            "sagemaker:DescribeApp until InService",
            lambda: wait_app_status(sm, acct, student, f"app-{tag}", ("InService", "Failed")),
        )
        step(
            "sagemaker:DeleteApp",
            lambda: sm.delete_app(
                DomainId=acct.domain, UserProfileName=student, AppType="JupyterLab", AppName=f"app-{tag}"
            ),
        )
        delete_app(acct, student, f"app-{tag}")  # when the role could not delete it

    # clean up under the role (the lesson deletes what it deployed); the bootstrap finishes the job
    for name in made["endpoint"]:
        step("sagemaker:DeleteEndpoint", lambda name=name: sm.delete_endpoint(EndpointName=name))
    for name in made["config"]:
        step(
            "sagemaker:DeleteEndpointConfig",
            lambda name=name: sm.delete_endpoint_config(EndpointConfigName=name),
        )
    for name in made["model"]:
        step("sagemaker:DeleteModel", lambda name=name: sm.delete_model(ModelName=name))
    _force_clean(acct, boot_sm, made)
    return failures


def _drop_default_bucket(acct: ClassAccount) -> None:
    """The SDK's default bucket, emptied and deleted by the bootstrapping principal (`classroom down`
    deletes it in a class)."""
    s3 = acct.client("s3")
    name = f"sagemaker-{REGION}-{ACCOUNT}"
    try:
        versions = s3.list_object_versions(Bucket=name)
    except ClientError:
        return
    for v in versions.get("Versions", []) + versions.get("DeleteMarkers", []):
        s3.delete_object(Bucket=name, Key=v["Key"], VersionId=v["VersionId"])
    s3.delete_bucket(Bucket=name)


def _force_clean(acct: ClassAccount, sm, made: dict[str, list[str]]) -> None:
    deletes = (
        ("endpoint", lambda n: sm.delete_endpoint(EndpointName=n)),
        ("config", lambda n: sm.delete_endpoint_config(EndpointConfigName=n)),
        ("model", lambda n: sm.delete_model(ModelName=n)),
    )
    for kind, delete in deletes:
        for name in made[kind]:
            try:
                delete(name)
            except ClientError:
                pass


def _endpoint_config(
    sm, name: str, model: str, instance_type: str, variant: str = "a", tags: list | None = None
) -> dict:
    """CreateEndpointConfig with one production variant of one instance."""
    return sm.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[
            {
                "VariantName": variant,
                "ModelName": model,
                "InstanceType": instance_type,
                "InitialInstanceCount": 1,
            }
        ],
        **({"Tags": tags} if tags else {}),
    )


def _jupyter_app(sm, acct: ClassAccount, profile: str, name: str, instance_type: str) -> dict:
    """CreateApp: a JupyterLab app of the profile on the class's domain."""
    return sm.create_app(
        DomainId=acct.domain,
        UserProfileName=profile,
        AppType="JupyterLab",
        AppName=name,
        ResourceSpec={"InstanceType": instance_type},
    )


def wait_app_status(
    sm, acct: ClassAccount, profile: str, name: str, wanted: tuple[str, ...], timeout: float = 30.0
) -> str | None:
    """Poll DescribeApp until the app's status is one of ``wanted`` (None: the app is gone)."""
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        try:
            status = sm.describe_app(
                DomainId=acct.domain, UserProfileName=profile, AppType="JupyterLab", AppName=name
            )["Status"]
        except ClientError as err:
            if err.response["Error"]["Code"] in DENIED_CODES:
                raise
            return None
        if status in wanted:
            return status
        time.sleep(0.2)
    return status


def delete_app(acct: ClassAccount, profile: str, name: str) -> None:
    """Delete an app once it is InService (AWS refuses before) and wait until it is Deleted."""
    sm = acct.client("sagemaker")
    if wait_app_status(sm, acct, profile, name, ("InService", "Failed", "Deleted")) in (
        "InService",
        "Failed",
    ):
        sm.delete_app(DomainId=acct.domain, UserProfileName=profile, AppType="JupyterLab", AppName=name)
    wait_app_deleted(acct, profile, name)


def wait_app_deleted(acct: ClassAccount, profile: str, name: str, timeout: float = 30.0) -> None:
    """Apps go Deleting -> Deleted; a profile with a Deleting app cannot be deleted (as on AWS)."""
    sm = acct.client("sagemaker")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status = sm.describe_app(
                DomainId=acct.domain, UserProfileName=profile, AppType="JupyterLab", AppName=name
            )["Status"]
        except ClientError:
            return
        if status in ("Deleted", "Failed"):
            return
        time.sleep(0.2)


def default_bucket_under_role(acct: ClassAccount) -> tuple[str, str]:
    """SDK v3's ``Session().default_bucket()`` in a notebook running as the execution role.

    The SDK asks STS at its regional endpoint URL, built by hand (``sts_regional_endpoint``), which
    ignores AWS_ENDPOINT_URL; that one URL is pointed at the embedded AWS for the call.
    """
    import os
    from unittest import mock

    from sagemaker.core.helper import session_helper

    creds = acct.role_session("notebook")
    saved = os.environ.get("AWS_ENDPOINT_URL")
    os.environ["AWS_ENDPOINT_URL"] = acct.url
    try:
        with mock.patch.object(session_helper, "sts_regional_endpoint", lambda _region: acct.url):
            session = session_helper.Session(boto_session=boto3.Session(region_name=REGION, **creds))
            return attempt(session.default_bucket)
    finally:
        if saved is None:
            os.environ.pop("AWS_ENDPOINT_URL", None)
        else:
            os.environ["AWS_ENDPOINT_URL"] = saved


# ------------------------------------------------------------------------------------------------
# The permission matrix
# ------------------------------------------------------------------------------------------------


def _p3_calls(sm, acct: ClassAccount, profile: str, tag: str) -> list[tuple[str, Callable[[], object]]]:
    """The calls that would start an ml.p3.2xlarge, each tagged for the class (so that only the
    guardrail's explicit deny can refuse them)."""
    big = "ml.p3.2xlarge"
    tags = acct.class_tags
    return [
        (
            "CreateTrainingJob ml.p3.2xlarge",
            lambda: sm.create_training_job(
                TrainingJobName=f"p3-{tag}",
                RoleArn=acct.role_arn,
                AlgorithmSpecification={"TrainingImage": XGB_IMAGE, "TrainingInputMode": "File"},
                OutputDataConfig={"S3OutputPath": f"s3://{acct.models}/p3"},
                ResourceConfig={"InstanceType": big, "InstanceCount": 1, "VolumeSizeInGB": 5},
                StoppingCondition={"MaxRuntimeInSeconds": 60},
                Tags=tags,
            ),
        ),
        (
            "CreateEndpointConfig ml.p3.2xlarge",
            lambda: _endpoint_config(sm, f"p3-{tag}", "none", big, tags=tags),
        ),
        (
            "CreateTransformJob ml.p3.2xlarge",
            lambda: sm.create_transform_job(
                TransformJobName=f"p3-{tag}",
                ModelName="none",
                TransformInput={
                    "DataSource": {
                        "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{acct.models}/x/"}
                    }
                },
                TransformOutput={"S3OutputPath": f"s3://{acct.models}/p3"},
                TransformResources={"InstanceType": big, "InstanceCount": 1},
                Tags=tags,
            ),
        ),
        (
            "CreateNotebookInstance ml.p3.2xlarge",
            lambda: sm.create_notebook_instance(
                NotebookInstanceName=f"p3-{tag}", InstanceType=big, RoleArn=acct.role_arn, Tags=tags
            ),
        ),
        (
            "CreateApp ml.p3.2xlarge",
            lambda: _jupyter_app(sm, acct, profile, f"p3-{tag}", big),
        ),
    ]


def student_matrix(acct: ClassAccount, tag: str) -> list[Cell]:
    """The student's own access key (their IAM user: the Students group's policies, the guardrail)
    against the lesson's calls and what a student must not do. Expects the bootstrap's untagged model
    ``m-<tag>`` and the other student's ``<other>/train.csv`` (``permission_matrix`` makes them);
    everything the student creates is deleted, under the student's key where the cells allow it."""
    me, other = acct.students[0], acct.students[1]
    cells: list[Cell] = []
    creds = acct.student_key(me)
    sm, s3, iam = acct.client("sagemaker", creds), acct.client("s3", creds), acct.client("iam", creds)
    logs = acct.client("logs", creds)
    who = f"student {me}"
    tags = acct.class_tags
    boot_sm = acct.client("sagemaker")
    job, model, config, endpoint = (f"stu-{tag}-{k}" for k in ("train", "model", "cfg", "ep"))

    def cell(action: str, expected: str, call: Callable[[], object]) -> None:
        actual, detail = attempt(call)
        cells.append(Cell(who, action, expected, actual, detail))

    try:
        # Studio
        cell(
            "CreatePresignedDomainUrl own profile",
            "allowed",
            lambda: sm.create_presigned_domain_url(DomainId=acct.domain, UserProfileName=me),
        )
        cell(
            "CreatePresignedDomainUrl another's profile",
            "denied",
            lambda: sm.create_presigned_domain_url(DomainId=acct.domain, UserProfileName=other),
        )
        cell("DescribeDomain (the class's)", "allowed", lambda: sm.describe_domain(DomainId=acct.domain))
        cell("ListApps", "allowed", lambda: sm.list_apps(DomainIdEquals=acct.domain))
        cell(
            "CreateApp ml.t3.medium own profile",
            "allowed",
            lambda: _jupyter_app(sm, acct, me, f"st3-{tag}", "ml.t3.medium"),
        )
        cell(
            "CreateApp ml.t3.medium another's profile",
            "denied",
            lambda: _jupyter_app(sm, acct, other, f"sx-{tag}", "ml.t3.medium"),
        )

        # S3: the own prefix of the private bucket, the public bucket's shared prefix
        cell(
            "s3:PutObject own prefix",
            "allowed",
            lambda: s3.put_object(Bucket=acct.models, Key=f"{me}/train/d.csv", Body=_csv()),
        )
        cell(
            "s3:GetObject own prefix",
            "allowed",
            lambda: s3.get_object(Bucket=acct.models, Key=f"{me}/train/d.csv")["Body"].read(),
        )
        cell(
            "s3:ListBucket own prefix",
            "allowed",
            lambda: s3.list_objects_v2(Bucket=acct.models, Prefix=f"{me}/"),
        )
        cell(
            "s3:GetObject another student's prefix",
            "denied",
            lambda: s3.get_object(Bucket=acct.models, Key=f"{other}/train.csv"),
        )
        cell(
            "s3:ListBucket another student's prefix",
            "denied",
            lambda: s3.list_objects_v2(Bucket=acct.models, Prefix=f"{other}/"),
        )
        cell(
            "s3:PutObject another student's prefix",
            "denied",
            lambda: s3.put_object(Bucket=acct.models, Key=f"{other}/x.csv", Body=b"x"),
        )
        cell(
            "s3:GetObject private bucket outside any prefix of mine",
            "denied",
            lambda: s3.get_object(Bucket=acct.models, Key="ada-data/train.csv"),
        )
        cell("s3:ListBucket private bucket", "denied", lambda: s3.list_objects_v2(Bucket=acct.models))
        cell(
            "s3:ListBucket public bucket share/",
            "allowed",
            lambda: s3.list_objects_v2(Bucket=acct.share, Prefix="share/"),
        )
        cell(
            "s3:GetObject public bucket share/",
            "allowed",
            lambda: s3.get_object(Bucket=acct.share, Key="share/hello.txt")["Body"].read(),
        )
        cell(
            "s3:PutObject public bucket share/",
            "denied",
            lambda: s3.put_object(Bucket=acct.share, Key="share/x.txt", Body=b"x"),
        )

        # the three jobs on the allowed types, tagged for the class, the class's role passed to SageMaker
        definition = {
            "AlgorithmSpecification": {"TrainingImage": XGB_IMAGE, "TrainingInputMode": "File"},
            "RoleArn": acct.role_arn,
            "InputDataConfig": [
                {
                    "ChannelName": "train",
                    "ContentType": "text/csv",
                    "DataSource": {
                        "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{acct.models}/{me}/train/"}
                    },
                }
            ],
            "OutputDataConfig": {"S3OutputPath": f"s3://{acct.models}/{me}/out"},
            "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 5},
            "StoppingCondition": {"MaxRuntimeInSeconds": 600},
            "HyperParameters": {"num_round": "3", "objective": "reg:squarederror"},
        }
        cell(
            "CreateTrainingJob ml.m5.xlarge without the class tag",
            "denied",
            lambda: sm.create_training_job(TrainingJobName=f"{job}-untagged", **definition),
        )
        cell(
            "CreateTrainingJob ml.m5.xlarge (class tag)",
            "allowed",
            lambda: sm.create_training_job(TrainingJobName=job, Tags=tags, **definition),
        )
        cell(
            "DescribeTrainingJob until done",
            "allowed",
            lambda: _wait(lambda: sm.describe_training_job(TrainingJobName=job), "TrainingJobStatus"),
        )
        cell("ListTrainingJobs", "allowed", sm.list_training_jobs)
        cell(
            "logs:DescribeLogStreams SageMaker training logs",
            "allowed",
            lambda: logs.describe_log_streams(
                logGroupName="/aws/sagemaker/TrainingJobs", logStreamNamePrefix=job
            ),
        )
        cell(
            "CreateHyperParameterTuningJob without the class tag",
            "denied",
            lambda: sm.create_hyper_parameter_tuning_job(
                HyperParameterTuningJobName=f"stu-{tag}-tune",
                HyperParameterTuningJobConfig={
                    "Strategy": "Random",
                    "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "train:rmse"},
                    "ResourceLimits": {"MaxNumberOfTrainingJobs": 1, "MaxParallelTrainingJobs": 1},
                },
                TrainingJobDefinition={k: v for k, v in definition.items() if k != "HyperParameters"},
            ),
        )
        cell(
            "CreateModel passing another role",
            "denied",
            lambda: sm.create_model(
                ModelName=f"{model}-other",
                ExecutionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/OrganizationAccountAccessRole",
                PrimaryContainer={"Image": XGB_IMAGE},
                Tags=tags,
            ),
        )
        cell(
            "CreateModel (class tag, the class's role)",
            "allowed",
            lambda: sm.create_model(
                ModelName=model,
                ExecutionRoleArn=acct.role_arn,
                PrimaryContainer={"Image": XGB_IMAGE},
                Tags=tags,
            ),
        )
        cell(
            "CreateEndpointConfig ml.m5.xlarge without the class tag",
            "denied",
            lambda: _endpoint_config(sm, f"{config}-untagged", model, "ml.m5.xlarge"),
        )
        cell(
            "CreateEndpointConfig ml.m5.xlarge (class tag)",
            "allowed",
            lambda: _endpoint_config(sm, config, model, "ml.m5.xlarge", tags=tags),
        )
        cell(
            "CreateEndpoint (class tag)",
            "allowed",
            lambda: sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=config, Tags=tags),
        )
        cell("DescribeEndpoint", "allowed", lambda: sm.describe_endpoint(EndpointName=endpoint))
        for action, call in _p3_calls(sm, acct, me, tag):
            cell(action, "denied", call)
        cell(
            "DeleteModel not tagged for the class",
            "denied",
            lambda: sm.delete_model(ModelName=f"m-{tag}"),
        )
        cell(
            "DeleteEndpoint (class tag)",
            "allowed",
            lambda: sm.delete_endpoint(EndpointName=endpoint),
        )
        cell(
            "DeleteEndpointConfig (class tag)",
            "allowed",
            lambda: sm.delete_endpoint_config(EndpointConfigName=config),
        )
        cell("DeleteModel (class tag)", "allowed", lambda: sm.delete_model(ModelName=model))
        cell(
            "DeleteApp own profile",
            "allowed",
            lambda: (
                wait_app_status(sm, acct, me, f"st3-{tag}", ("InService", "Failed")),
                sm.delete_app(
                    DomainId=acct.domain, UserProfileName=me, AppType="JupyterLab", AppName=f"st3-{tag}"
                ),
            ),
        )

        # IAM: nothing but the own password
        cell("iam:ListUsers", "denied", iam.list_users)
        cell(
            "iam:CreateAccessKey for another student",
            "denied",
            lambda: iam.create_access_key(UserName=other),
        )
        cell(
            "iam:AttachUserPolicy AdministratorAccess to self",
            "denied",
            lambda: iam.attach_user_policy(
                UserName=me, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
            ),
        )
        cell(
            "iam:GetAccountPasswordPolicy (IAMUserChangePassword)",
            "allowed",
            iam.get_account_password_policy,
        )
    finally:
        acct.cleanup()
        _force_clean(
            acct,
            boot_sm,
            {
                "endpoint": [endpoint],
                "config": [config, f"{config}-untagged"],
                "model": [model, f"{model}-other"],
            },
        )
        for name in (f"st3-{tag}", f"sx-{tag}"):
            for profile in (me, other):
                try:
                    delete_app(acct, profile, name)
                except ClientError:
                    pass
        try:  # (a mutation of the Students policies may have refused the job)
            _wait(lambda: boot_sm.describe_training_job(TrainingJobName=job), "TrainingJobStatus")
        except ClientError:
            pass
        purge(acct, acct.models, f"{me}/")
    return cells


def purge(acct: ClassAccount, bucket: str, prefix: str) -> None:
    """Delete every version under ``prefix`` by its version id (the class's buckets are versioned: a
    plain DeleteObject would leave delete markers, which moto's DeleteObjects then fails on when
    Terraform empties the bucket)."""
    s3 = acct.client("s3")
    versions = s3.list_object_versions(Bucket=bucket, Prefix=prefix)
    for v in versions.get("Versions", []) + versions.get("DeleteMarkers", []):
        s3.delete_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])


STUDENTS_POLICIES = ("lesson-access", "studio-access")


def students_statements(acct: ClassAccount) -> dict[str, list[dict]]:
    """The Students group's inline policies (terraform/modules/students): name -> statements."""
    iam = acct.client("iam")
    group = acct.out["students_group_name"]
    out = {}
    for name in STUDENTS_POLICIES:
        doc = iam.get_group_policy(GroupName=group, PolicyName=name)["PolicyDocument"]
        doc = json.loads(doc) if isinstance(doc, str) else doc
        st = doc["Statement"]
        out[name] = [st] if isinstance(st, dict) else list(st)
    return out


def students_mutation_test(acct: ClassAccount, sids: list[str] | None = None) -> dict[str, list[str]]:
    """Delete one statement of the Students group's policies at a time and run the student's cells;
    {sid: the cells that changed}. A statement whose deletion changes no cell is not exercised."""
    iam = acct.client("iam")
    group = acct.out["students_group_name"]
    policies = students_statements(acct)
    results: dict[str, list[str]] = {}
    boot_s3, boot_sm = acct.client("s3"), acct.client("sagemaker")
    boot_s3.put_object(Bucket=acct.share, Key="share/hello.txt", Body=b"hello")
    boot_s3.put_object(Bucket=acct.models, Key="ada-data/train.csv", Body=_csv(5))
    boot_s3.put_object(Bucket=acct.models, Key=f"{acct.students[1]}/train.csv", Body=_csv(5))
    try:
        for name, statements in policies.items():
            for i, st in enumerate(statements):
                sid = st.get("Sid") or f"{name}-{i}"
                if sids is not None and sid not in sids:
                    continue
                rest = [x for j, x in enumerate(statements) if j != i]
                iam.put_group_policy(
                    GroupName=group,
                    PolicyName=name,
                    PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": rest}),
                )
                tag = f"mu{len(results)}{uuid.uuid4().hex[:4]}"
                boot_sm.create_model(
                    ModelName=f"m-{tag}",
                    ExecutionRoleArn=acct.role_arn,
                    PrimaryContainer={"Image": XGB_IMAGE},
                )
                try:
                    cells = student_matrix(acct, tag)
                finally:
                    boot_sm.delete_model(ModelName=f"m-{tag}")
                    iam.put_group_policy(
                        GroupName=group,
                        PolicyName=name,
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
                    )
                results[sid] = [f"{c.action}: {c.actual}" for c in cells if not c.ok]
    finally:
        for bucket, key in (
            (acct.share, "share/hello.txt"),
            (acct.models, "ada-data/train.csv"),
            (acct.models, f"{acct.students[1]}/train.csv"),
        ):
            purge(acct, bucket, key)
    return results


def permission_matrix(acct: ClassAccount) -> list[Cell]:
    """Every principal of the class against the calls that matter; nothing created is left behind."""
    tag = uuid.uuid4().hex[:6]
    cells: list[Cell] = []

    def cell(principal: str, action: str, expected: str, call: Callable[[], object]) -> None:
        actual, detail = attempt(call)
        cells.append(Cell(principal, action, expected, actual, detail))

    boot_s3, boot_sm = acct.client("s3"), acct.client("sagemaker")
    boot_s3.put_object(Bucket=acct.share, Key="share/hello.txt", Body=b"hello")
    boot_s3.put_object(Bucket=acct.share, Key="notes/private.txt", Body=b"not shared")
    boot_s3.put_object(Bucket=acct.models, Key="ada-data/train.csv", Body=_csv(5))
    boot_s3.put_object(Bucket=acct.models, Key=f"{acct.students[1]}/train.csv", Body=_csv(5))
    boot_sm.create_model(
        ModelName=f"m-{tag}", ExecutionRoleArn=acct.role_arn, PrimaryContainer={"Image": XGB_IMAGE}
    )
    me = acct.students[0]
    try:
        # --- a student with their own access key (the IAM user, Students group policies) ---
        cells += student_matrix(acct, tag)

        # --- the same student in Studio: the execution role's session ---
        role = acct.role_session(f"studio-{me}")
        rsm, rs3, riam = acct.client("sagemaker", role), acct.client("s3", role), acct.client("iam", role)
        who = f"student {me} in Studio (execution role)"
        cell(
            who,
            "CreateEndpointConfig ml.m5.xlarge",
            "allowed",
            lambda: _endpoint_config(rsm, f"m5-{tag}", f"m-{tag}", "ml.m5.xlarge"),
        )
        cell(
            who,
            "CreateApp ml.t3.medium",
            "allowed",
            lambda: _jupyter_app(rsm, acct, me, f"t3-{tag}", "ml.t3.medium"),
        )
        for action, call in _p3_calls(rsm, acct, me, tag + "r"):
            cell(who, action, "denied", call)
        cell(
            who,
            "s3:GetObject private bucket",
            "allowed",
            lambda: rs3.get_object(Bucket=acct.models, Key="ada-data/train.csv"),
        )
        cell(who, "s3:ListAllMyBuckets", "denied", rs3.list_buckets)
        cell(who, "iam:ListUsers", "denied", riam.list_users)

        # --- the administrator (AdministratorAccess + Billing + IAMUserChangePassword) ---
        admin = acct.admin_key()
        asm, aiam = acct.client("sagemaker", admin), acct.client("iam", admin)
        who = "administrator"
        cell(who, "iam:ListUsers", "allowed", aiam.list_users)
        cell(
            who,
            "CreateEndpointConfig ml.p3.2xlarge (no guardrail on the instructor)",
            "allowed",
            lambda: _endpoint_config(asm, f"admin-p3-{tag}", f"m-{tag}", "ml.p3.2xlarge"),
        )
        cell(
            who,
            "budgets:ViewBudget",
            "allowed",
            lambda: acct.client("budgets", admin).describe_budgets(AccountId=ACCOUNT),
        )
        cell(
            who,
            "s3:GetObject private bucket",
            "allowed",
            lambda: acct.client("s3", admin).get_object(Bucket=acct.models, Key="ada-data/train.csv"),
        )
        admin_arn = f"arn:aws:iam::{ACCOUNT}:user/{acct.out['admin']['user_name']}"
        for action in ("aws-portal:ViewBilling", "aws-portal:ModifyBilling", "ce:GetCostAndUsage"):
            cell(
                who,
                f"{action} (Billing, simulated)",
                "allowed",
                lambda action=action: _simulated(acct, admin_arn, action),
            )

        # --- anonymous ---
        anon = acct.client("s3", unsigned=True)
        who = "anonymous"
        cell(
            who,
            "s3:GetObject public bucket share/",
            "allowed",
            lambda: anon.get_object(Bucket=acct.share, Key="share/hello.txt"),
        )
        cell(
            who,
            "s3:GetObject public bucket outside share/",
            "denied",
            lambda: anon.get_object(Bucket=acct.share, Key="notes/private.txt"),
        )
        cell(who, "s3:ListBucket public bucket", "denied", lambda: anon.list_objects_v2(Bucket=acct.share))
        cell(
            who,
            "s3:PutObject public bucket share/",
            "denied",
            lambda: anon.put_object(Bucket=acct.share, Key="share/x.txt", Body=b"x"),
        )
        cell(
            who,
            "s3:GetObject private bucket",
            "denied",
            lambda: anon.get_object(Bucket=acct.models, Key="ada-data/train.csv"),
        )
    finally:
        acct.cleanup()
        for name in (f"m5-{tag}", f"admin-p3-{tag}"):
            try:
                boot_sm.delete_endpoint_config(EndpointConfigName=name)
            except ClientError:
                pass
        delete_app(acct, me, f"t3-{tag}")
        boot_sm.delete_model(ModelName=f"m-{tag}")
    return cells


def _simulated(acct: ClassAccount, arn: str, action: str) -> None:
    [r] = acct.client("iam").simulate_principal_policy(PolicySourceArn=arn, ActionNames=[action])[
        "EvaluationResults"
    ]
    if r["EvalDecision"] != "allowed":
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": r["EvalDecision"]}}, "Simulate")


def format_matrix(cells: list[Cell]) -> str:
    width = max(len(c.principal) for c in cells)
    awidth = max(len(c.action) for c in cells)
    lines = [f"{'principal':<{width}}  {'action':<{awidth}}  expected  actual   ok"]
    for c in cells:
        lines.append(
            f"{c.principal:<{width}}  {c.action:<{awidth}}  {c.expected:<8}  {c.actual:<7}  "
            f"{'yes' if c.ok else 'NO'}"
        )
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------
# Mutation test over the execution role's statements
# ------------------------------------------------------------------------------------------------

ROLE_POLICY = "classroom-least-privilege"


def role_statements(acct: ClassAccount) -> list[dict]:
    iam = acct.client("iam")
    name = acct.role_arn.rsplit("/", 1)[-1]
    doc = iam.get_role_policy(RoleName=name, PolicyName=ROLE_POLICY)["PolicyDocument"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    statements = doc["Statement"]
    return [statements] if isinstance(statements, dict) else list(statements)


def mutation_test(acct: ClassAccount, sids: list[str] | None = None) -> dict[str, list[str]]:
    """Delete one statement at a time and run the role's lesson path; {sid: what failed}.

    A statement whose deletion fails nothing is not needed by any test — the mutation test's finding.
    The policy is put back after each mutation.
    """
    iam = acct.client("iam")
    name = acct.role_arn.rsplit("/", 1)[-1]
    original = iam.get_role_policy(RoleName=name, PolicyName=ROLE_POLICY)["PolicyDocument"]
    original_text = original if isinstance(original, str) else json.dumps(original)
    statements = role_statements(acct)
    results: dict[str, list[str]] = {}
    try:
        for i, st in enumerate(statements):
            sid = st.get("Sid") or f"statement-{i}"
            if sids is not None and sid not in sids:
                continue
            rest = [s for j, s in enumerate(statements) if j != i]
            iam.put_role_policy(
                RoleName=name,
                PolicyName=ROLE_POLICY,
                PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": rest}),
            )
            results[sid] = exercise_role(acct, f"mut{i}")
    finally:
        iam.put_role_policy(RoleName=name, PolicyName=ROLE_POLICY, PolicyDocument=original_text)
    return results
