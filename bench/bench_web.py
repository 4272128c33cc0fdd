"""The web page's side of the kit on the embedded AWS.

1. The expiry sweep that runs before every kit command (``provision.expiry.remove_expired``) with
   30 endpoints in the region: 20 of the class (10 expired) and 10 of someone else. Measures its wall
   time and AWS calls when nothing has expired (the everyday cost: goal 1 list + 1 tag read per
   endpoint, < 1 s) and when 10 have (each also needs describe + 3 deletes), and checks that exactly the
   class's expired endpoints, with their configs and models, are gone.
2. The optional Lambda + HTTP API module (``terraform/modules/endpoint-api``): apply, check the function,
   API and route exist, destroy, check they are gone; wall times.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path

import boto3

from testkit.aws import endpoint

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/bench-web"


def _settings():
    from provision.settings import Settings

    return Settings(class_name="benchclass", region=REGION)


def _endpoint(sm, name: str, tags: dict[str, str]) -> None:
    tag_list = [{"Key": k, "Value": v} for k, v in tags.items()]
    endpoint(sm, name, role=ROLE, bucket="bench-web", tags=tag_list)


class _Calls:
    def __init__(self, client) -> None:
        self.n = 0
        client.meta.events.register("before-call.*.*", self._count)

    def _count(self, **_kwargs) -> None:
        self.n += 1


def _sweep_rows() -> list[dict]:
    from kitcore import tags as kit_tags
    from kitcore.times import format_utc, now_utc
    from provision.endpoints import class_scope
    from provision.expiry import remove_expired

    settings = _settings()
    sm = boto3.client("sagemaker", region_name=REGION)
    soon = format_utc(now_utc() + dt.timedelta(minutes=5))
    later = format_utc(now_utc() + dt.timedelta(minutes=60))
    expiring = []
    for i in range(20):
        name = f"bench-class-{i:02d}"
        expires = soon if i < 10 else later
        _endpoint(sm, name, {**class_scope(settings), kit_tags.JOB: "spam", kit_tags.EXPIRES: expires})
        if i < 10:
            expiring.append(name)
    for i in range(10):
        _endpoint(sm, f"someone-else-{i:02d}", {kit_tags.EXPIRES: soon})

    calls = _Calls(sm)
    t0 = time.monotonic()
    none = remove_expired(settings, sm)
    idle_s, idle_calls = time.monotonic() - t0, calls.n
    calls.n = 0
    t0 = time.monotonic()
    removed = remove_expired(settings, sm, now=now_utc() + dt.timedelta(minutes=10))
    busy_s, busy_calls = time.monotonic() - t0, calls.n
    left = {e["EndpointName"] for e in sm.list_endpoints(MaxResults=100)["Endpoints"]}
    models = {m["ModelName"] for m in sm.list_models(MaxResults=100)["Models"]}
    right = (
        none == []
        and sorted(removed) == expiring
        and not (set(expiring) & left)
        and not ({f"{name}-model" for name in expiring} & models)
        and len(left) == 20
    )
    return [
        {
            "name": "sweep, nothing expired (30 endpoints)",
            "value": round(idle_s, 3),
            "unit": "s",
            "goal": "<= 1",
            "ok": idle_s <= 1.0,
        },
        {
            "name": "sweep, nothing expired: AWS calls",
            "value": idle_calls,
            "unit": "calls",
            "goal": "<= 31",
            "ok": idle_calls <= 31,
        },
        {
            "name": "sweep, 10 expired (with configs, models)",
            "value": round(busy_s, 3),
            "unit": "s",
            "goal": "<= 5",
            "ok": busy_s <= 5.0,
        },
        {
            "name": "sweep, 10 expired: AWS calls",
            "value": busy_calls,
            "unit": "calls",
            "goal": None,
            "ok": None,
        },
        {
            "name": "sweep removed exactly the class's expired endpoints",
            "value": right,
            "unit": "",
            "goal": "True",
            "ok": right,
        },
    ]


def _module_rows(emulator_url: str) -> list[dict]:
    from provision.tfrunner import Provider, Workspace
    from provision.web.endpoint_api import MODULE_DIR, build_package

    lam = boto3.client("lambda", region_name=REGION)
    api = boto3.client("apigatewayv2", region_name=REGION)
    with tempfile.TemporaryDirectory() as tmp:
        provider = Provider(target="local", region=REGION, tags=_settings().tags, endpoint=emulator_url)
        variables = {
            "create": True,
            "name": "benchclass-api",
            "endpoint_name": "bench-class-19",
            "package_path": str(build_package(Path(tmp) / "fn.zip")),
        }
        ws = Workspace.prepare(
            Path(tmp) / "tf", "benchclass", provider, variables, module_source=MODULE_DIR, stream=False
        )
        ws.init()
        t0 = time.monotonic()
        try:
            ws.apply()
            apply_s = time.monotonic() - t0
            fn = lam.get_function(FunctionName="benchclass-api")["Configuration"]
            apis = api.get_apis()["Items"]
            routes = api.get_routes(ApiId=apis[0]["ApiId"])["Items"] if apis else []
            made = (
                fn["Environment"]["Variables"]["ENDPOINT_NAME"] == "bench-class-19"
                and len(apis) == 1
                and [r["RouteKey"] for r in routes] == ["POST /predict"]
            )
        finally:
            t1 = time.monotonic()
            ws.destroy()
            destroy_s = time.monotonic() - t1
    gone = api.get_apis()["Items"] == [] and "benchclass-api" not in [
        f["FunctionName"] for f in lam.list_functions()["Functions"]
    ]
    return [
        {
            "name": "endpoint-api module: apply",
            "value": round(apply_s, 1),
            "unit": "s",
            "goal": None,
            "ok": None,
        },
        {
            "name": "endpoint-api module: function, API, route made",
            "value": made,
            "unit": "",
            "goal": "True",
            "ok": made,
        },
        {
            "name": "endpoint-api module: destroy",
            "value": round(destroy_s, 1),
            "unit": "s",
            "goal": None,
            "ok": None,
        },
        {"name": "endpoint-api module: nothing left", "value": gone, "unit": "", "goal": "True", "ok": gone},
    ]


def run() -> list[dict]:
    from provision import embedded

    emu = embedded.start()
    os.environ.update(emu.env(REGION))
    return _sweep_rows() + _module_rows(emu.url)
