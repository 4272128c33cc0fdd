"""Batch transform jobs: create (runs in the worker pool as the model's role), stop, describe."""

from __future__ import annotations

from typing import Any

from moto.sagemaker.exceptions import ResourceInUseException, ValidationError
from moto.sagemaker.utils import arn_formatter

from emulator.iam import service_role
from emulator.ml import transform
from emulator.ml.backend.state import _clean


class TransformAPI:
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
