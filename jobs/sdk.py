"""The thin adapter over the SageMaker Python SDK v3 (and boto3 for S3).

Nothing here knows whether it talks to AWS or to the embedded AWS: boto3 and the SDK read the
endpoint (``AWS_ENDPOINT_URL``) and credentials from the environment. Offline facts this module
respects (see the notes): the bucket and role are passed explicitly (the SDK's own STS call ignores
``AWS_ENDPOINT_URL``), inputs are ``InputData`` lists with ``content_type="text/csv"`` (never dicts),
the tuner has no ``deploy`` (the best job's artifact is deployed through Model / EndpointConfig /
Endpoint resources), and the SDK's telemetry is switched off.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3

from kitcore import tags as kit_tags
from kitcore.aws import delete_hosting, paged, short, wait_for_status
from kitcore.errors import KitError
from kitcore.statedir import write_private
from kitcore.times import utc_in

TELEMETRY_OPT_OUT = """SchemaVersion: '1.0'
SageMaker:
  PythonSDK:
    Modules:
      TelemetryOptOut: true
"""
XGBOOST_VERSION = "1.7-1"
FIRST_POLL_S = 0.1  # the first wait between two Describe calls of one wait (see SageMaker.backoff)
# what ``SageMaker.wait`` polls: describe(sm, name), the status field, the good end, the bad ends
WAITS: dict[str, tuple[Callable, str, str, tuple[str, ...]]] = {
    "training": (
        lambda sm, n: sm.describe_training_job(TrainingJobName=n),
        "TrainingJobStatus",
        "Completed",
        ("Failed", "Stopped"),
    ),
    "tuning": (
        lambda sm, n: sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=n),
        "HyperParameterTuningJobStatus",
        "Completed",
        ("Failed", "Stopped"),
    ),
    "transform": (
        lambda sm, n: sm.describe_transform_job(TransformJobName=n),
        "TransformJobStatus",
        "Completed",
        ("Failed", "Stopped"),
    ),
    "endpoint": (
        lambda sm, n: sm.describe_endpoint(EndpointName=n),
        "EndpointStatus",
        "InService",
        ("Failed", "OutOfService"),
    ),
}


class Cancelled(KitError):
    """The run was interrupted (Ctrl-C): stop waiting, clean up."""


def prepare_environment() -> None:
    """SDK settings that must be in place before the SDK builds a session."""
    if "SAGEMAKER_USER_CONFIG_OVERRIDE" not in os.environ:
        from kitcore.statedir import state_root

        # under the state folder (CLASSROOM_STATE_DIR), like everything else the kit writes for a run
        path = state_root() / "sdk" / "sagemaker-config.yaml"
        if not path.exists():
            write_private(path, TELEMETRY_OPT_OUT)
        os.environ["SAGEMAKER_USER_CONFIG_OVERRIDE"] = str(path)
    os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")


@dataclass(frozen=True)
class Account:
    """What a job needs from the account setup (Terraform outputs)."""

    bucket: str
    role_arn: str
    region: str
    # where the credentials come from: None = the environment's (boto3's chain); else a function that
    # makes a new boto3 session (one per job thread), e.g. one acting in a member account of a class of
    # accounts through an assumed role (provision/accounts/state.py)
    session: Callable[[], Any] | None = field(default=None, compare=False, repr=False)

    def boto_session(self) -> Any:
        return self.session() if self.session else boto3.Session(region_name=self.region)


@dataclass
class Trained:
    job_name: str
    model_data_url: str
    image_uri: str
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass
class Tuned:
    tuning_job_name: str
    best: Trained
    objective: str
    best_value: float | None
    jobs: list[dict] = field(default_factory=list)  # name, status, objective, hyperparameters


@dataclass
class Deployment:
    """Names of what one deploy created; ``delete`` removes exactly these."""

    model_name: str | None = None
    config_name: str | None = None
    endpoint_name: str | None = None
    expires_at: str = ""
    image_uri: str = ""
    model_data_url: str = ""


def unique_name(prefix: str) -> str:
    """A SageMaker-valid name (≤63 chars, [a-zA-Z0-9-]) with a short random suffix."""
    stamp = dt.datetime.now(dt.UTC).strftime("%m%d-%H%M%S")
    return f"{prefix[:40]}-{stamp}-{uuid.uuid4().hex[:6]}"


class SageMaker:
    """One per job (boto3 sessions are not shared between threads)."""

    def __init__(
        self,
        account: Account,
        cancel: threading.Event | None = None,
        poll: float | None = None,
        on_status: Callable[[str], None] | None = None,
        tags: dict[str, str] | None = None,
    ) -> None:
        prepare_environment()
        from sagemaker.core.helper.session_helper import Session

        self.account = account
        self.base_tags = {kit_tags.KIT: "jobs", **(tags or {})}  # e.g. the class's scope tags
        self.cancel = cancel or threading.Event()
        self.poll = poll if poll is not None else float(os.environ.get("CLASSROOM_POLL_SECONDS", "5"))
        self.on_status = on_status or (lambda _s: None)
        self.boto = account.boto_session()
        self.session = Session(boto_session=self.boto, default_bucket=account.bucket)
        self.s3 = self.boto.client("s3")
        self.sm = self.boto.client("sagemaker")
        self.runtime = self.boto.client("sagemaker-runtime")

    # -- helpers ---------------------------------------------------------------------------------

    def image(self, algorithm: str, version: str | None = None) -> str:
        from sagemaker.core import image_uris

        if algorithm == "xgboost":
            version = version or XGBOOST_VERSION
        return image_uris.retrieve(framework=algorithm, region=self.account.region, version=version)

    def check_cancel(self) -> None:
        if self.cancel.is_set():
            raise Cancelled("interrupted")

    def sleep(self, seconds: float | None = None) -> None:
        if self.cancel.wait(self.poll if seconds is None else seconds):
            raise Cancelled("interrupted")

    def backoff(self) -> Callable[[], None]:
        """A sleep for one wait: FIRST_POLL_S, doubling up to ``poll``. A job that ends in a second is
        seen within a few tenths of one, a long one costs one Describe call per ``poll``."""
        interval = [min(FIRST_POLL_S, self.poll)]

        def sleep() -> None:
            self.sleep(interval[0])
            interval[0] = min(self.poll, interval[0] * 2)

        return sleep

    def boto_tags(self, extra: dict[str, str]) -> list[dict[str, str]]:
        return [{"Key": k, "Value": v} for k, v in {**self.base_tags, **extra}.items()]

    def tags(self, extra: dict[str, str]) -> list:
        from sagemaker.core.shapes import Tag

        return [Tag(key=k, value=v) for k, v in {**self.base_tags, **extra}.items()]

    def check_bucket(self) -> None:
        """One clear error if the models bucket is not there (``make up`` not done)."""
        try:
            self.s3.head_bucket(Bucket=self.account.bucket)
        except Exception as err:  # noqa: BLE001 - botocore ClientError or connection errors
            raise KitError(
                f"the models bucket {self.account.bucket!r} is not reachable ({short(err)}); "
                "run `make up` first"
            ) from None

    def check_role(self) -> None:
        """The SDK's own role check (iam:SimulatePrincipalPolicy, unless SAGEMAKER_VALIDATE_ROLE=false),
        run once before any upload so that a role lacking permissions is one clear line."""
        try:
            self._trainer(
                self.image("linear-learner"),
                {},
                "ml.m5.xlarge",
                f"s3://{self.account.bucket}/x",
                "role-check",
                {},
                60,
            )
        except Exception as err:  # noqa: BLE001 - RoleValidationError and IAM client errors
            if type(err).__name__ != "RoleValidationError":
                raise
            lines = str(err).splitlines()
            missing = next((ln for ln in lines if ln.startswith("Missing permissions")), lines[0])
            raise KitError(
                f"the execution role {self.account.role_arn} cannot run training jobs "
                f"(SageMaker SDK role check): {missing}; grant them, or set "
                "SAGEMAKER_VALIDATE_ROLE=false to skip the SDK's check"
            ) from None

    def upload(self, key: str, text: str) -> str:
        self.s3.put_object(Bucket=self.account.bucket, Key=key, Body=text.encode(), ContentType="text/csv")
        return f"s3://{self.account.bucket}/{key}"

    def read(self, uri: str) -> bytes:
        bucket, _, key = uri.removeprefix("s3://").partition("/")
        return self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()

    # -- training --------------------------------------------------------------------------------

    def _trainer(
        self,
        image: str,
        hyperparameters: dict,
        instance_type: str,
        output_path: str,
        base_job_name: str,
        tags: dict[str, str],
        max_seconds: int,
    ):
        from sagemaker.core.shapes import OutputDataConfig, StoppingCondition
        from sagemaker.core.training.configs import Compute
        from sagemaker.train import ModelTrainer

        return ModelTrainer(
            training_image=image,
            role=self.account.role_arn,
            sagemaker_session=self.session,
            base_job_name=base_job_name,
            compute=Compute(instance_type=instance_type, instance_count=1),
            output_data_config=OutputDataConfig(s3_output_path=output_path),
            stopping_condition=StoppingCondition(max_runtime_in_seconds=max_seconds),
            hyperparameters={k: str(v) for k, v in hyperparameters.items()},
            tags=self.tags(tags),
        )

    @staticmethod
    def _inputs(channels: dict[str, str]):
        from sagemaker.core.training.configs import InputData

        return [
            InputData(channel_name=name, data_source=uri, content_type="text/csv")
            for name, uri in channels.items()
        ]

    def train(
        self,
        image: str,
        hyperparameters: dict,
        channels: dict[str, str],
        instance_type: str,
        output_path: str,
        base_job_name: str,
        tags: dict[str, str],
        max_seconds: int = 3600,
    ) -> Trained:
        """One training job (ModelTrainer); waits for it, raising a one-line error if it failed."""
        self.check_cancel()
        trainer = self._trainer(
            image, hyperparameters, instance_type, output_path, base_job_name, tags, max_seconds
        )
        trainer.train(input_data_config=self._inputs(channels), wait=False, logs=False)
        job = trainer._latest_training_job  # the SDK's handle on the job it just created
        name = job.training_job_name
        self.on_status(f"training {name}")
        self.wait("training", name)
        return self.trained(name, image)

    def wait(self, kind: str, name: str, on_poll: Callable[[dict], None] | None = None) -> dict:
        """Poll ``kind`` ("training", "tuning", "transform" or "endpoint") until it ends; a job that did
        not complete (an endpoint that did not come InService) is one KitError. On Ctrl-C a job is
        stopped before Cancelled goes up (an endpoint is deleted by the caller's ``finally``)."""
        describe, key, ok, failed = WAITS[kind]
        try:
            d = wait_for_status(lambda: describe(self.sm, name), key, {ok, *failed}, self.backoff(), on_poll)
        except Cancelled:
            self._stop(kind, name)
            raise
        status = d[key]
        if status != ok:
            label = "endpoint" if kind == "endpoint" else f"{kind} job"
            raise KitError(f"{label} {name} {status.lower()}: {d.get('FailureReason') or 'no reason given'}")
        return d

    def _stop(self, kind: str, name: str) -> None:
        try:
            if kind == "training":
                self.sm.stop_training_job(TrainingJobName=name)
            elif kind == "tuning":
                self.sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
            elif kind == "transform":
                self.sm.stop_transform_job(TransformJobName=name)
        except Exception:  # noqa: BLE001 - best effort: the job may have ended meanwhile
            pass

    def trained(self, name: str, image: str) -> Trained:
        from sagemaker.core.resources import TrainingJob

        job = TrainingJob.get(training_job_name=name, session=self.boto, region=self.account.region)
        metrics = {}
        for m in job.final_metric_data_list or []:
            metrics[m.metric_name] = float(m.value)
        return Trained(
            job_name=name,
            model_data_url=job.model_artifacts.s3_model_artifacts,
            image_uri=image,
            metrics=metrics,
        )

    # -- tuning ----------------------------------------------------------------------------------

    def tune(
        self,
        image: str,
        static: dict,
        ranges: dict[str, tuple[str, float, float]],
        objective: str,
        objective_type: str,
        max_jobs: int,
        max_parallel: int,
        channels: dict[str, str],
        instance_type: str,
        output_path: str,
        base_job_name: str,
        tags: dict[str, str],
        strategy: str = "Bayesian",
    ) -> Tuned:
        """A HyperparameterTuner over ``ranges`` ({name: ("int"|"float", low, high)})."""
        from sagemaker.core.parameter import ContinuousParameter, IntegerParameter
        from sagemaker.train.tuner import HyperparameterTuner

        self.check_cancel()
        trainer = self._trainer(image, static, instance_type, output_path, base_job_name, tags, 3600)
        hp_ranges = {
            k: (IntegerParameter(int(lo), int(hi)) if kind == "int" else ContinuousParameter(lo, hi))
            for k, (kind, lo, hi) in ranges.items()
        }
        tuner = HyperparameterTuner(
            model_trainer=trainer,
            objective_metric_name=objective,
            hyperparameter_ranges=hp_ranges,
            objective_type=objective_type,
            max_jobs=max_jobs,
            max_parallel_jobs=max_parallel,
            strategy=strategy,
            tags=self.boto_tags(tags),
            base_tuning_job_name=base_job_name[:20],
        )
        tuner.tune(inputs=self._inputs(channels), wait=False)
        name = tuner.latest_tuning_job.hyper_parameter_tuning_job_name

        step = max(1, max_jobs // 4)  # a progress line per quarter of the jobs, not per poll

        def progress(d: dict) -> None:
            c = d.get("TrainingJobStatusCounters", {})
            done = c.get("Completed", 0) + c.get("Failed", 0) + c.get("Stopped", 0)
            self.on_status(f"tuning {done - done % step}/{max_jobs} done")

        d = self.wait("tuning", name, progress)
        if "BestTrainingJob" not in d:
            raise KitError(f"tuning job {name} completed: no best training job")
        best = tuner.best_training_job()
        best_value = d["BestTrainingJob"].get("FinalHyperParameterTuningJobObjectiveMetric", {}).get("Value")
        return Tuned(
            tuning_job_name=name,
            best=self.trained(best, image),
            objective=objective,
            best_value=best_value,
            jobs=self.tuning_jobs(name),
        )

    def tuning_jobs(self, name: str) -> list[dict]:
        """The tuner's training jobs (name, status, objective, hyperparameters) for the report."""
        try:
            jobs = paged(
                self.sm,
                "list_training_jobs_for_hyper_parameter_tuning_job",
                "TrainingJobSummaries",
                HyperParameterTuningJobName=name,
            )
        except Exception:  # noqa: BLE001 - a listing is a report extra, never a reason to fail
            return []
        return [
            {
                "name": j["TrainingJobName"],
                "status": j["TrainingJobStatus"],
                "objective": j.get("FinalHyperParameterTuningJobObjectiveMetric", {}).get("Value"),
                "hyperparameters": j.get("TunedHyperParameters", {}),
            }
            for j in jobs
        ]

    # -- hosting ---------------------------------------------------------------------------------

    def create_model(self, name: str, image: str, model_data_url: str, tags: dict[str, str]) -> str:
        from sagemaker.core.resources import Model
        from sagemaker.core.shapes import ContainerDefinition

        Model.create(
            model_name=name,
            execution_role_arn=self.account.role_arn,
            primary_container=ContainerDefinition(image=image, model_data_url=model_data_url),
            tags=self.tags(tags),
            session=self.boto,
            region=self.account.region,
        )
        return name

    def deploy(
        self,
        base: str,
        image: str,
        model_data_url: str,
        instance_type: str,
        minutes: int,
        tags: dict[str, str],
        deployment: Deployment | None = None,
    ) -> Deployment:
        """Model → EndpointConfig → Endpoint (tagged ``expires-at``), waiting for InService.

        ``deployment`` is filled in as each piece is created, so a caller's ``finally`` can delete
        whatever exists even when this raises half-way.
        """
        from sagemaker.core.resources import Endpoint, EndpointConfig
        from sagemaker.core.shapes import ProductionVariant

        dep = deployment if deployment is not None else Deployment()
        dep.expires_at = utc_in(minutes)
        dep.image_uri, dep.model_data_url = image, model_data_url
        all_tags = {**tags, kit_tags.EXPIRES: dep.expires_at}
        self.check_cancel()
        name = unique_name(base)
        dep.model_name = name
        self.create_model(name, image, model_data_url, all_tags)
        dep.config_name = name
        EndpointConfig.create(
            endpoint_config_name=name,
            production_variants=[
                ProductionVariant(
                    variant_name="AllTraffic",
                    model_name=name,
                    initial_instance_count=1,
                    instance_type=instance_type,
                )
            ],
            tags=self.tags(all_tags),
            session=self.boto,
            region=self.account.region,
        )
        self.check_cancel()
        dep.endpoint_name = name
        Endpoint.create(
            endpoint_name=name,
            endpoint_config_name=name,
            tags=self.tags(all_tags),
            session=self.boto,
            region=self.account.region,
        )
        self.on_status(f"deploying {name}")
        self.wait("endpoint", name)
        return dep

    def invoke(
        self, endpoint_name: str, body: str, content_type: str = "text/csv", accept: str = "application/json"
    ) -> bytes:
        from sagemaker.core.resources import Endpoint

        endpoint = Endpoint.get(endpoint_name=endpoint_name, session=self.boto, region=self.account.region)
        out = endpoint.invoke(body=body, content_type=content_type, accept=accept)
        data = out.body
        return data.read() if hasattr(data, "read") else bytes(data)

    def delete(self, dep: Deployment) -> list[str]:
        """Delete endpoint, endpoint config and model (each if it exists); returns what was deleted."""
        return delete_hosting(self.sm, dep.endpoint_name, dep.config_name, [dep.model_name])

    # -- batch transform -------------------------------------------------------------------------

    def transform(
        self, model_name: str, input_uri: str, output_uri: str, instance_type: str, tags: dict[str, str]
    ) -> str:
        """Batch transform of a CSV (one record per line); returns the output object's URI."""
        from sagemaker.core.resources import TransformJob
        from sagemaker.core.shapes import (
            TransformDataSource,
            TransformInput,
            TransformOutput,
            TransformResources,
            TransformS3DataSource,
        )

        self.check_cancel()
        name = unique_name(model_name[:30] + "-bt")
        TransformJob.create(
            transform_job_name=name,
            model_name=model_name,
            transform_input=TransformInput(
                data_source=TransformDataSource(
                    s3_data_source=TransformS3DataSource(s3_data_type="S3Prefix", s3_uri=input_uri)
                ),
                content_type="text/csv",
                split_type="Line",
            ),
            transform_output=TransformOutput(
                s3_output_path=output_uri, assemble_with="Line", accept="text/csv"
            ),
            transform_resources=TransformResources(instance_type=instance_type, instance_count=1),
            batch_strategy="MultiRecord",
            max_payload_in_mb=5,
            # TransformJob.create types its tags as resources.Tag, not shapes.Tag: plain dicts fit both
            tags=[{"key": t.key, "value": t.value} for t in self.tags(tags)],
            session=self.boto,
            region=self.account.region,
        )
        self.on_status(f"batch transform {name}")
        self.wait("transform", name)
        file_name = input_uri.rstrip("/").rsplit("/", 1)[-1]
        return f"{output_uri.rstrip('/')}/{file_name}.out"
