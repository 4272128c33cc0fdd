"""Operations added to (or replaced on) moto's SageMaker and sagemaker-runtime response classes."""

from __future__ import annotations

import json
from urllib.parse import unquote

from moto.core.responses import ActionResult, EmptyResult

from emulator.ml import hosting


# ------------------------------------------------------------------------------ sagemaker (api)
def describe_model(self) -> ActionResult:
    """moto's, without the empty VpcConfig / Containers SDK v3 rejects."""
    model = self.sagemaker_backend.describe_model(self._get_param("ModelName"))
    body = {k: v for k, v in model.response_object.items() if v not in (None, {}, [], "") and k != "Tags"}
    return ActionResult(body)


def stop_training_job(self) -> EmptyResult:
    self.sagemaker_backend.stop_training_job(self._get_param("TrainingJobName"))
    return EmptyResult()


def list_training_jobs_for_hyper_parameter_tuning_job(self) -> ActionResult:
    result = self.sagemaker_backend.list_training_jobs_for_hyper_parameter_tuning_job(
        hyper_parameter_tuning_job_name=self._get_param("HyperParameterTuningJobName"),
        next_token=self._get_param("NextToken"),
        max_results=self._get_param("MaxResults"),
        sort_by=self._get_param("SortBy"),
        sort_order=self._get_param("SortOrder"),
        status_equals=self._get_param("StatusEquals"),
    )
    return ActionResult(result)


def stop_hyper_parameter_tuning_job(self) -> EmptyResult:
    self.sagemaker_backend.stop_hyper_parameter_tuning_job(self._get_param("HyperParameterTuningJobName"))
    return EmptyResult()


def stop_transform_job(self) -> EmptyResult:
    self.sagemaker_backend.stop_transform_job(self._get_param("TransformJobName"))
    return EmptyResult()


SAGEMAKER_OPERATIONS = {
    "stop_transform_job": stop_transform_job,
    "describe_model": describe_model,
    "stop_training_job": stop_training_job,
    "list_training_jobs_for_hyper_parameter_tuning_job": list_training_jobs_for_hyper_parameter_tuning_job,
    "stop_hyper_parameter_tuning_job": stop_hyper_parameter_tuning_job,
}


# ------------------------------------------------------------------------------ sagemaker-runtime
def _error(status: int, code: str, message: str, extra: dict | None = None):
    body = {"message": message, "Message": message, **(extra or {})}
    # moto takes the HTTP status of a (status, headers, body) answer from headers["status"]
    headers = {"Content-Type": "application/json", "x-amzn-ErrorType": f"{code}:", "status": str(status)}
    return status, headers, json.dumps(body)


def invoke_endpoint(self):
    """Answer from the endpoint's real model (replaces moto's canned answers)."""
    from moto.sagemaker.models import sagemaker_backends

    name = unquote(self.path.split("/")[2])
    backend = sagemaker_backends[self.current_account][self.region]
    body = self.raw_body if isinstance(self.raw_body, bytes) else (self.raw_body or "").encode()
    content_type = self.headers.get("Content-Type")
    accept = self.headers.get("Accept")
    try:
        answer, ctype, variant = backend.ml_invoke(name, body, content_type, accept)
    except LookupError as err:
        return _error(400, "ValidationError", str(err))
    except hosting.RequestError as err:
        message = (
            f'Received client error (400) from primary with message "{err}". See the log stream '
            f"/aws/sagemaker/Endpoints/{name} for more information."
        )
        return _error(
            424,
            "ModelError",
            message,
            {
                "OriginalStatusCode": 400,
                "OriginalMessage": str(err),
                "LogStreamArn": f"arn:aws:logs:{self.region}:"
                f"{self.current_account}:log-group:/aws/sagemaker/"
                f"Endpoints/{name}",
            },
        )
    headers = {"Content-Type": ctype, "x-Amzn-Invoked-Production-Variant": variant}
    return 200, headers, answer
