"""HTTP APIs (API Gateway v2) answer real HTTP requests in the embedded AWS.

Reference: AWS docs "Working with AWS Lambda proxy integrations for HTTP APIs" (payload format 2.0,
the response inference for answers without ``statusCode``), "Working with routes for HTTP APIs"
(``{param}``, ``{proxy+}``, ``ANY``, ``$default``, most specific match wins) and the errors API Gateway
answers itself (404 Not Found, 500 Internal Server Error for a function error or missing permission).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

APP = """
import base64, json

def handler(event, context):
    path = event["rawPath"]
    if path == "/plain":
        return {"just": "json"}
    if path == "/boom":
        raise RuntimeError("boom")
    if path == "/binary":
        return {"statusCode": 201, "isBase64Encoded": True,
                "headers": {"content-type": "application/octet-stream"},
                "body": base64.b64encode(b"\\x00\\x01").decode()}
    body = event.get("body")
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("latin-1")
    return {"statusCode": 200, "headers": {"content-type": "application/json", "x-seen": "yes"},
            "cookies": ["a=1"],
            "body": json.dumps({k: event.get(k) for k in ("version", "routeKey", "rawPath", "rawQueryString",
                                 "queryStringParameters", "pathParameters", "cookies")}
                               | {"body": body, "method": event["requestContext"]["http"]["method"],
                                  "stage": event["requestContext"]["stage"],
                                  "ctype": event["headers"].get("content-type")})}
"""


def _call(url: str, data: bytes | None = None, method: str = "GET", headers: dict | None = None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


@pytest.fixture
def http_api(functions, clients, emulator):
    name = functions("http-api-fn", {"app.py": APP}, handler="app.handler")
    lam, gw = clients("lambda"), clients("apigatewayv2")
    fn_arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    api = gw.create_api(Name="kit-http-api", ProtocolType="HTTP")
    api_id = api["ApiId"]
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{fn_arn}/invocations"
    integ = gw.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=uri, PayloadFormatVersion="2.0"
    )["IntegrationId"]
    for key in (
        "POST /items/{id}",
        "GET /files/{proxy+}",
        "ANY /items/special",
        "GET /plain",
        "GET /boom",
        "GET /binary",
    ):
        gw.create_route(ApiId=api_id, RouteKey=key, Target=f"integrations/{integ}")
    gw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    try:
        yield api, lam, name, fn_arn, gw
    finally:
        gw.delete_api(ApiId=api_id)
        assert api_id not in [a["ApiId"] for a in gw.get_apis()["Items"]]


def test_api_endpoint_is_the_emulator(http_api, emulator):
    api, *_ = http_api
    assert api["ApiEndpoint"] == f"{emulator.url}/__execute-api/{api['ApiId']}"


def test_routes_payload_2_and_permission(http_api):
    api, lam, name, _fn_arn, _gw = http_api
    base = api["ApiEndpoint"]
    # no lambda:InvokeFunction permission for API Gateway yet: AWS answers 500
    status, _h, body = _call(f"{base}/plain")
    assert (status, json.loads(body)) == (500, {"message": "Internal Server Error"})
    lam.add_permission(
        FunctionName=name,
        StatementId="api",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:us-east-1:123456789012:{api['ApiId']}/*/*",
    )

    status, headers, body = _call(
        f"{base}/items/42?q=1&q=2&x=y",
        data=b"1,2,3",
        method="POST",
        headers={"Content-Type": "text/csv", "Cookie": "c1=v1; c2=v2"},
    )
    assert status == 200 and headers["x-seen"] == "yes" and headers["set-cookie"] == "a=1"
    assert headers.get("apigw-requestid")
    got = json.loads(body)
    assert got == {
        "version": "2.0",
        "routeKey": "POST /items/{id}",
        "rawPath": "/items/42",
        "rawQueryString": "q=1&q=2&x=y",
        "queryStringParameters": {"q": "1,2", "x": "y"},
        "pathParameters": {"id": "42"},
        "cookies": ["c1=v1", "c2=v2"],
        "body": "1,2,3",
        "method": "POST",
        "stage": "$default",
        "ctype": "text/csv",
    }

    # literal beats parameter, ANY matches any method; greedy path; binary body is base64
    got = json.loads(
        _call(
            f"{base}/items/special",
            data=b"\xff\x00",
            method="PUT",
            headers={"Content-Type": "application/octet-stream"},
        )[2]
    )
    assert got["routeKey"] == "ANY /items/special" and got["body"] == "\xff\x00"
    got = json.loads(_call(f"{base}/files/a/b/c.txt")[2])
    assert got["routeKey"] == "GET /files/{proxy+}" and got["pathParameters"] == {"proxy": "a/b/c.txt"}

    # an answer without statusCode is a 200 JSON body; binary answers are decoded
    status, headers, body = _call(f"{base}/plain")
    assert status == 200 and json.loads(body) == {"just": "json"}
    assert headers["Content-Type"] == "application/json"
    status, _h, body = _call(f"{base}/binary")
    assert (status, body) == (201, b"\x00\x01")

    # a function error is API Gateway's 500; no route is 404; an unknown API is 404
    assert _call(f"{base}/boom")[:1] == (500,)
    status, _h, body = _call(f"{base}/nothing-here")
    assert (status, json.loads(body)) == (404, {"message": "Not Found"})
    assert _call(f"{base}/items/42")[0] == 404  # GET has no route
    assert _call(base.rsplit("/", 1)[0] + "/nosuchapi/plain")[0] == 404


def test_named_stage_prefix(http_api):
    api, lam, name, _fn_arn, gw = http_api
    lam.add_permission(
        FunctionName=name,
        StatementId="api",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
    )
    gw.create_stage(ApiId=api["ApiId"], StageName="prod")
    got = json.loads(
        _call(
            f"{api['ApiEndpoint']}/prod/items/7",
            data=b"x",
            method="POST",
            headers={"Content-Type": "text/plain"},
        )[2]
    )
    assert (
        got["stage"] == "prod" and got["rawPath"] == "/prod/items/7" and got["pathParameters"] == {"id": "7"}
    )
