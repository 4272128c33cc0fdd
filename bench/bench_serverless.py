"""The embedded AWS's serverless path (issue 16): Lambda invoke latency and the reaper's run time.

1. A Python function (zip) on the emulator: the first Invoke (cold: a worker process starts and imports
   the handler and boto3) and warm Invokes (same environment), p50 / p99.
2. The reaper's handler as deployed (the kit's zip, run by the emulator's Lambda runtime) against 30
   class endpoints, all expired: one run deletes 30 endpoints with their configs and models.

``CLASSROOM_BENCH_QUICK=1``: 20 warm invokes and 10 endpoints instead of 200 and 30.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from testkit import aws as testkit_aws
from testkit.data import zip_of


def _quick() -> bool:
    return os.environ.get("CLASSROOM_BENCH_QUICK", "") not in ("", "0")


def _latency_rows(client) -> list[dict]:
    lam, iam = client("lambda"), client("iam")
    role = testkit_aws.role(
        iam,
        "bench-fn",
        "lambda",
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]},
    )
    src = "import boto3\n\ndef handler(event, context):\n    return {'n': event.get('n', 0) + 1}\n"
    lam.create_function(
        FunctionName="bench-fn",
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": zip_of({"index.py": src})},
        MemorySize=128,
    )
    t0 = time.perf_counter()
    out = lam.invoke(FunctionName="bench-fn", Payload=b'{"n": 1}')
    cold_ms = (time.perf_counter() - t0) * 1000
    ok = json.loads(out["Payload"].read()) == {"n": 2}
    warm = []
    for i in range(20 if _quick() else 200):
        t0 = time.perf_counter()
        out = lam.invoke(FunctionName="bench-fn", Payload=json.dumps({"n": i}).encode())
        warm.append((time.perf_counter() - t0) * 1000)
        ok = ok and json.loads(out["Payload"].read()) == {"n": i + 1}
    warm.sort()
    lam.delete_function(FunctionName="bench-fn")
    return [
        {
            "name": "Lambda invoke, cold (worker start + import)",
            "value": round(cold_ms, 1),
            "unit": "ms",
            "goal": None,
            "ok": ok,
        },
        {
            "name": "Lambda invoke, warm p50",
            "value": round(statistics.median(warm), 2),
            "unit": "ms",
            "goal": None,
            "ok": ok,
        },
        {
            "name": "Lambda invoke, warm p99",
            "value": round(warm[int(len(warm) * 0.99) - 1], 2),
            "unit": "ms",
            "goal": None,
            "ok": ok,
        },
    ]


def _reaper_rows(client) -> list[dict]:
    from provision.reaper.package import build_package

    n = 10 if _quick() else 30
    lam, iam, sm = client("lambda"), client("iam"), client("sagemaker")
    role = testkit_aws.role(
        iam,
        "bench-reaper",
        "lambda",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["sagemaker:*", "logs:*"], "Resource": "*"}],
        },
    )
    sm_role = "arn:aws:iam::123456789012:role/bench-sagemaker"
    tags = [
        {"Key": "classroom", "Value": "benchclass"},
        {"Key": "expires-at", "Value": "2000-01-01T00:00:00Z"},
    ]
    for i in range(n):
        testkit_aws.endpoint(sm, f"bench-ep-{i:02d}", role=sm_role, bucket="bench-none", tags=tags)
    with tempfile.TemporaryDirectory() as tmp:
        package = build_package(Path(tmp) / "reaper.zip").read_bytes()
    lam.create_function(
        FunctionName="bench-reaper",
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": package},
        Timeout=120,
        Environment={
            "Variables": {
                "CLASS_NAME": "benchclass",
                "CLASS_TAGS": json.dumps({"classroom": "benchclass"}),
                "ENDS_AT": "2099-01-01T00:00:00Z",
            }
        },
    )
    t0 = time.perf_counter()
    out = lam.invoke(FunctionName="bench-reaper", Payload=b"{}")
    run_s = time.perf_counter() - t0
    summary = json.loads(out["Payload"].read())
    removed = sum(1 for r in summary.get("removed", []) if r.startswith("endpoint "))
    left = len(sm.list_endpoints()["Endpoints"]) + len(sm.list_models()["Models"])
    lam.delete_function(FunctionName="bench-reaper")
    ok = removed == n and left == 0 and not summary.get("errors")
    return [
        {
            "name": f"reaper run (as the deployed Lambda), {n} expired endpoints",
            "value": round(run_s, 2),
            "unit": "s",
            "goal": None,
            "ok": ok,
        },
        {
            "name": "reaper: endpoints removed / left (with configs, models)",
            "value": f"{removed} / {left}",
            "unit": "",
            "goal": f"{n} / 0",
            "ok": ok,
        },
    ]


def run() -> list[dict]:
    from provision import embedded

    emu = embedded.start()
    client = testkit_aws.clients(emu.url, attempts=2, read_timeout=300)
    return _latency_rows(client) + _reaper_rows(client)


if __name__ == "__main__":  # pragma: no cover
    for row in run():
        print(row)
