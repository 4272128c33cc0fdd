"""Run one training job for real: channels from S3, the algorithm, model.tar.gz, logs, metrics, status.

The job's lifecycle mirrors SageMaker's: TrainingJobStatus InProgress → Completed | Failed | Stopped (via
Stopping), SecondaryStatus Starting → Downloading → Training → Uploading → Completed, each transition
recorded in SecondaryStatusTransitions; log lines go to /aws/sagemaker/TrainingJobs under
``<job>/algo-1-<epoch seconds>``; FinalMetricDataList holds the algorithm's real metric names.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from moto.core.utils import utcnow

from emulator.ml import algorithms, channels, linear_learner, xgboost_algo
from emulator.ml.cwlogs import LogWriter
from emulator.ml.errors import AlgorithmError, StopRequested

log = logging.getLogger(__name__)
LOG_GROUP = "/aws/sagemaker/TrainingJobs"
CHANNELS = ("train", "validation", "test")

# (job name, epoch, metrics) -> True to stop the job (the tuning job's early stopping rule)
EpochHook = Callable[[str, int, dict[str, float]], bool]


def now() -> datetime:
    return utcnow()


@dataclass
class TrainingState:
    """What the emulator adds to moto's FakeTrainingJob (kept on the backend, cleared by reset)."""

    name: str
    algorithm: str | None
    stop: threading.Event = field(default_factory=threading.Event)
    stop_reason: str = "Stopped"
    status: str = "InProgress"
    secondary: str = "Starting"
    transitions: list[dict] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    metrics_time: datetime | None = None
    failure_reason: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    log_stream: str | None = None
    tuning_job_arn: str | None = None
    epoch_hook: EpochHook | None = None
    done: threading.Event = field(default_factory=threading.Event)
    model_uri: str | None = None

    def transition(self, status: str, message: str) -> None:
        t = now()
        if self.transitions and "EndTime" not in self.transitions[-1]:
            self.transitions[-1]["EndTime"] = t
        self.transitions.append({"Status": status, "StartTime": t, "StatusMessage": message})
        self.secondary = status


def describe_extras(state: TrainingState) -> dict:
    """The describe fields that come from the run (status, times, metrics, billing)."""
    out: dict = {
        "TrainingJobStatus": state.status,
        "SecondaryStatus": state.secondary,
        "SecondaryStatusTransitions": [dict(t) for t in state.transitions],
    }
    if state.start:
        out["TrainingStartTime"] = state.start
    if state.end:
        out["TrainingEndTime"] = state.end
        seconds = max(1, math.ceil((state.end - (state.start or state.end)).total_seconds()))
        out["TrainingTimeInSeconds"] = seconds
        out["BillableTimeInSeconds"] = seconds
    if state.metrics:
        ts = state.metrics_time or now()
        out["FinalMetricDataList"] = [
            {"MetricName": k, "Value": float(v), "Timestamp": ts}
            for k, v in sorted(state.metrics.items())
            if math.isfinite(v)
        ]
    if state.failure_reason:
        out["FailureReason"] = state.failure_reason
    if state.tuning_job_arn:
        out["TuningJobArn"] = state.tuning_job_arn
    return out


def run(
    account_id: str,
    region: str,
    job,
    state: TrainingState,
    closed: threading.Event,
    on_finish: Callable[[TrainingState], None] | None = None,
) -> None:
    """The body of a training job (runs in a worker thread)."""
    started = time.monotonic()
    state.start = now()
    writer = LogWriter(account_id, region, LOG_GROUP, f"{state.name}/algo-1-{int(time.time())}")
    state.log_stream = writer.stream
    max_runtime = (job.stopping_condition or {}).get("MaxRuntimeInSeconds")

    def emit(line: str) -> None:
        writer.write(line)

    def checkpoint(epoch: int, metrics: dict[str, float]) -> None:
        state.metrics.update(metrics)
        state.metrics_time = now()
        writer.flush()
        if closed.is_set():
            raise StopRequested("emulator reset")
        if state.stop.is_set():
            raise StopRequested(state.stop_reason)
        if max_runtime and time.monotonic() - started > float(max_runtime):
            state.stop_reason = "MaxRuntimeExceeded"
            raise StopRequested("MaxRuntimeExceeded")
        if state.epoch_hook is not None and state.epoch_hook(state.name, epoch, dict(metrics)):
            state.stop_reason = "Stopped"
            emit("Stopping the training job: the tuning job's early stopping rule (median) was met.")
            raise StopRequested("early stopping")

    try:
        state.transition("Starting", "Preparing the instances for training")
        emit(f"[{now():%m/%d/%Y %H:%M:%S} INFO] Training job {state.name} started on the embedded AWS")
        if state.algorithm is None:
            raise AlgorithmError(
                f"The training image {job.algorithm_specification.get('TrainingImage')!r} is not one the "
                "embedded AWS can run: it trains the built-in linear-learner and XGBoost images only."
            )
        state.transition("Downloading", "Downloading input data")
        _pull_image(job.algorithm_specification.get("TrainingImage"))
        data = _read_channels(account_id, job, state.algorithm)
        emit(f"Channels: {', '.join(f'{k} ({len(v[1])} records)' for k, v in data.items())}")
        state.transition("Training", "Training image download completed. Training in progress.")
        hp = dict(job.hyper_parameters or {})
        emit(f"Reading provided configuration: hyperparameters {hp}")
        if state.algorithm == algorithms.LINEAR_LEARNER:
            model_bytes, metrics = _train_linear_learner(hp, data, emit, checkpoint)
        else:
            model_bytes, metrics = _train_xgboost(hp, data, emit, checkpoint)
        if closed.is_set() or state.stop.is_set():
            raise StopRequested(state.stop_reason)
        state.transition("Uploading", "Uploading generated training model")
        archive = algorithms.pack(algorithms.model_file(state.algorithm), model_bytes)
        uri = job.model_artifacts["S3ModelArtifacts"]
        channels.put_object(account_id, uri, archive)
        state.model_uri = uri
        state.metrics.update(metrics)
        state.metrics_time = now()
        state.metrics["train:progress"] = 100.0
        emit(f"Saved the model to {uri}")
        state.transition("Completed", "Training job completed")
        state.status = "Completed"
    except StopRequested as stop:
        reason = str(stop)
        emit(f"Training stopped ({reason}).")
        state.transition(
            "Stopped" if reason != "MaxRuntimeExceeded" else "MaxRuntimeExceeded",
            "Training job stopped"
            if reason != "MaxRuntimeExceeded"
            else "Training job reached the MaxRuntimeInSeconds of its StoppingCondition",
        )
        state.status = "Stopped"
    except AlgorithmError as err:
        state.failure_reason = str(err)
        emit(f"[ERROR] {err}")
        state.transition("Failed", "Training job failed. " + state.failure_reason[:200])
        state.status = "Failed"
    except Exception as err:  # noqa: BLE001 - an unexpected bug must fail the job, not the thread
        log.exception("training job %s crashed", state.name)
        state.failure_reason = f"AlgorithmError: {type(err).__name__}: {err}"
        emit(f"[ERROR] {state.failure_reason}")
        state.transition("Failed", "Training job failed")
        state.status = "Failed"
    finally:
        state.end = now()
        if state.transitions and "EndTime" not in state.transitions[-1]:
            state.transitions[-1]["EndTime"] = state.end
        job.training_job_status = state.status
        job.secondary_status = state.secondary
        job.training_end_time = state.end
        job.last_modified_time = state.end
        writer.flush()
        state.done.set()
        if on_finish is not None:
            try:
                on_finish(state)
            except Exception:  # noqa: BLE001
                log.exception("on_finish hook of %s failed", state.name)


def _pull_image(image: str | None) -> None:
    """The image pull SageMaker makes under the execution role (emulator.iam.service_role)."""
    from emulator.iam import service_role

    try:
        service_role.check_image_pull(image)
    except service_role.RoleDenied as err:
        raise AlgorithmError(f"{err} (AccessDenied)") from None


def _read_channels(account_id: str, job, algorithm: str) -> dict[str, tuple]:
    configs = {c.get("ChannelName"): c for c in (job.input_data_config or [])}
    if "train" not in configs:
        raise AlgorithmError(
            "Unable to initialize the algorithm. Failed to validate input data configuration. "
            "(caused by ValidationError) Caused by: 'train' is a required property"
        )
    extra = sorted(set(configs) - set(CHANNELS))
    if extra:
        raise AlgorithmError(
            "Unable to initialize the algorithm. Failed to validate input data configuration. "
            f"(caused by ValidationError) Caused by: Additional properties are not allowed "
            f"('{extra[0]}' was unexpected)"
        )
    if algorithm == algorithms.LINEAR_LEARNER:
        default, allowed = channels.RECORDIO, (channels.CSV, channels.RECORDIO)
    else:
        default, allowed = channels.LIBSVM, (channels.CSV, channels.LIBSVM, channels.RECORDIO)
    out = {}
    for name in CHANNELS:
        if name in configs:
            out[name] = channels.read_channel(account_id, configs[name], default, allowed)
    return out


def _train_linear_learner(hp, data, emit, checkpoint) -> tuple[bytes, dict[str, float]]:
    def ds(name):
        return linear_learner.Dataset(*data[name]) if name in data else None

    result = linear_learner.train(
        hp, ds("train"), ds("validation"), ds("test"), log=emit, checkpoint=checkpoint
    )
    return result.model.to_bytes(), result.metrics


def _train_xgboost(hp, data, emit, checkpoint) -> tuple[bytes, dict[str, float]]:
    if "test" in data:
        emit("The test channel is not used by XGBoost; ignoring it.")
    result = xgboost_algo.train(hp, data["train"], data.get("validation"), log=emit, checkpoint=checkpoint)
    return result.model_bytes, result.metrics
