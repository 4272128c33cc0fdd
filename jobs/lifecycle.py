"""One lifecycle for every job.

load → split → encode (CSV, label first, no header) → upload under ``s3://<bucket>/<job>/…`` →
train or tune → deploy (expiry tag) → predict the test set through InvokeEndpoint (batched under the
payload limit) → evaluate → delete endpoint, endpoint config and model in ``finally`` (also on
Ctrl-C) → write ``<class_dir>/jobs/<job>/last.json`` for the web page. The report is written by
``jobs.report`` from the returned :class:`JobResult`.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from jobs import features
from jobs.evaluate import parse_scores
from jobs.sdk import Account, Cancelled, Deployment, SageMaker, Trained
from kitcore.errors import KitError
from kitcore.statedir import ensure_dir, read_json, write_json
from kitcore.tags import job_tags

# The legacy free tier covers training and hosting on ml.m4.xlarge / ml.m5.xlarge.
FREE_TIER_INSTANCE_TYPES = ("ml.m5.xlarge", "ml.m4.xlarge")
DEFAULT_INSTANCE_TYPE = "ml.m5.xlarge"
RUN_EXPIRY_MINUTES = 60  # an endpoint made by `train` lives minutes; the tag is a safety net


@dataclass
class Context:
    """What a job run needs besides its data."""

    account: Account
    class_dir: Path
    run_id: str
    train_instance_type: str = DEFAULT_INSTANCE_TYPE
    deploy_instance_type: str = DEFAULT_INSTANCE_TYPE
    cancel: threading.Event = field(default_factory=threading.Event)
    progress: Callable[[str, str], None] = lambda _job, _msg: None
    poll: float | None = None
    tags: dict[str, str] = field(default_factory=dict)  # added to everything created (class scope)


@dataclass
class Prepared:
    """A job's data after load → split → encode, before anything touches AWS."""

    channels: dict[str, str]  # channel name → CSV text (label first, no header)
    test_rows: list[str]  # test features only, one CSV line per row (for the endpoint)
    y_test: np.ndarray
    pipeline: Any  # the fitted feature pipeline (joblib-able)
    info: dict[str, Any] = field(default_factory=dict)  # source, counts, split sizes, references
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class JobResult:
    job: str
    status: str = "pending"  # ok | failed | interrupted
    metrics: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    predictions: dict[str, list] = field(default_factory=dict)  # y_true / y_pred / scores for plots
    deleted: list[str] = field(default_factory=list)
    error: str = ""
    elapsed_s: float = 0.0
    headline: str = ""


class Job:
    """Base class: a job says how to prepare, fit, read answers and evaluate."""

    name = "job"
    algorithm = "linear-learner"
    accept = "application/json"
    title = ""  # the web page's card title
    labels: tuple[str, str] = ("0", "1")  # a classifier's class names, 0 first (report, page)
    known_options: tuple[str, ...] = ("data",)
    int_options: tuple[str, ...] = (
        "feature_dim",
        "epochs",
        "mini_batch_size",
        "num_models",
        "limit",
        "max_features",
        "max_jobs",
        "max_parallel",
        "num_round",
        "early_stopping_patience",
    )

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        self.options = dict(options or {})
        for key, value in self.options.items():
            if key not in self.known_options:
                raise KitError(f"unknown option {self.name}.{key} (known: {', '.join(self.known_options)})")
            if key in self.int_options:
                try:
                    if int(value) < 1:
                        raise ValueError
                except (TypeError, ValueError):
                    raise KitError(
                        f"option {self.name}.{key} must be a positive whole number (got {value!r})"
                    ) from None
        self._prepared: Prepared | None = None

    @classmethod
    def data_value(cls, paths: list[str]) -> str | list[str]:
        """``--data`` given once or more for this job: one file or folder (a job that reads several
        files, like rainfall's x/y pair, says how)."""
        if len(paths) == 1:
            return paths[0]
        raise KitError(
            f"--data given {len(paths)} times for {cls.name}: {cls.name} reads one file or "
            "folder (only rainfall takes two, its x_*.csv and y_*.csv)"
        )

    @classmethod
    def plots(cls, result: JobResult, out: Path) -> list[Path]:
        """The report's figures (a classifier's by default: confusion matrix, and the ROC curve when
        the test set holds both classes)."""
        from jobs import report

        name = result.job
        paths = [
            report.plot_confusion(
                result.metrics["confusion_matrix"],
                cls.labels,
                f"{name}: confusion matrix",
                out / f"{name}-confusion-matrix.png",
            )
        ]
        if len(set(result.predictions["y_true"])) == 2:
            paths.append(report.plot_roc(result, out / f"{result.job}-roc.png"))
        return paths

    def prepare(self) -> Prepared:
        """Load, check, split and encode (no AWS call); every bad input raises KitError here."""
        raise NotImplementedError

    def prepared(self) -> Prepared:
        """``prepare()`` once (the runner checks every job's input before the first upload)."""
        if self._prepared is None:
            self._prepared = self.prepare()
        return self._prepared

    def fit(
        self,
        sm: SageMaker,
        uris: dict[str, str],
        prepared: Prepared,
        ctx: Context,
        result: JobResult,
        cleanup: list[Deployment],
    ) -> Trained:
        raise NotImplementedError

    def evaluate(
        self, prepared: Prepared, scores: list[float], labels: list[int] | None, result: JobResult
    ) -> None:
        raise NotImplementedError

    def headline(self, result: JobResult) -> str:
        return ""

    # serving (the web page)
    def form_fields(self, pipeline) -> list[dict]:
        raise NotImplementedError

    def encode_form(self, pipeline, form: dict) -> str:
        raise NotImplementedError

    def decode_answer(self, pipeline, body: bytes) -> dict:
        raise NotImplementedError


def job_dir(class_dir: Path, job: str) -> Path:
    return Path(class_dir) / "jobs" / job


def predict(
    sm: SageMaker, endpoint: str, rows: list[str], accept: str
) -> tuple[list[float], list[int] | None]:
    """Score every row through InvokeEndpoint, in bodies under the payload limit."""
    scores: list[float] = []
    labels: list[int] | None = []
    for batch in features.batches(rows):
        sm.check_cancel()
        body = sm.invoke(endpoint, "\n".join(batch) + "\n", content_type="text/csv", accept=accept)
        s, lab = parse_scores(body)
        if len(s) != len(batch):
            raise KitError(f"endpoint {endpoint} answered {len(s)} scores for {len(batch)} rows")
        scores.extend(s)
        if lab is None or labels is None:
            labels = None
        else:
            labels.extend(lab)
    return scores, labels


def run(job: Job, ctx: Context) -> JobResult:
    """The whole lifecycle for one job. Never leaves an endpoint, endpoint config or model behind."""
    result = JobResult(job=job.name)
    started = time.monotonic()
    say = lambda msg: ctx.progress(job.name, msg)  # noqa: E731
    cleanup: list[Deployment] = []
    sm: SageMaker | None = None
    try:
        if ctx.cancel.is_set():
            raise Cancelled("interrupted before it started")
        say("loading data")
        prepared = job.prepared()  # every bad-input error is raised here, before any upload
        result.info.update(prepared.info)
        sm = SageMaker(ctx.account, cancel=ctx.cancel, poll=ctx.poll, on_status=say, tags=ctx.tags)
        sm.check_bucket()
        say("uploading")
        uris = {ch: sm.upload(f"{job.name}/{ch}/{ch}.csv", text) for ch, text in prepared.channels.items()}
        result.info["s3_inputs"] = uris
        trained = job.fit(sm, uris, prepared, ctx, result, cleanup)
        result.training.update(
            {
                "job_name": trained.job_name,
                "model_data_url": trained.model_data_url,
                "image_uri": trained.image_uri,
                "metrics": trained.metrics,
            }
        )
        dep = Deployment()
        cleanup.append(dep)
        sm.deploy(
            job.name,
            trained.image_uri,
            trained.model_data_url,
            ctx.deploy_instance_type,
            RUN_EXPIRY_MINUTES,
            job_tags(job.name, ctx.run_id),
            dep,
        )
        say(f"predicting {len(prepared.test_rows)} test rows")
        scores, labels = predict(sm, dep.endpoint_name, prepared.test_rows, job.accept)
        job.evaluate(prepared, scores, labels, result)
        save_last(job, ctx, trained, prepared)
        result.status = "ok"
        result.headline = job.headline(result)
    except Cancelled:
        result.status, result.error = "interrupted", "interrupted (Ctrl-C)"
    except KeyboardInterrupt:
        result.status, result.error = "interrupted", "interrupted (Ctrl-C)"
        ctx.cancel.set()
    except KitError as err:
        result.status, result.error = "failed", str(err)
    except Exception as err:  # noqa: BLE001 - an SDK / botocore error: one line in the summary
        result.status, result.error = "failed", f"{type(err).__name__}: {str(err).splitlines()[0][:300]}"
    finally:
        if sm is not None and cleanup:
            say("deleting endpoint, endpoint config and model")
            for dep in cleanup:
                try:
                    result.deleted.extend(sm.delete(dep))
                except Exception as err:  # noqa: BLE001
                    result.status = "failed"
                    result.error = (result.error + "; " if result.error else "") + str(err)
        result.elapsed_s = round(time.monotonic() - started, 1)
    return result


# -- what the web page needs ------------------------------------------------------------------------


def save_last(job: Job, ctx: Context, trained: Trained, prepared: Prepared) -> Path:
    d = ensure_dir(job_dir(ctx.class_dir, job.name))
    pipeline_path = features.save(prepared.pipeline, d / "features.joblib")
    return write_json(
        d / "last.json",
        {
            "job": job.name,
            "model_data_url": trained.model_data_url,
            "image_uri": trained.image_uri,
            "role_arn": ctx.account.role_arn,
            "bucket": ctx.account.bucket,
            "region": ctx.account.region,
            "instance_type": ctx.deploy_instance_type,
            "features_path": str(pipeline_path),
            "content_type": "text/csv",
            "accept": job.accept,
            "training_job": trained.job_name,
            "run_id": ctx.run_id,
            "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        },
    )


def read_last(job: str, class_dir: Path) -> dict:
    last = read_json(job_dir(class_dir, job) / "last.json")
    if not last:
        raise KitError(
            f"job {job!r} has not been trained yet in {class_dir}; run `classroom train {job}` first"
        )
    return last


def deploy(
    job: str,
    class_dir: Path,
    minutes: int = 60,
    instance_type: str | None = None,
    account: Account | None = None,
    cancel: threading.Event | None = None,
    poll: float | None = None,
    tags: dict[str, str] | None = None,
) -> Deployment:
    """Deploy the job's last trained model for ``minutes`` (tag ``expires-at``); the caller deletes it
    with :func:`undeploy`. If deploying fails half-way, what was created is deleted before raising."""
    if minutes <= 0:
        raise KitError(f"--minutes must be positive (got {minutes})")
    last = read_last(job, class_dir)
    acct = account or Account(bucket=last["bucket"], role_arn=last["role_arn"], region=last["region"])
    sm = SageMaker(acct, cancel=cancel, poll=poll, tags=tags)
    dep = Deployment()
    try:
        return sm.deploy(
            f"{job}-live",
            last["image_uri"],
            last["model_data_url"],
            instance_type or last["instance_type"],
            minutes,
            job_tags(job, "deploy"),
            dep,
        )
    except BaseException:
        sm.delete(dep)
        raise


def undeploy(dep: Deployment, account: Account, poll: float | None = None) -> list[str]:
    return SageMaker(account, poll=poll).delete(dep)


def now_run_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")


class LinearLearnerJob(Job):
    """A job that trains one linear-learner model with ``prepared.info["hyperparameters"]``."""

    def fit(
        self,
        sm: SageMaker,
        uris: dict[str, str],
        prepared: Prepared,
        ctx: Context,
        result: JobResult,
        cleanup: list[Deployment],
    ) -> Trained:
        return sm.train(
            sm.image("linear-learner"),
            prepared.info["hyperparameters"],
            uris,
            ctx.train_instance_type,
            f"s3://{ctx.account.bucket}/{self.name}/output",
            f"{self.name}-{ctx.run_id}",
            job_tags(self.name, ctx.run_id),
        )
