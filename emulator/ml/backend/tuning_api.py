"""Hyperparameter tuning jobs: create (validation, then ``tuning.run`` on a thread), describe, list
children, stop, delete. Children are created through ``TrainingAPI._ml_create_training``."""

from __future__ import annotations

import copy
import threading
from typing import Any

from moto.core.utils import utcnow
from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound, ValidationError
from moto.sagemaker.utils import arn_formatter

from emulator.ml import algorithms, tuning
from emulator.ml.backend.state import _clean

HPO_STRATEGIES = ("Bayesian", "Random", "Grid")


class TuningAPI:
    def create_hyper_parameter_tuning_job(self, **kwargs: Any) -> str:
        name = kwargs["hyper_parameter_tuning_job_name"]
        config = kwargs.get("hyper_parameter_tuning_job_config") or {}
        definition = kwargs.get("training_job_definition")
        if kwargs.get("training_job_definitions"):
            raise ValidationError(
                "TrainingJobDefinitions (several algorithms in one tuning job) is not supported "
                "by the embedded AWS; use TrainingJobDefinition."
            )
        if not definition:
            raise ValidationError("TrainingJobDefinition is required.")
        if name in self.hyper_parameter_tuning_jobs:  # type: ignore[attr-defined]
            raise ResourceInUseException(
                f"Resource Already Exists: Hyper Parameter Tuning Job with name {name} "
                "already exists. Choose a different name."
            )
        strategy = config.get("Strategy", "Bayesian")
        if strategy not in HPO_STRATEGIES:
            raise ValidationError(
                f"Strategy {strategy} is not supported by the embedded AWS "
                f"(supported: {', '.join(HPO_STRATEGIES)})."
            )
        image = (definition.get("AlgorithmSpecification") or {}).get("TrainingImage")
        algorithm = algorithms.algorithm_of(image)
        if algorithm is None:
            raise ValidationError(
                f"The training image {image!r} cannot be tuned by the embedded AWS: it runs the "
                "built-in linear-learner and XGBoost images only."
            )
        objective = config.get("HyperParameterTuningJobObjective") or {}
        metric, otype = objective.get("MetricName"), objective.get("Type")
        if not metric or otype not in ("Minimize", "Maximize"):
            raise ValidationError(
                "HyperParameterTuningJobObjective needs a MetricName and a Type (Minimize or Maximize)."
            )
        if not algorithms.objective_supported(algorithm, metric):
            raise ValidationError(
                f"The objective metric {metric} is not supported by the {algorithm} algorithm."
            )
        limits = config.get("ResourceLimits") or {}
        ranges = config.get("ParameterRanges") or {}
        static = dict(definition.get("StaticHyperParameters") or {})
        space = tuning.Space(ranges)
        problem = tuning.validate_ranges(ranges, static)
        if problem:
            raise ValidationError(problem)
        if strategy == "Grid":
            if space.integer or space.continuous:
                raise ValidationError("The Grid strategy takes categorical parameter ranges only.")
            combos = 1
            for r in space.categorical:
                combos *= len(r["Values"])
            max_jobs = int(limits.get("MaxNumberOfTrainingJobs") or combos)
            max_jobs = min(max_jobs, combos)
        else:
            if not limits.get("MaxNumberOfTrainingJobs"):
                raise ValidationError(
                    f"ResourceLimits.MaxNumberOfTrainingJobs is required for the {strategy} strategy."
                )
            max_jobs = int(limits["MaxNumberOfTrainingJobs"])
        max_parallel = int(limits.get("MaxParallelTrainingJobs") or 0)
        if max_jobs < 1 or max_parallel < 1:
            raise ValidationError("MaxNumberOfTrainingJobs and MaxParallelTrainingJobs must be at least 1.")
        early = config.get("TrainingJobEarlyStoppingType", "Off")
        if early not in ("Off", "Auto"):
            raise ValidationError(f"TrainingJobEarlyStoppingType {early} is not one of Off, Auto.")
        static["_tuning_objective_metric"] = metric
        definition = copy.deepcopy(definition)
        definition["StaticHyperParameters"] = static
        spec = definition.setdefault("AlgorithmSpecification", {})
        spec.setdefault("MetricDefinitions", algorithms.metric_definitions(algorithm))
        kwargs = dict(kwargs, training_job_definition=definition)
        arn = super().create_hyper_parameter_tuning_job(**kwargs)  # type: ignore[misc]
        job = self.hyper_parameter_tuning_jobs[name]  # type: ignore[attr-defined]
        job.hyper_parameter_tuning_job_status = "InProgress"
        job.hyper_parameter_tuning_end_time = None
        job.best_training_job = None
        job.OverallBestTrainingJob = None
        job.tuning_job_completion_details = None
        job.failure_reason = None
        state = tuning.TuningState(
            name=name,
            arn=arn,
            algorithm=algorithm,
            objective_metric=metric,
            objective_type=otype,
            max_jobs=max_jobs,
            max_parallel=max_parallel,
            strategy=strategy,
            early_stopping=early,
        )
        self.ml_tuning[name] = state
        self._ml_sync_tuning(state)
        seed = config.get("RandomSeed")
        criteria = config.get("TuningJobCompletionCriteria") or {}
        target = criteria.get("TargetObjectiveMetricValue")
        max_runtime = limits.get("MaxRuntimeInSeconds")

        # AWS, CreateHyperParameterTuningJob Tags: "Tags that you specify for the tuning job are also
        # added to all training jobs that the tuning job launches." (teardown scopes children by them)
        job_tags = copy.deepcopy(kwargs.get("tags") or []) or None

        def create_child(child: str, tuned: dict[str, str], hook, on_finish=None):
            kw = _child_kwargs(child, definition, tuned)
            kw["tags"] = copy.deepcopy(job_tags)
            job = self._ml_create_training(
                kw, tuning_arn=arn, hook=hook if early == "Auto" else None, on_finish=on_finish
            )
            return job.arn, self.ml_training[child]

        def stop_child(child: str) -> None:
            try:
                self.stop_training_job(child)
            except ValidationError:
                pass

        thread = threading.Thread(
            target=tuning.run,
            name=f"tuning-{name}",
            daemon=True,
            args=(
                state,
                space,
                None if seed is None else int(seed),
                None if target is None else float(target),
                None if max_runtime is None else float(max_runtime),
                create_child,
                stop_child,
                self.ml_pool.closed,
                self._ml_sync_tuning,
            ),
        )
        thread.start()
        return arn

    def _ml_sync_tuning(self, state: tuning.TuningState) -> None:
        job = self.hyper_parameter_tuning_jobs.get(state.name)  # type: ignore[attr-defined]
        if job is None:
            return
        with state.lock:
            jobs, objective = state.counters()
        status = state.status
        if status == "InProgress" and state.stop.is_set():
            status = "Stopping"
        job.hyper_parameter_tuning_job_status = status
        job.training_job_status_counters = jobs
        job.objective_status_counters = objective
        job.last_modified_time = utcnow()
        if state.end is not None:
            job.hyper_parameter_tuning_end_time = state.end
        if state.failure_reason:
            job.failure_reason = state.failure_reason

    def describe_hyper_parameter_tuning_job(self, hyper_parameter_tuning_job_name: str) -> dict[str, Any]:
        base = super().describe_hyper_parameter_tuning_job(hyper_parameter_tuning_job_name)  # type: ignore[misc]
        state = self.ml_tuning.get(hyper_parameter_tuning_job_name)
        if state is None:
            return _clean(base)
        self._ml_sync_tuning(state)
        job = self.hyper_parameter_tuning_jobs[hyper_parameter_tuning_job_name]  # type: ignore[attr-defined]
        base.update(
            {
                "HyperParameterTuningJobStatus": job.hyper_parameter_tuning_job_status,
                "TrainingJobStatusCounters": job.training_job_status_counters,
                "ObjectiveStatusCounters": job.objective_status_counters,
                "HyperParameterTuningEndTime": job.hyper_parameter_tuning_end_time,
                "LastModifiedTime": job.last_modified_time,
                "FailureReason": job.failure_reason,
                "BestTrainingJob": state.summary(state.best) if state.best else None,
                "OverallBestTrainingJob": None,
                "TuningJobCompletionDetails": None,
            }
        )
        end = state.end or utcnow()
        base["ConsumedResources"] = {
            "RuntimeInSeconds": max(0, int((end - job.creation_time).total_seconds()))
        }
        return _clean(base)

    def _ml_tuning_state(self, name: str) -> tuning.TuningState:
        """The tuning job's ML state; ResourceNotFound (AWS's message) when there is none."""
        state = self.ml_tuning.get(name)
        if state is None:
            arn = arn_formatter("hyper-parameter-tuning-job", name, self.account_id, self.region_name)  # type: ignore[attr-defined]
            raise ResourceNotFound(f"Amazon SageMaker can't find a tuning job with name {arn}")
        return state

    def list_training_jobs_for_hyper_parameter_tuning_job(
        self,
        hyper_parameter_tuning_job_name: str,
        next_token: str | None,
        max_results: int | None,
        sort_by: str | None,
        sort_order: str | None,
        status_equals: str | None,
    ) -> dict[str, Any]:
        state = self._ml_tuning_state(hyper_parameter_tuning_job_name)
        with state.lock:
            summaries = [state.summary(c) for c in state.children]
        if status_equals:
            summaries = [s for s in summaries if s["TrainingJobStatus"] == status_equals]
        sort_by = sort_by or "Name"
        reverse = (sort_order or "Ascending") == "Descending"
        if sort_by == "FinalObjectiveMetricValue":
            summaries = [s for s in summaries if "FinalHyperParameterTuningJobObjectiveMetric" in s]
            summaries.sort(
                key=lambda s: s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"], reverse=reverse
            )
        else:
            key = {"Name": "TrainingJobName", "CreationTime": "CreationTime", "Status": "TrainingJobStatus"}[
                sort_by
            ]
            summaries.sort(key=lambda s: s[key], reverse=reverse)
        start = 0
        if next_token:
            try:
                start = int(next_token)
            except ValueError:
                raise ValidationError("Invalid pagination token.") from None
        size = int(max_results or 10)
        page = summaries[start : start + size]
        out: dict[str, Any] = {"TrainingJobSummaries": page}
        if start + size < len(summaries):
            out["NextToken"] = str(start + size)
        return out

    def stop_hyper_parameter_tuning_job(self, hyper_parameter_tuning_job_name: str) -> None:
        state = self._ml_tuning_state(hyper_parameter_tuning_job_name)
        if state.status != "InProgress" or state.stop.is_set():
            raise ValidationError(
                f"The request was rejected because the tuning job is in status "
                f"{'Stopping' if state.status == 'InProgress' else state.status}."
            )
        state.stop.set()
        self._ml_sync_tuning(state)

    def delete_hyper_parameter_tuning_job(self, hyper_parameter_tuning_job_name: str) -> None:
        state = self.ml_tuning.get(hyper_parameter_tuning_job_name)
        if state is not None and not state.done.is_set():
            raise ValidationError(
                "The request was rejected because the tuning job is in status InProgress; "
                "stop it and wait until it ends before deleting it."
            )
        super().delete_hyper_parameter_tuning_job(hyper_parameter_tuning_job_name)  # type: ignore[misc]
        self.ml_tuning.pop(hyper_parameter_tuning_job_name, None)


def _child_kwargs(name: str, definition: dict, tuned: dict[str, str]) -> dict[str, Any]:
    """create_training_job arguments of a tuning job's child from its TrainingJobDefinition."""
    spec = dict(definition.get("AlgorithmSpecification") or {})
    spec.pop("MetricDefinitions", None)
    return {
        "training_job_name": name,
        "hyper_parameters": {**definition.get("StaticHyperParameters", {}), **tuned},
        "algorithm_specification": spec,
        "role_arn": definition.get("RoleArn"),
        "input_data_config": copy.deepcopy(definition.get("InputDataConfig") or []),
        "output_data_config": copy.deepcopy(definition.get("OutputDataConfig") or {}),
        "resource_config": copy.deepcopy(definition.get("ResourceConfig") or {}),
        "vpc_config": definition.get("VpcConfig"),
        "stopping_condition": copy.deepcopy(definition.get("StoppingCondition") or {}),
        "tags": None,
        "enable_network_isolation": definition.get("EnableNetworkIsolation", False),
        "enable_inter_container_traffic_encryption": definition.get(
            "EnableInterContainerTrafficEncryption", False
        ),
        "enable_managed_spot_training": definition.get("EnableManagedSpotTraining", False),
        "checkpoint_config": definition.get("CheckpointConfig"),
        "debug_hook_config": None,
        "debug_rule_configurations": None,
        "tensor_board_output_config": None,
        "experiment_config": None,
    }
