"""CreateTrainingJob / DescribeTrainingJob / StopTrainingJob on top of moto's training-job objects."""

from __future__ import annotations

import copy
from typing import Any

from moto.sagemaker.exceptions import ResourceInUseException, ValidationError
from moto.sagemaker.utils import arn_formatter

from emulator.iam import service_role
from emulator.ml import algorithms, training
from emulator.ml.backend.state import _clean


class TrainingAPI:
    def create_training_job(self, **kwargs: Any):
        return self._ml_create_training(kwargs)

    def _ml_create_training(self, kwargs: dict, tuning_arn: str | None = None, hook=None, on_finish=None):
        name = kwargs["training_job_name"]
        if name in self.training_jobs:  # type: ignore[attr-defined]
            arn = arn_formatter("training-job", name, self.account_id, self.region_name)  # type: ignore
            raise ResourceInUseException(
                f"Training job names must be unique within an AWS account and region, and a training job "
                f"with this name already exists ({arn})"
            )
        spec = copy.deepcopy(kwargs.get("algorithm_specification") or {})
        if not spec.get("TrainingImage") and not spec.get("AlgorithmName"):
            raise ValidationError("AlgorithmSpecification must specify TrainingImage or AlgorithmName.")
        if not (kwargs.get("output_data_config") or {}).get("S3OutputPath"):
            raise ValidationError("OutputDataConfig.S3OutputPath is required.")
        hp = kwargs.get("hyper_parameters") or {}
        bad = [k for k, v in hp.items() if not isinstance(v, str)]
        if bad:
            raise ValidationError(f"The value of hyperparameter {bad[0]} must be a string.")
        algorithm = algorithms.algorithm_of(spec.get("TrainingImage"))
        kwargs = dict(kwargs, algorithm_specification=spec, hyper_parameters=dict(hp))
        job = super().create_training_job(**kwargs)  # type: ignore[misc]
        if algorithm is not None:
            user = spec.get("MetricDefinitions") or []
            job.algorithm_specification["MetricDefinitions"] = algorithms.metric_definitions(algorithm) + user
        else:
            job.algorithm_specification.pop("MetricDefinitions", None)
            if spec.get("MetricDefinitions"):
                job.algorithm_specification["MetricDefinitions"] = spec["MetricDefinitions"]
        job.training_job_status = "InProgress"
        job.secondary_status = "Starting"
        job.training_end_time = None
        job.final_metric_data_list = []
        job.secondary_status_transitions = []
        state = training.TrainingState(
            name=name, algorithm=algorithm, tuning_job_arn=tuning_arn, epoch_hook=hook
        )
        self.ml_training[name] = state
        closed = self.ml_pool.closed
        account, region = self.account_id, self.region_name  # type: ignore[attr-defined]
        role = getattr(job, "role_arn", None)

        def run_as_role() -> None:
            with service_role.acting_as(account, region, role):
                training.run(account, region, job, state, closed, on_finish)

        fut = self.ml_pool.submit(run_as_role)
        if fut.cancelled():  # the pool is closed (a reset raced this call)
            state.status = "Failed"
            state.failure_reason = "InternalServerError: the emulator was reset"
            state.done.set()
        return job

    def describe_training_job(self, training_job_name: str) -> dict[str, Any]:
        base = super().describe_training_job(training_job_name)  # type: ignore[misc]
        state = self.ml_training.get(training_job_name)
        for key in ("Tags", "FinalMetricDataList", "SecondaryStatusTransitions", "TrainingEndTime"):
            base.pop(key, None)
        if state is not None:
            base.update(training.describe_extras(state))
        return _clean(base)

    def stop_training_job(self, training_job_name: str) -> None:
        job = self.training_jobs.get(training_job_name)  # type: ignore[attr-defined]
        if job is None:
            arn = arn_formatter("training-job", training_job_name, self.account_id, self.region_name)  # type: ignore
            raise ValidationError(f"Requested resource not found: Could not find training job '{arn}'.")
        state = self.ml_training.get(training_job_name)
        if state is None or state.status != "InProgress":
            status = state.status if state else job.training_job_status
            raise ValidationError(f"The request was rejected because the training job is in status {status}.")
        state.stop_reason = "Stopped"
        state.status = "Stopping"
        state.stop.set()
        job.training_job_status = "Stopping"
