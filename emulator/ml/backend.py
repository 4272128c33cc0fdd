"""Training, tuning, hosting and batch-transform behaviour of the kit's SageMaker backend.

``MLMixin`` sits before moto's ``SageMakerModelBackend`` in the MRO: it lets moto create and store its
own objects (so listings, tags and search keep working) and then runs the real work in a bounded
worker pool, keeping the extra state (``ml_*`` attributes) on the backend so ``/moto-api/reset`` clears
it. ``reset()`` closes the pool first: queued tasks are cancelled, running ones stop at their next
checkpoint and write nothing more.
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from moto.core.utils import utcnow
from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound, ValidationError
from moto.sagemaker.models import FakeEndpoint
from moto.sagemaker.utils import arn_formatter

from emulator.iam import service_role
from emulator.ml import algorithms, hosting, training, transform, tuning
from emulator.ml.workers import WorkerPool

ENDPOINT_CREATE_SECONDS = 1.0
HPO_STRATEGIES = ("Bayesian", "Random", "Grid")


def _clean(d: dict) -> dict:
    """Drop None and empty values (SDK v3's pydantic shapes reject e.g. an empty VpcConfig)."""
    return {k: v for k, v in d.items() if v is not None and v != {} and v != [] and v != "" and v != [None]}


@dataclass
class EndpointState:
    name: str
    created: float
    load: Any  # Future[dict[str, LoadedModel]]
    failure: str | None = None
    models: dict = field(default_factory=dict)

    def status(self) -> str:
        if not self.load.done() or time.monotonic() - self.created < ENDPOINT_CREATE_SECONDS:
            return "Creating"
        if self.load.cancelled():
            self.failure = "The endpoint's model could not be loaded (the emulator was reset)."
            return "Failed"
        err = self.load.exception()
        if err is not None:
            self.failure = f"ClientError: {err}"
            return "Failed"
        self.models = self.load.result()
        return "InService"


class MLMixin:
    """Mixed into the SageMaker backend; holds ML state."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)  # type: ignore[call-arg]
        self.ml_pool = WorkerPool()
        self.ml_training: dict[str, training.TrainingState] = {}
        self.ml_tuning: dict[str, tuning.TuningState] = {}
        self.ml_endpoints: dict[str, EndpointState] = {}
        self.ml_transforms: dict[str, transform.TransformState] = {}

    def reset(self) -> None:
        pool = getattr(self, "ml_pool", None)
        if pool is not None:
            pool.close()
        for state in list(getattr(self, "ml_tuning", {}).values()):
            state.stop.set()
        super().reset()  # type: ignore[misc]

    # ============================================================================ training jobs
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

    # ============================================================================ tuning jobs
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

    def list_training_jobs_for_hyper_parameter_tuning_job(
        self,
        hyper_parameter_tuning_job_name: str,
        next_token: str | None,
        max_results: int | None,
        sort_by: str | None,
        sort_order: str | None,
        status_equals: str | None,
    ) -> dict[str, Any]:
        state = self.ml_tuning.get(hyper_parameter_tuning_job_name)
        if state is None:
            arn = arn_formatter(
                "hyper-parameter-tuning-job",
                hyper_parameter_tuning_job_name,
                self.account_id,
                self.region_name,
            )  # type: ignore[attr-defined]
            raise ResourceNotFound(f"Amazon SageMaker can't find a tuning job with name {arn}")
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
        state = self.ml_tuning.get(hyper_parameter_tuning_job_name)
        if state is None:
            arn = arn_formatter(
                "hyper-parameter-tuning-job",
                hyper_parameter_tuning_job_name,
                self.account_id,
                self.region_name,
            )  # type: ignore[attr-defined]
            raise ResourceNotFound(f"Amazon SageMaker can't find a tuning job with name {arn}")
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

    # ============================================================================ hosting
    def create_endpoint(self, endpoint_name: str, endpoint_config_name: str, tags: list | None):
        if endpoint_name in self.endpoints:  # type: ignore[attr-defined]
            arn = arn_formatter("endpoint", endpoint_name, self.account_id, self.region_name)  # type: ignore
            raise ValidationError(f'Cannot create already existing endpoint "{arn}".')
        if endpoint_config_name not in self.endpoint_configs:  # type: ignore[attr-defined]
            arn = arn_formatter("endpoint-config", endpoint_config_name, self.account_id, self.region_name)  # type: ignore
            raise ValidationError(f"Could not find endpoint configuration '{arn}'.")
        config = self.endpoint_configs[endpoint_config_name]  # type: ignore[attr-defined]
        variants = []
        for v in config.production_variants:
            model_obj = self._models.get(v.get("ModelName"))  # type: ignore[attr-defined]
            if model_obj is None:
                arn = arn_formatter("model", v.get("ModelName"), self.account_id, self.region_name)  # type: ignore
                raise ValidationError(f"Could not find model '{arn}'.")
            variants.append((v["VariantName"], hosting.container_of(model_obj)))
        # moto's create_endpoint reads its own describe_endpoint_config (which this class cleans): build the
        # FakeEndpoint directly, as moto does
        endpoint = FakeEndpoint(
            account_id=self.account_id,
            region_name=self.region_name,  # type: ignore
            endpoint_name=endpoint_name,
            endpoint_config_name=endpoint_config_name,
            production_variants=config.production_variants,
            data_capture_config=config.data_capture_config,
            tags=tags,
        )
        self.endpoints[endpoint_name] = endpoint  # type: ignore[attr-defined]
        endpoint.endpoint_status = "Creating"
        account = self.account_id  # type: ignore[attr-defined]

        region = self.region_name  # type: ignore[attr-defined]
        roles = {v["VariantName"]: getattr(self._models.get(v.get("ModelName")), "execution_role_arn", None)  # type: ignore[attr-defined]
                 for v in config.production_variants}

        def load() -> dict[str, hosting.LoadedModel]:
            out = {}
            for name, c in variants:
                with service_role.acting_as(account, region, roles.get(name)):
                    out[name] = hosting.load(account, c.get("Image"), c.get("ModelDataUrl"))
            return out

        self.ml_endpoints[endpoint_name] = EndpointState(
            name=endpoint_name, created=time.monotonic(), load=self.ml_pool.submit(load)
        )
        return endpoint

    def _ml_refresh_endpoint(self, name: str) -> None:
        endpoint = self.endpoints.get(name)  # type: ignore[attr-defined]
        state = self.ml_endpoints.get(name)
        if endpoint is None or state is None:
            return
        status = state.status()
        if status != endpoint.endpoint_status:
            endpoint.endpoint_status = status
            endpoint.last_modified_time = utcnow()
            endpoint.failure_reason = state.failure

    def describe_endpoint(self, endpoint_name: str) -> dict[str, Any]:
        self._ml_refresh_endpoint(endpoint_name)
        base = super().describe_endpoint(endpoint_name)  # type: ignore[misc]
        base.pop("Tags", None)
        return _clean(base)

    def list_endpoints(self, *args: Any, **kwargs: Any):
        for name in list(self.ml_endpoints):
            self._ml_refresh_endpoint(name)
        return super().list_endpoints(*args, **kwargs)  # type: ignore[misc]

    def delete_endpoint(self, endpoint_name: str) -> None:
        super().delete_endpoint(endpoint_name)  # type: ignore[misc]
        self.ml_endpoints.pop(endpoint_name, None)  # frees the loaded model

    def describe_endpoint_config(self, endpoint_config_name: str) -> dict[str, Any]:
        base = super().describe_endpoint_config(endpoint_config_name)  # type: ignore[misc]
        base.pop("Tags", None)
        base.pop("Arn", None)
        return _clean(base)

    def ml_invoke(
        self, endpoint_name: str, body: bytes, content_type: str | None, accept: str | None
    ) -> tuple[bytes, str, str]:
        """(body, content type, variant) of an InvokeEndpoint; raises LookupError / RequestError."""
        self._ml_refresh_endpoint(endpoint_name)
        endpoint = self.endpoints.get(endpoint_name)  # type: ignore[attr-defined]
        state = self.ml_endpoints.get(endpoint_name)
        if endpoint is None or state is None:
            raise LookupError(f"Endpoint {endpoint_name} of account {self.account_id} not found.")  # type: ignore
        if endpoint.endpoint_status != "InService":
            raise LookupError(
                f"Endpoint {endpoint_name} of account {self.account_id} is not in service "  # type: ignore
                f"(status {endpoint.endpoint_status})."
            )
        variant, model = next(iter(state.models.items()))
        answer, ctype = model.predict(body, content_type, accept)
        return answer, ctype, variant

    # ============================================================================ batch transform
    def create_transform_job(self, **kwargs: Any):
        name = kwargs["transform_job_name"]
        if name in self.transform_jobs:  # type: ignore[attr-defined]
            arn = arn_formatter("transform-job", name, self.account_id, self.region_name)  # type: ignore
            raise ResourceInUseException(
                f"Job name must be unique within an AWS account and region, and a job "
                f"with this name already exists ({arn})"
            )
        model_obj = self._models.get(kwargs.get("model_name"))  # type: ignore[attr-defined]
        if model_obj is None:
            arn = arn_formatter("model", kwargs.get("model_name"), self.account_id, self.region_name)  # type: ignore
            raise ValidationError(f'Could not find model "{arn}".')
        out_path = (kwargs.get("transform_output") or {}).get("S3OutputPath")
        if not out_path:
            raise ValidationError("TransformOutput.S3OutputPath is required.")
        job = super().create_transform_job(**kwargs)  # type: ignore[misc]
        job.transform_job_status = "InProgress"
        job.transform_end_time = None
        job.failure_reason = None
        state = transform.TransformState(name=name)
        self.ml_transforms[name] = state
        closed = self.ml_pool.closed
        account, region = self.account_id, self.region_name  # type: ignore[attr-defined]
        role = getattr(model_obj, "execution_role_arn", None)

        def run_as_role() -> None:
            with service_role.acting_as(account, region, role):
                transform.run(account, region, job, model_obj, state, closed)

        self.ml_pool.submit(run_as_role)
        return job

    def stop_transform_job(self, transform_job_name: str) -> None:
        job = self.transform_jobs.get(transform_job_name)  # type: ignore[attr-defined]
        state = self.ml_transforms.get(transform_job_name)
        if job is None or state is None:
            arn = arn_formatter("transform-job", transform_job_name, self.account_id, self.region_name)  # type: ignore
            raise ValidationError(f"Could not find transform job '{arn}'.")
        if state.status != "InProgress" or state.stop.is_set():
            status = "Stopping" if state.status == "InProgress" else state.status
            raise ValidationError(
                f"The request was rejected because the transform job is in status {status}."
            )
        state.stop.set()
        job.transform_job_status = "Stopping"

    def describe_transform_job(self, transform_job_name: str) -> dict[str, Any]:
        base = super().describe_transform_job(transform_job_name)  # type: ignore[misc]
        state = self.ml_transforms.get(transform_job_name)
        base.pop("Tags", None)
        if state is not None:
            running = state.status == "InProgress"
            base["TransformJobStatus"] = "Stopping" if running and state.stop.is_set() else state.status
            base["TransformStartTime"] = state.start
            base["TransformEndTime"] = state.end
            base["FailureReason"] = state.failure_reason
        return _clean(base)


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
