"""The blog's Lambda + HTTP API path, offline, in a real browser: `classroom serve --via api`.

`terraform/modules/endpoint-api` is applied for real (Terraform against the embedded AWS); its
``predict_url`` output answers a plain HTTP POST (the emulator serves the HTTP API and runs the
function), and the page, with the API as its backend, shows the same prediction as InvokeEndpoint.
Destroying the module leaves nothing of it.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest
from test_browser import ARGS, CHROMIUM, ask, direct_answer
from web_helpers import boto, sagemaker_names

pytestmark = [
    pytest.mark.terraform,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


def _post(url: str, body: bytes) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "text/csv"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_serve_via_the_http_api(trained_class, settings, emulator, aws_env):
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from jobs import serving
    from kitcore.aws import delete_endpoint_with_parts
    from provision.commands.deploy import deploy_here
    from provision.endpoints import class_endpoints, class_scope
    from provision.web import api_backend
    from provision.web.app import create_app

    sm, lam, gw = boto("sagemaker", emulator), boto("lambda", emulator), boto("apigatewayv2", emulator)
    before = sagemaker_names(sm)
    functions_before = {f["FunctionName"] for f in lam.list_functions()["Functions"]}
    name = deploy_here(settings, "credit", 10)[0]
    apis = server = None
    try:
        [live] = [e for e in class_endpoints(sm, class_scope(settings)) if e.name == name]
        apis = api_backend.deploy(settings, [live], emulator.url)
        url = apis.urls[name]
        assert url.startswith(f"{emulator.url}/__execute-api/") and url.endswith("/predict")

        # the module's URL answers a real HTTP request
        s = serving.load("credit", trained_class)
        form = {f["name"]: (f["choices"][0] if f["choices"] else 30) for f in s.form_fields()}
        body, _ = s.encode(form)
        status, answer = _post(url, body.encode())
        direct = boto("sagemaker-runtime", emulator).invoke_endpoint(
            EndpointName=name, Body=body.encode(), ContentType="text/csv", Accept="application/json"
        )
        assert status == 200 and json.loads(answer) == json.loads(direct["Body"].read())
        status, answer = _post(url, b"")
        assert status == 400 and "error" in json.loads(answer)

        # the page with the API as its backend, in the browser
        app = create_app(settings, trained_class, runtime=api_backend.ApiRuntime(apis.urls))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        calls_before = len(
            boto("logs", emulator).filter_log_events(
                logGroupName=f"/aws/lambda/{api_backend.api_name(settings, name)}",
                filterPattern='"START RequestId"',
            )["events"]
        )
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
            try:
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{server.server_port}")
                card = page.locator('[data-testid="model-credit"]')
                chosen = {}
                selects = card.locator("select")
                for i in range(selects.count()):
                    sel = selects.nth(i)
                    value = sel.locator("option").first.get_attribute("value")
                    sel.select_option(value)
                    chosen[sel.get_attribute("name")] = value
                numbers = {"age": "41", "credit_amount": "1200", "duration": "12"}
                for key, value in numbers.items():
                    card.locator(f'input[name="{key}"]').fill(value)
                card = ask(page, "credit")
                label = card.locator('[data-testid="label"]').inner_text()
                score = float(card.locator('[data-testid="score"]').inner_text())
            finally:
                browser.close()
        expected = direct_answer(
            trained_class, "credit", name, {**chosen, **{k: float(v) for k, v in numbers.items()}}, emulator
        )
        assert label == expected["label"] and score == pytest.approx(expected["score"], rel=1e-3)
        # the answer came through the function (its log has one more request)
        calls_after = len(
            boto("logs", emulator).filter_log_events(
                logGroupName=f"/aws/lambda/{api_backend.api_name(settings, name)}",
                filterPattern='"START RequestId"',
            )["events"]
        )
        assert calls_after == calls_before + 1
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        if apis is not None:
            apis.destroy()
        delete_endpoint_with_parts(sm, name)
    assert {f["FunctionName"] for f in lam.list_functions()["Functions"]} == functions_before
    assert not [a for a in gw.get_apis()["Items"] if a["Name"].startswith(f"{settings.class_name}-api-")]
    assert sagemaker_names(sm) == before
