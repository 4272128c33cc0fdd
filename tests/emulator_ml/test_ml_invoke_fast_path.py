"""InvokeEndpoint's fast path (emulator/ml/fastpath.py) answers exactly as moto's dispatch does.

The same request goes once through the fast path and once through moto's generic dispatch (the
``x-moto-account-id`` header, naming the same account, sends it there): status, error code and
message, Body, ContentType and the InvokedProductionVariant header must be equal — the shape of
botocore's sagemaker-runtime InvokeEndpoint output (Body, ContentType, InvokedProductionVariant from
``X-Amzn-Invoked-Production-Variant``). The IAM side (a student's AccessDeniedException, HTTP 403) is
tests/emulator_iam/test_iam_enforcement.py, which now runs through the fast path too.
"""

from __future__ import annotations

import io

import botocore.exceptions
import pytest
from mlhelpers import BUCKET, ROLE, XGB_IMAGE, channel, job_args, wait_for, wait_training

from emulator.ml import fastpath
from testkit.data import csv_rows

ACCOUNT = "123456789012"


def _through_moto(request, **_):
    request.headers["x-moto-account-id"] = ACCOUNT


def _answer(rt, **kwargs) -> tuple:
    try:
        r = rt.invoke_endpoint(**kwargs)
    except botocore.exceptions.ClientError as err:
        e = err.response
        return ("error", e["ResponseMetadata"]["HTTPStatusCode"], e["Error"]["Code"], e["Error"]["Message"])
    return ("ok", r["ResponseMetadata"]["HTTPStatusCode"], r["ContentType"], r["InvokedProductionVariant"],
            r["Body"].read())  # fmt: skip


@pytest.fixture(scope="module")
def endpoint(ml):
    chans = [
        channel("train", f"s3://{BUCKET}/bin/train/"),
        channel("validation", f"s3://{BUCKET}/bin/validation/"),
    ]
    hp = {"objective": "binary:logistic", "num_round": "10", "max_depth": "3"}
    ml.sm.create_training_job(**job_args("fast-xgb", XGB_IMAGE, hp, chans))
    artifact = wait_training(ml.sm, "fast-xgb")["ModelArtifacts"]["S3ModelArtifacts"]
    ml.sm.create_model(
        ModelName="fast",
        ExecutionRoleArn=ROLE,
        PrimaryContainer={"Image": XGB_IMAGE, "ModelDataUrl": artifact},
    )
    variant = {
        "VariantName": "Blue",
        "ModelName": "fast",
        "InstanceType": "ml.m5.xlarge",
        "InitialInstanceCount": 1,
    }
    ml.sm.create_endpoint_config(EndpointConfigName="fast", ProductionVariants=[variant])
    ml.sm.create_endpoint(EndpointName="fast", EndpointConfigName="fast")
    wait_for(
        lambda: ml.sm.describe_endpoint(EndpointName="fast")["EndpointStatus"],
        lambda status: status != "Creating",
        60,
    )
    yield "fast"
    ml.sm.delete_endpoint(EndpointName="fast")
    ml.sm.delete_endpoint_config(EndpointConfigName="fast")
    ml.sm.delete_model(ModelName="fast")
    assert ml.sm.list_endpoints()["Endpoints"] == [] and ml.sm.list_models()["Models"] == []


def test_fast_path_and_moto_dispatch_give_the_same_answers(ml, endpoint):
    import boto3

    moto_rt = boto3.client(
        "sagemaker-runtime",
        region_name="us-east-1",
        endpoint_url=ml.url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    moto_rt.meta.events.register("before-sign.sagemaker-runtime.InvokeEndpoint", _through_moto)
    Xb, _ = ml.bin
    cases = [
        {"ContentType": "text/csv", "Body": csv_rows(Xb[:1])},  # the lesson's one-row prediction
        {"ContentType": "text/csv", "Body": csv_rows(Xb[:5]), "Accept": "application/json"},
        {"ContentType": "text/libsvm", "Body": "0 1:0.5 2:-1.25\n"},
        {"ContentType": "text/csv", "Body": "a,b"},  # ModelError (424)
        {"ContentType": "application/x-image", "Body": "GIF89a"},  # not an XGBoost input: ModelError
        {"ContentType": "text/csv", "Body": csv_rows(Xb[:1]), "EndpointName": "no-such-endpoint"},
    ]
    for case in cases:
        kwargs = {"EndpointName": endpoint, **case}
        fast = _answer(ml.rt, **kwargs)
        assert fast == _answer(moto_rt, **kwargs), case
    ok = _answer(ml.rt, EndpointName=endpoint, ContentType="text/csv", Body=csv_rows(Xb[:1]))
    assert ok[:4] == ("ok", 200, "text/csv", "Blue") and 0 < float(ok[4]) < 1
    assert _answer(ml.rt, **{"EndpointName": endpoint, **cases[3]})[1:3] == (424, "ModelError")
    assert _answer(ml.rt, **{"EndpointName": endpoint, **cases[5]})[1:3] == (400, "ValidationError")
    # a body that is not UTF-8 is the model's to refuse (moto's dispatch fails decoding it: HTTP 500)
    png = _answer(ml.rt, EndpointName=endpoint, ContentType="application/x-image", Body=b"\x89PNG")
    assert png[1:3] == (424, "ModelError")


def _environ(**overrides) -> dict:
    auth = (
        "AWS4-HMAC-SHA256 Credential=testing/20261206/us-east-1/sagemaker/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=00"
    )
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/endpoints/e/invocations",
        "HTTP_AUTHORIZATION": auth,
        "CONTENT_LENGTH": "2",
        "wsgi.input": io.BytesIO(b"1\n"),
    }
    environ.update(overrides)
    return {k: v for k, v in environ.items() if v is not None}


@pytest.mark.parametrize(
    "overrides, handled",
    [
        ({}, True),
        ({"REQUEST_METHOD": "GET"}, False),
        ({"PATH_INFO": "/endpoints/e/async-invocations"}, False),  # InvokeEndpointAsync: moto's
        ({"PATH_INFO": "/endpoints/e/invocations-response-stream"}, False),
        ({"PATH_INFO": "/"}, False),  # the SageMaker API (X-Amz-Target), same signing name
        ({"HTTP_AUTHORIZATION": None}, False),  # unsigned: moto's answer
        ({"HTTP_X_MOTO_ACCOUNT_ID": ACCOUNT}, False),
        ({"HTTP_CONTENT_ENCODING": "gzip"}, False),
        ({"CONTENT_LENGTH": None}, False),
    ],
)
def test_which_requests_take_the_fast_path(overrides, handled):
    assert fastpath.handles(_environ(**overrides)) is handled
