"""Hyperparameter tuning jobs driven by optuna, with real child training jobs.

Strategy Bayesian → optuna's TPE sampler (``constant_liar`` so parallel asks spread out), Random →
RandomSampler, Grid → GridSampler over the categorical ranges. Ranges: Integer / Continuous / Categorical,
ScalingType Auto and Linear (uniform), Logarithmic (log-uniform), ReverseLogarithmic (log-uniform in
1 - x). MaxNumberOfTrainingJobs and MaxParallelTrainingJobs are honoured; early stopping Auto is the
median rule (optuna's MedianPruner on the objective reported after every epoch / boosting round);
TargetObjectiveMetricValue ends the search when reached.

Child jobs are named ``<tuning job>-<NNN>-<8 hex>`` like SageMaker's, get the static hyperparameters,
the tuned ones and ``_tuning_objective_metric``, and are listed by
ListTrainingJobsForHyperParameterTuningJob.
"""

from __future__ import annotations

import logging
import math
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from moto.core.utils import utcnow

from emulator.ml.training import TrainingState

log = logging.getLogger(__name__)


def now() -> datetime:
    return utcnow()


@dataclass
class ChildJob:
    name: str
    arn: str
    trial: object
    tuned: dict[str, str]
    state: TrainingState
    created: datetime
    told: bool = False


@dataclass
class TuningState:
    name: str
    arn: str
    algorithm: str
    objective_metric: str
    objective_type: str
    max_jobs: int
    max_parallel: int
    strategy: str
    early_stopping: str
    status: str = "InProgress"
    failure_reason: str | None = None
    end: datetime | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    children: list[ChildJob] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: threading.Event = field(default_factory=threading.Event)
    best: ChildJob | None = None

    # ------------------------------------------------------------------ describe pieces
    def objective_value(self, child: ChildJob) -> float | None:
        value = child.state.metrics.get(self.objective_metric)
        return float(value) if value is not None and math.isfinite(value) else None

    def objective_status(self, child: ChildJob) -> str:
        if child.state.status == "InProgress":
            return "Pending"
        return "Succeeded" if self.objective_value(child) is not None else "Failed"

    def summary(self, child: ChildJob) -> dict:
        s = child.state
        out = {
            "TrainingJobName": child.name,
            "TrainingJobArn": child.arn,
            "TuningJobName": self.name,
            "CreationTime": child.created,
            "TrainingJobStatus": s.status,
            "TunedHyperParameters": dict(child.tuned),
            "ObjectiveStatus": self.objective_status(child),
        }
        if s.start:
            out["TrainingStartTime"] = s.start
        if s.end:
            out["TrainingEndTime"] = s.end
        if s.failure_reason:
            out["FailureReason"] = s.failure_reason
        value = self.objective_value(child)
        if value is not None and s.status != "InProgress":
            out["FinalHyperParameterTuningJobObjectiveMetric"] = {
                "Type": self.objective_type,
                "MetricName": self.objective_metric,
                "Value": value,
            }
        return out

    def counters(self) -> tuple[dict, dict]:
        jobs = {"Completed": 0, "InProgress": 0, "RetryableError": 0, "NonRetryableError": 0, "Stopped": 0}
        objective = {"Succeeded": 0, "Pending": 0, "Failed": 0}
        for c in self.children:
            st = c.state.status
            jobs["NonRetryableError" if st == "Failed" else st if st in jobs else "InProgress"] += 1
            objective[self.objective_status(c)] += 1
        return jobs, objective

    def better(self, a: float, b: float) -> bool:
        return a < b if self.objective_type == "Minimize" else a > b


class Space:
    """The parameter ranges of a tuning job, sampled through an optuna trial."""

    def __init__(self, ranges: dict) -> None:
        self.integer = ranges.get("IntegerParameterRanges") or []
        self.continuous = ranges.get("ContinuousParameterRanges") or []
        self.categorical = ranges.get("CategoricalParameterRanges") or []

    def names(self) -> list[str]:
        return [r["Name"] for r in (*self.integer, *self.continuous, *self.categorical)]

    def grid(self) -> dict[str, list[str]]:
        return {r["Name"]: list(r["Values"]) for r in self.categorical}

    def suggest(self, trial) -> dict[str, str]:
        out: dict[str, str] = {}
        for r in self.integer:
            lo, hi = int(float(r["MinValue"])), int(float(r["MaxValue"]))
            scale = r.get("ScalingType", "Auto")
            out[r["Name"]] = str(trial.suggest_int(r["Name"], lo, hi, log=scale == "Logarithmic"))
        for r in self.continuous:
            lo, hi = float(r["MinValue"]), float(r["MaxValue"])
            scale = r.get("ScalingType", "Auto")
            if scale == "ReverseLogarithmic":
                v = trial.suggest_float(r["Name"] + "__reverse", 1 - hi, 1 - lo, log=True)
                value = 1 - v
            else:
                value = trial.suggest_float(r["Name"], lo, hi, log=scale == "Logarithmic")
            out[r["Name"]] = repr(float(value))
        for r in self.categorical:
            out[r["Name"]] = str(trial.suggest_categorical(r["Name"], list(r["Values"])))
        return out


def validate_ranges(ranges: dict, static: dict[str, str]) -> str | None:
    """A ValidationException message for bad ranges, or None."""
    space = Space(ranges)
    names = space.names()
    if not names:
        return "The tuning job must define at least one hyperparameter range."
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        return f"Hyperparameter {sorted(dupes)[0]} is defined in more than one range."
    both = sorted(set(names) & set(static))
    if both:
        return f"Hyperparameter {both[0]} is both a static hyperparameter and a tunable range."
    for r in (*space.integer, *space.continuous):
        try:
            lo, hi = float(r["MinValue"]), float(r["MaxValue"])
        except (KeyError, ValueError):
            return f"The range of {r.get('Name')} needs numeric MinValue and MaxValue."
        if lo > hi:
            return f"MinValue {r['MinValue']} of {r['Name']} is greater than its MaxValue {r['MaxValue']}."
        scale = r.get("ScalingType", "Auto")
        if scale not in ("Auto", "Linear", "Logarithmic", "ReverseLogarithmic"):
            return (
                f"ScalingType {scale} of {r['Name']} is not one of Auto, Linear, Logarithmic, "
                "ReverseLogarithmic."
            )
        if scale == "Logarithmic" and lo <= 0:
            return f"The Logarithmic scaling of {r['Name']} needs MinValue > 0."
        if scale == "ReverseLogarithmic" and (r in space.integer or lo < 0 or hi >= 1):
            return f"The ReverseLogarithmic scaling of {r['Name']} needs a continuous range within [0, 1)."
    for r in space.integer:
        if float(r["MinValue"]) != int(float(r["MinValue"])) or float(r["MaxValue"]) != int(
            float(r["MaxValue"])
        ):
            return f"The integer range of {r['Name']} needs integer MinValue and MaxValue."
    for r in space.categorical:
        if not r.get("Values"):
            return f"The categorical range of {r['Name']} needs at least one value."
    return None


# (child name, tuned hyperparameters, epoch hook, on_finish) -> (arn, TrainingState)
CreateChild = Callable[[str, dict[str, str], Callable, Callable], tuple[str, TrainingState]]


def run(
    state: TuningState,
    space: Space,
    seed: int | None,
    target: float | None,
    max_runtime: float | None,
    create_child: CreateChild,
    stop_child: Callable[[str], None],
    closed: threading.Event,
    on_update: Callable[[TuningState], None],
) -> None:
    """The tuning loop (runs in its own daemon thread)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    direction = "minimize" if state.objective_type == "Minimize" else "maximize"
    if state.strategy == "Random":
        sampler = optuna.samplers.RandomSampler(seed=seed)
    elif state.strategy == "Grid":
        sampler = optuna.samplers.GridSampler(space.grid(), seed=seed)
    else:
        sampler = optuna.samplers.TPESampler(
            seed=seed, constant_liar=True, n_startup_trials=max(2, min(10, state.max_jobs // 3))
        )
    pruner = (
        optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1)
        if state.early_stopping == "Auto"
        else optuna.pruners.NopPruner()
    )
    study = optuna.create_study(direction=direction, sampler=sampler, pruner=pruner)
    started = now()
    wake = threading.Event()

    def finished(_s: TrainingState) -> None:
        wake.set()

    try:
        while True:
            if closed.is_set():
                state.stop.set()
            if max_runtime and (now() - started).total_seconds() > max_runtime:
                state.stop.set()
            running = [c for c in state.children if not c.state.done.is_set()]
            if state.stop.is_set():
                for c in running:
                    stop_child(c.name)
            reached = (
                target is not None
                and state.best is not None
                and not state.better(target, state.objective_value(state.best) or 0.0)
                and not closed.is_set()
            )
            while (
                not state.stop.is_set()
                and not reached
                and len(running) < state.max_parallel
                and len(state.children) < state.max_jobs
            ):
                trial = study.ask()
                tuned = space.suggest(trial)
                index = len(state.children) + 1
                name = f"{state.name}-{index:03d}-{uuid.uuid4().hex[:8]}"

                def hook(job_name: str, epoch: int, metrics: dict[str, float], trial=trial) -> bool:
                    value = metrics.get(state.objective_metric)
                    if value is None or not math.isfinite(value):
                        return False
                    trial.report(float(value), epoch)
                    return bool(trial.should_prune())

                arn, tstate = create_child(name, tuned, hook, finished)
                child = ChildJob(name=name, arn=arn, trial=trial, tuned=tuned, state=tstate, created=now())
                with state.lock:
                    state.children.append(child)
                running.append(child)
                on_update(state)
            for c in state.children:
                if c.state.done.is_set() and not c.told:
                    _tell(study, state, c)
            on_update(state)
            if not [c for c in state.children if not c.state.done.is_set()]:
                if state.stop.is_set() or reached or len(state.children) >= state.max_jobs:
                    break
            wake.wait(0.2)
            wake.clear()
        for c in state.children:
            if not c.told:
                _tell(study, state, c)
        if (
            state.stop.is_set()
            and not closed.is_set()
            and len(state.children) < state.max_jobs
            and not reached
        ):
            state.status = "Stopped"
        elif state.best is None:
            state.status = "Failed"
            reasons = [c.state.failure_reason for c in state.children if c.state.failure_reason]
            state.failure_reason = (
                "No training job succeeded" + (f"; the first failure: {reasons[0]}" if reasons else "")
            ).strip()[:1024]
        else:
            state.status = "Completed"
    except Exception as err:  # noqa: BLE001 - the tuning job fails instead of the thread dying silently
        log.exception("tuning job %s crashed", state.name)
        state.status = "Failed"
        state.failure_reason = f"InternalServerError: {type(err).__name__}: {err}"
    finally:
        state.end = now()
        on_update(state)
        state.done.set()


def _tell(study, state: TuningState, child: ChildJob) -> None:
    import optuna

    child.told = True
    value = state.objective_value(child)
    st = child.state.status
    if st == "Completed" and value is not None:
        study.tell(child.trial, value)
        if state.best is None or state.better(value, state.objective_value(state.best)):
            state.best = child
    elif st == "Stopped":
        study.tell(child.trial, state=optuna.trial.TrialState.PRUNED)
    else:
        study.tell(child.trial, state=optuna.trial.TrialState.FAIL)
