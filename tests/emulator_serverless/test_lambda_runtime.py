"""Lambda functions run for real in the embedded AWS (worker processes, no Docker).

What AWS does is the reference: the Invoke API (botocore model lambda/2015-03-31: FunctionError,
LogResult, StatusCode 200/202/204), the Python runtime's error shape (errorMessage/errorType/
requestId/stackTrace, aws-lambda-python-runtime-interface-client), and the log stream format
(START/END/REPORT, "Task timed out after N.NN seconds", Lambda developer guide "Monitoring").
"""

from __future__ import annotations

import base64
import json
import time

import pytest
from botocore.exceptions import ClientError
from serverless_helpers import log_messages

ECHO = """
import json, os, sys, boto3
COUNT = {"n": 0}

def handler(event, context):
    COUNT["n"] += 1
    print("got", json.dumps(event))
    s3 = boto3.client("s3")
    return {
        "event": event,
        "calls": COUNT["n"],
        "env": {k: os.environ.get(k) for k in ("GREETING", "AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "_HANDLER", "LAMBDA_TASK_ROOT", "AWS_ENDPOINT_URL",
                "AWS_LAMBDA_LOG_GROUP_NAME")},
        "buckets": [b["Name"] for b in s3.list_buckets()["Buckets"]],
        "remaining_ms": context.get_remaining_time_in_millis(),
        "request_id": context.aws_request_id,
        "kit_importable": any(p.endswith("/emulator") for p in sys.path),
    }
"""


def test_invoke_runs_the_code_with_aws_environment(functions, clients, emulator):
    name = functions(
        "echo-fn",
        {"index.py": ECHO},
        Environment={"Variables": {"GREETING": "hi"}},
        MemorySize=256,
        Timeout=10,
    )
    lam, logs, s3 = clients("lambda"), clients("logs"), clients("s3")
    s3.create_bucket(Bucket="fn-visible-bucket")
    try:
        out = lam.invoke(FunctionName=name, Payload=json.dumps({"a": 1}), LogType="Tail")
        assert out["StatusCode"] == 200 and "FunctionError" not in out
        body = json.loads(out["Payload"].read())
        assert body["event"] == {"a": 1} and body["calls"] == 1
        env = body["env"]
        assert env["GREETING"] == "hi" and env["AWS_REGION"] == "us-east-1"
        assert env["AWS_LAMBDA_FUNCTION_NAME"] == name and env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
        assert env["_HANDLER"] == "index.handler" and env["AWS_ENDPOINT_URL"] == emulator.url
        assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{name}"
        assert "fn-visible-bucket" in body["buckets"]  # the function's boto3 talks to this emulator
        assert 0 < body["remaining_ms"] <= 10_000
        tail = base64.b64decode(out["LogResult"]).decode()
        assert f"START RequestId: {body['request_id']} Version: $LATEST" in tail
        assert 'got {"a": 1}' in tail and "Init Duration" in tail and "Memory Size: 256 MB" in tail

        # warm: same environment, module state kept, no Init Duration, same log stream
        again = lam.invoke(FunctionName=name, Payload=b"{}", LogType="Tail")
        assert json.loads(again["Payload"].read())["calls"] == 2
        assert "Init Duration" not in base64.b64decode(again["LogResult"]).decode()

        messages = log_messages(logs, f"/aws/lambda/{name}")
        streams = logs.describe_log_streams(logGroupName=f"/aws/lambda/{name}")["logStreams"]
        assert len(streams) == 1
        assert streams[0]["logStreamName"].split("/")[3].startswith("[$LATEST]")
        assert sum(m.startswith("START RequestId:") for m in messages) == 2
        assert sum(m.startswith("END RequestId:") for m in messages) == 2
        reports = [m for m in messages if m.startswith("REPORT RequestId:")]
        assert len(reports) == 2 and all("Billed Duration:" in r and "Max Memory Used:" in r for r in reports)
    finally:
        s3.delete_bucket(Bucket="fn-visible-bucket")


def test_the_function_cannot_import_the_emulator(functions, clients):
    src = """
def handler(event, context):
    out = {}
    for mod in ("emulator", "provision", "moto", "boto3"):
        try:
            __import__(mod)
            out[mod] = True
        except ImportError:
            out[mod] = False
    return out
"""
    name = functions("isolated-fn", {"index.py": src})
    out = json.loads(clients("lambda").invoke(FunctionName=name)["Payload"].read())
    assert out["emulator"] is False and out["provision"] is False
    assert out["boto3"] is True  # AWS's Python runtimes include boto3


def test_unhandled_error_in_aws_shape(functions, clients):
    src = "def handler(event, context):\n    raise ValueError('bad input: ' + str(event.get('x')))\n"
    name = functions("error-fn", {"app/main.py": src, "app/__init__.py": ""}, handler="app.main.handler")
    out = clients("lambda").invoke(FunctionName=name, Payload=b'{"x": 7}')
    assert out["StatusCode"] == 200 and out["FunctionError"] == "Unhandled"
    err = json.loads(out["Payload"].read())
    assert err["errorType"] == "ValueError" and err["errorMessage"] == "bad input: 7"
    assert err["requestId"] and any("main.py" in line for line in err["stackTrace"])
    messages = log_messages(clients("logs"), f"/aws/lambda/{name}")
    assert any(m.startswith("[ERROR] ValueError: bad input: 7") for m in messages)


@pytest.mark.parametrize(
    "files,handler,error_type",
    [
        (
            {"index.py": "import no_such_module\ndef handler(e, c): return 1\n"},
            "index.handler",
            "Runtime.ImportModuleError",
        ),
        ({"index.py": "def other(e, c): return 1\n"}, "index.handler", "Runtime.HandlerNotFound"),
        ({"index.py": "def handler(e, c): return object()\n"}, "index.handler", "Runtime.MarshalError"),
    ],
)
def test_runtime_errors(functions, clients, files, handler, error_type):
    name = functions(f"rt-{error_type.split('.')[1].lower()}", files, handler=handler)
    out = clients("lambda").invoke(FunctionName=name)
    assert out["FunctionError"] == "Unhandled"
    assert json.loads(out["Payload"].read())["errorType"] == error_type


def test_timeout_kills_the_environment(functions, clients):
    src = "import time\ndef handler(e, c):\n    time.sleep(30)\n"
    name = functions("slow-fn", {"index.py": src}, Timeout=1)
    started = time.monotonic()
    out = clients("lambda").invoke(FunctionName=name, LogType="Tail")
    assert time.monotonic() - started < 10
    assert out["FunctionError"] == "Unhandled"
    err = json.loads(out["Payload"].read())
    assert err["errorType"] == "Sandbox.Timedout"
    assert err["errorMessage"].endswith("Task timed out after 1.00 seconds")
    tail = base64.b64decode(out["LogResult"]).decode()
    assert "Task timed out after 1.00 seconds" in tail and "Status: timeout" in tail


def test_event_invocation_runs_in_the_background(functions, clients):
    src = "def handler(event, context):\n    print('async payload', event['n'])\n"
    name = functions("async-fn", {"index.py": src})
    out = clients("lambda").invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 42}')
    assert out["StatusCode"] == 202
    messages = log_messages(clients("logs"), f"/aws/lambda/{name}")
    assert "async payload 42" in messages
    dry = clients("lambda").invoke(FunctionName=name, InvocationType="DryRun")
    assert dry["StatusCode"] == 204


def test_bad_payload_and_unsupported_runtime(functions, clients):
    name = functions("plain-fn", {"index.py": "def handler(e, c): return e\n"})
    with pytest.raises(ClientError) as err:
        clients("lambda").invoke(FunctionName=name, Payload=b"{not json")
    assert err.value.response["Error"]["Code"] == "InvalidRequestContentException"
    node = functions("node-fn", {"index.js": "exports.handler = async () => 1"}, Runtime="nodejs20.x")
    with pytest.raises(ClientError) as err:
        clients("lambda").invoke(FunctionName=node)
    assert err.value.response["Error"]["Code"] == "InvalidRuntimeException"


def test_updated_code_gets_a_new_environment(functions, clients):
    from testkit.data import zip_of

    name = functions("update-fn", {"index.py": "def handler(e, c): return 'v1'\n"})
    lam = clients("lambda")
    assert json.loads(lam.invoke(FunctionName=name)["Payload"].read()) == "v1"
    lam.update_function_code(
        FunctionName=name, ZipFile=zip_of({"index.py": "def handler(e, c): return 'v2'\n"})
    )
    assert json.loads(lam.invoke(FunctionName=name)["Payload"].read()) == "v2"


def test_logs_need_the_group_or_the_right_to_create_it(clients):
    """Without logs:CreateLogGroup on its role and without a log group, a function's logs are dropped;
    a log group made beforehand (as the kit's modules do) receives them."""
    from serverless_helpers import ROLE_POLICY

    from testkit.data import zip_of

    lam, iam, logs = clients("lambda"), clients("iam"), clients("logs")
    role = iam.create_role(RoleName="bare-fn-role", AssumeRolePolicyDocument=ROLE_POLICY)["Role"]["Arn"]
    group = "/aws/lambda/bare-fn"
    try:
        lam.create_function(
            FunctionName="bare-fn",
            Runtime="python3.12",
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": zip_of({"index.py": "def handler(e, c):\n    print('hello')\n"})},
        )
        lam.invoke(FunctionName="bare-fn")
        assert group not in [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]
        logs.create_log_group(logGroupName=group)
        lam.invoke(FunctionName="bare-fn")
        assert "hello" in log_messages(logs, group)
    finally:
        lam.delete_function(FunctionName="bare-fn")
        logs.delete_log_group(logGroupName=group)
        iam.delete_role(RoleName="bare-fn-role")
