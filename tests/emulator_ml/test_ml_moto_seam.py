"""The moto internals emulator/ml relies on, checked directly so a moto upgrade fails here, loudly.

The API tests exercise the same internals end to end; these say which one changed.
"""

from __future__ import annotations

import inspect

import moto
import moto.sagemaker.models as sm_models
from moto.core.base_backend import BaseBackend
from moto.logs.models import LogsBackend
from moto.s3.models import S3Backend
from moto.sagemaker.responses import SageMakerResponse
from moto.sagemakerruntime.responses import SageMakerRuntimeResponse

from emulator.ml.backend import MLMixin
from emulator.sagemaker_backend import KitSageMakerBackend


def _params(fn) -> list[str]:
    return [p for p in inspect.signature(fn).parameters if p != "self"]


def test_moto_is_the_pinned_version():
    assert moto.__version__ == "5.2.5"


def test_mlmixin_overrides_moto_methods_with_the_same_arguments():
    base = sm_models.SageMakerModelBackend
    assert KitSageMakerBackend.__mro__.index(MLMixin) < KitSageMakerBackend.__mro__.index(base)
    # called by moto's response classes with these keyword arguments; MLMixin forwards them
    assert _params(base.create_training_job)[:5] == [
        "training_job_name",
        "hyper_parameters",
        "algorithm_specification",
        "role_arn",
        "input_data_config",
    ]
    assert _params(base.create_hyper_parameter_tuning_job)[:3] == [
        "hyper_parameter_tuning_job_name",
        "hyper_parameter_tuning_job_config",
        "training_job_definition",
    ]
    assert _params(base.create_transform_job)[:2] == ["transform_job_name", "model_name"]
    assert _params(base.create_endpoint) == ["endpoint_name", "endpoint_config_name", "tags"]
    for name in (
        "describe_training_job",
        "describe_endpoint",
        "describe_endpoint_config",
        "describe_transform_job",
        "describe_hyper_parameter_tuning_job",
        "delete_endpoint",
        "delete_hyper_parameter_tuning_job",
        "list_endpoints",
    ):
        assert hasattr(base, name), name
    assert _params(sm_models.FakeEndpoint.__init__) == [
        "account_id",
        "region_name",
        "endpoint_name",
        "endpoint_config_name",
        "production_variants",
        "data_capture_config",
        "tags",
    ]


def test_reset_reinitialises_the_backend_in_place():
    # BaseBackend.reset() empties __dict__ and calls __init__ again: MLMixin.reset closes the pool first
    src = inspect.getsource(BaseBackend.reset)
    assert "self.__dict__ = {}" in src and "self.__init__(" in src
    backend = KitSageMakerBackend("us-east-1", "123456789012")
    pool = backend.ml_pool
    backend.reset()
    assert pool.closed.is_set() and backend.ml_pool is not pool and backend.ml_training == {}


def test_response_classes_dispatch_by_method_name_and_status_header():
    src = inspect.getsource(SageMakerResponse.call_action)
    assert "method_names_from_class" in src and "getattr(self, action)" in src
    assert 'new_headers.get("status", 200)' in inspect.getsource(SageMakerResponse._transform_response)
    assert hasattr(SageMakerRuntimeResponse, "invoke_endpoint")
    assert "raw_body" in inspect.getsource(SageMakerRuntimeResponse.setup_class)


def test_s3_and_logs_backend_calls():
    assert _params(S3Backend.list_objects) == ["bucket", "prefix", "delimiter", "marker", "max_keys"]
    assert _params(S3Backend.put_object)[:3] == ["bucket_name", "key_name", "value"]
    assert _params(S3Backend.get_object)[:2] == ["bucket_name", "key_name"]
    assert _params(LogsBackend.put_log_events) == ["log_group_name", "log_stream_name", "log_events"]
    assert _params(LogsBackend.ensure_log_stream) == ["log_group_name", "log_stream_name"]
    assert _params(LogsBackend.create_log_group)[:2] == ["log_group_name", "tags"]


def test_what_the_invoke_fast_path_repeats_of_moto_dispatch():
    """emulator/ml/fastpath.py does setup_class's account/visit steps and call_action's authorisation."""
    from moto.core.responses import BaseResponse
    from moto.iam.models import mark_account_as_visited

    setup = inspect.getsource(BaseResponse.setup_class)
    assert "self.get_current_account()" in setup and "mark_account_as_visited(" in setup
    assert _params(mark_account_as_visited) == ["account_id", "access_key", "service", "region"]
    call = inspect.getsource(BaseResponse.call_action)
    assert "self._authenticate_and_authorize_normal_action(resource)" in call
    assert "self._enrich_response(headers, body)" in call
