"""The optional Lambda + HTTP API path: the function's handler against a real endpoint on the embedded
AWS, and its package. Applying and destroying the Terraform module takes 1.5-2 minutes here (mostly the
provider's start-up), so that runs in `make bench` (bench/bench_web.py), not in the tests."""

from __future__ import annotations

import base64
import json

from web_helpers import boto, sagemaker_names

from provision.web.endpoint_api import MODULE_DIR, build_package


def _handler():
    import importlib.util

    spec = importlib.util.spec_from_file_location("endpoint_api_index", MODULE_DIR / "lambda" / "index.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_handler_asks_the_endpoint(trained_class, settings, emulator, aws_env, monkeypatch):
    from jobs import serving
    from kitcore.aws import delete_endpoint_with_parts
    from provision.commands.deploy import deploy_here

    sm = boto("sagemaker", emulator)
    before = sagemaker_names(sm)
    name = deploy_here(settings, "credit", 5)[0]
    try:
        s = serving.load("credit", trained_class)
        form = {f["name"]: (f["choices"][0] if f["choices"] else 30) for f in s.form_fields()}
        body, _ = s.encode(form)
        monkeypatch.setenv("ENDPOINT_NAME", name)
        handler = _handler().handler
        ok = handler({"body": body})
        assert ok["statusCode"] == 200
        direct = boto("sagemaker-runtime", emulator).invoke_endpoint(
            EndpointName=name, Body=body.encode(), ContentType="text/csv", Accept="application/json"
        )
        assert json.loads(ok["body"]) == json.loads(direct["Body"].read())
        assert s.decode(ok["body"].encode())["label"] in ("good risk", "bad risk")
        b64 = handler({"body": base64.b64encode(body.encode()).decode(), "isBase64Encoded": True})
        assert b64["body"] == ok["body"]
        for event, status in [({}, 400), ({"body": "x" * 300_000}, 400), ({"body": "a,b"}, 502)]:
            bad = handler(event)
            assert bad["statusCode"] == status and "Traceback" not in bad["body"]
            assert set(json.loads(bad["body"])) == {"error"}
        monkeypatch.setenv("ENDPOINT_NAME", "no-such-endpoint")
        assert handler({"body": body})["statusCode"] == 502
    finally:
        delete_endpoint_with_parts(sm, name)
    assert sagemaker_names(sm) == before


def test_package_is_deterministic(tmp_path):
    a, b = build_package(tmp_path / "a.zip"), build_package(tmp_path / "b.zip")
    assert a.read_bytes() == b.read_bytes()
