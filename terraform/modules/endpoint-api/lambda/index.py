"""Lambda handler behind the HTTP API: one request body (a CSV line of features) -> InvokeEndpoint.

Answers JSON: the endpoint's own answer on success, ``{"error": "..."}`` with 400 (bad request) or
502 (the model failed) otherwise; never a stack trace. Settings come from the environment:
ENDPOINT_NAME, CONTENT_TYPE (default text/csv), MAX_BODY_BYTES (default 262144).
"""

from __future__ import annotations

import base64
import json
import os

import boto3

_runtime = None


def _client():
    global _runtime
    if _runtime is None:
        _runtime = boto3.client("sagemaker-runtime")
    return _runtime


def _reply(status: int, body: dict | str, content_type: str = "application/json") -> dict:
    text = body if isinstance(body, str) else json.dumps(body)
    return {"statusCode": status, "headers": {"content-type": content_type}, "body": text}


def handler(event: dict, context: object = None) -> dict:
    limit = int(os.environ.get("MAX_BODY_BYTES", "262144"))
    raw = event.get("body") or ""
    try:
        data = base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode("utf-8")
    except (ValueError, UnicodeError):
        return _reply(400, {"error": "the body is not valid base64 / UTF-8"})
    if not data.strip():
        return _reply(400, {"error": "send one CSV line of features in the request body"})
    if len(data) > limit:
        return _reply(400, {"error": f"the body is larger than {limit} bytes"})
    try:
        out = _client().invoke_endpoint(
            EndpointName=os.environ["ENDPOINT_NAME"],
            Body=data,
            ContentType=os.environ.get("CONTENT_TYPE", "text/csv"),
            Accept="application/json",
        )
    except Exception as err:  # noqa: BLE001 - botocore errors: a code for the caller, details in the log
        code = getattr(err, "response", {}).get("Error", {}).get("Code", type(err).__name__)
        print(f"InvokeEndpoint failed: {err}")
        return _reply(502, {"error": f"the model could not answer ({code})"})
    answer = out["Body"].read().decode("utf-8", "replace")
    return _reply(200, answer, out.get("ContentType", "application/json"))
