"""The moto 5.2.5 internals the enforcement relies on (emulator/iam/enforce.py, principals.py,
emulator/account/quotas.py): when a moto upgrade moves one, this fails first, by name."""

from __future__ import annotations

import inspect

from moto.core import serialize
from moto.core.authorization import ActionAuthenticatorMixin
from moto.moto_api._internal.models import MotoAPIBackend
from moto.s3 import responses as s3_responses
from moto.servicequotas.responses import ServiceQuotasResponse
from moto.sts.models import sts_backends

ACCOUNT = "123456789012"


def test_the_authorisation_hook_and_its_callers():
    params = list(inspect.signature(ActionAuthenticatorMixin._authenticate_and_authorize_action).parameters)
    assert params[:3] == ["self", "iam_request_cls", "resource"]
    source = inspect.getsource(s3_responses.S3Response)
    assert "_authenticate_and_authorize_s3_action" in source and "def _key_response" in source
    assert {"BUCKET", "KEY"} <= set(s3_responses.ACTION_MAP)
    assert s3_responses.ACTION_MAP["KEY"]["GET"]["DEFAULT"] == "GetObject"
    assert callable(serialize.get_error_model)
    assert callable(MotoAPIBackend.reset)
    assert hasattr(ServiceQuotasResponse, "get_service_quota")


def test_sts_sessions_carry_what_principals_reads():
    backend = sts_backends[ACCOUNT]["aws"]
    session = backend.assume_role(
        region_name="us-east-1",
        role_session_name="probe",
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/probe",
        policy="",
        duration=900,
        external_id="",
    )
    try:
        assert session in backend.assumed_roles
        assert session.access_key_id.startswith("ASIA") and session.role_arn.endswith("/probe")
        assert session.arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/probe/probe"
        assert session.session_name == "probe"
    finally:
        backend.assumed_roles.remove(session)
