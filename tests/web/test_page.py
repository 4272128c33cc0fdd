"""The page without a model behind it: the no-endpoint page, CSRF, size limits, hosts, secrets.

These run the real Flask app against the embedded AWS (real ListEndpoints / ListTags calls) through
Flask's test client; the browser test (test_browser.py) covers the forms with real endpoints.
"""

from __future__ import annotations

import pytest

from provision.web.app import MAX_REQUEST_BYTES, create_app
from provision.web.csrf import FIELD, SESSION_KEY
from testkit.aws import endpoint

ACCESS_KEY = "AKIAWEBTESTMARKER0001"
SECRET_KEY = "web-test-secret-marker-never-in-a-page"


@pytest.fixture
def app(emulator, settings, tmp_path, monkeypatch):
    import boto3

    # clients built from the environment, like `classroom serve` does, with recognisable credentials
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator.url)
    sm = boto3.client("sagemaker", region_name=settings.region)
    runtime = boto3.client("sagemaker-runtime", region_name=settings.region)
    return create_app(settings, tmp_path / "class", sm=sm, runtime=runtime)


def assert_safe(resp, emulator) -> str:
    text = resp.get_data(as_text=True)
    for secret in (ACCESS_KEY, SECRET_KEY, emulator.url):
        assert secret not in text
    assert "Traceback" not in text
    return text


def test_no_endpoint_page_says_how_to_deploy(app, emulator):
    resp = app.test_client().get("/")
    text = assert_safe(resp, emulator)
    assert resp.status_code == 200
    assert "No model is deployed for this class" in text
    assert "classroom deploy spam --minutes 30" in text
    assert resp.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert resp.headers["X-Frame-Options"] == "DENY"


def test_post_without_or_with_a_wrong_csrf_token_is_refused(app, emulator):
    client = app.test_client()
    resp = client.post("/predict/anything", data={"temperature": "50"})
    text = assert_safe(resp, emulator)
    assert resp.status_code == 400
    assert "did not come from this page" in text
    with client.session_transaction() as sess:
        sess[SESSION_KEY] = "a" * 43
    resp = client.post("/predict/anything", data={FIELD: "b" * 43, "temperature": "50"})
    assert resp.status_code == 400


def test_valid_token_but_an_endpoint_that_is_not_the_class_s(app, emulator):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess[SESSION_KEY] = "a" * 43
    resp = client.post("/predict/someone-elses-endpoint", data={FIELD: "a" * 43, "message": "hi"})
    text = assert_safe(resp, emulator)
    assert resp.status_code == 404
    assert "No endpoint called “someone-elses-endpoint” is running for this class" in text


def test_oversized_input_gets_a_friendly_page(app, emulator):
    resp = app.test_client().post("/predict/x", data={"message": "x" * (MAX_REQUEST_BYTES + 10)})
    text = assert_safe(resp, emulator)
    assert resp.status_code == 413
    assert "That input is too large" in text


def test_other_hosts_and_methods_are_refused(app, emulator):
    client = app.test_client()
    assert client.get("/", headers={"Host": "attacker.example"}).status_code == 400
    assert client.get("/", headers={"Host": "localhost:8080"}).status_code == 200
    resp = client.get("/predict/x")
    assert resp.status_code == 405
    assert "only answers the form" in assert_safe(resp, emulator)
    resp = client.get("/no/such/page")
    assert resp.status_code == 404
    assert_safe(resp, emulator)


def test_aws_unreachable_is_a_friendly_500(settings, tmp_path):
    import boto3
    from botocore.config import Config

    cfg = Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=1)
    dead = "http://127.0.0.1:9"  # discard port: nothing listens
    sm = boto3.client(
        "sagemaker",
        region_name=settings.region,
        endpoint_url=dead,
        config=cfg,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    app = create_app(settings, tmp_path, sm=sm, runtime=sm)
    resp = app.test_client().get("/")
    text = resp.get_data(as_text=True)
    assert resp.status_code == 500
    assert "unexpected error" in text
    assert SECRET_KEY not in text and "Traceback" not in text and dead not in text


def _raw_endpoint(sm, name: str, tags: dict[str, str]) -> None:
    """An endpoint whose model artifact does not exist (it never reaches InService)."""
    tag_list = [{"Key": k, "Value": v} for k, v in tags.items()]
    endpoint(sm, name, role="arn:aws:iam::123456789012:role/x", bucket="nowhere", tags=tag_list)


def test_an_endpoint_that_is_not_in_service(app, emulator, settings, client):
    """No form for an endpoint that is Creating or Failed: a note saying what to do, 409 on a post."""
    import datetime as dt

    from kitcore import tags as kit_tags
    from kitcore.aws import delete_endpoint_with_parts
    from kitcore.times import format_utc, now_utc
    from provision.endpoints import class_scope

    sm = client("sagemaker")
    expires = format_utc(now_utc() + dt.timedelta(minutes=9, seconds=30))
    tags = {**class_scope(settings), kit_tags.JOB: "spam", kit_tags.EXPIRES: expires}
    _raw_endpoint(sm, "not-ready-ep", tags)
    try:
        web = app.test_client()
        resp = web.get("/")
        text = assert_safe(resp, emulator)
        assert resp.status_code == 200
        assert "not-ready-ep" in text and "9 min left" in text
        assert (
            "the endpoint is Creating; reload in a moment" in text
            or "the endpoint is Failed: deploy it again with `classroom deploy spam`" in text
        )
        assert "<textarea" not in text
        with web.session_transaction() as sess:
            token = sess[SESSION_KEY]
        resp = web.post("/predict/not-ready-ep", data={FIELD: token, "message": "hello"})
        assert resp.status_code == 409
        assert "the endpoint is" in assert_safe(resp, emulator)
    finally:
        delete_endpoint_with_parts(sm, "not-ready-ep")
    assert "not-ready-ep" not in {e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]}
    assert sm.list_models(NameContains="not-ready-ep")["Models"] == []


def test_an_endpoint_whose_model_was_not_trained_here(app, emulator, settings, trained_class, aws_env):
    """An in-service endpoint of the class, but this class directory has no pipeline for its job."""
    from web_helpers import boto, sagemaker_names

    from kitcore.aws import delete_endpoint_with_parts
    from provision.commands.deploy import deploy_here

    sm = boto("sagemaker", emulator)
    before = sagemaker_names(sm)
    name = deploy_here(settings, "rainfall", 5)[0]  # from trained_class; the app reads tmp_path/class
    try:
        web = app.test_client()
        text = assert_safe(web.get("/"), emulator)
        assert name in text
        assert "job &#39;rainfall&#39; has not been trained yet" in text
        assert "run `classroom train rainfall` again" in text
        assert 'name="csrf_token"' not in text.split(name)[-1]  # no form for it
    finally:
        delete_endpoint_with_parts(sm, name)
    assert sagemaker_names(sm) == before
