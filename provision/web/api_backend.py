"""``classroom serve --via api``: the page asks the models through the blog's Lambda + HTTP API path.

For each of the class's live endpoints the kit applies ``terraform/modules/endpoint-api`` (an HTTP API
``POST /predict`` → a Lambda function → InvokeEndpoint on that one endpoint) in its own working
directory ``<class>/endpoint-api/<endpoint>/``, and the page sends each form's encoded features to
the module's ``predict_url`` instead of calling InvokeEndpoint itself. When the page stops, the kit
destroys those modules again. On the embedded AWS the URL is served by the emulator
(``emulator/serverless/http_api.py``) and the function really runs there.
"""

from __future__ import annotations

import io
import logging
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)
TIMEOUT_S = 30


class ApiError(Exception):
    """An HTTP API answer other than 200, shaped like a botocore error for the page's error code."""

    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(f"the API answered HTTP {status}: {body[:200]!r}")
        self.response = {"Error": {"Code": f"HTTP {status}"}}


class ApiRuntime:
    """Stands where the page's sagemaker-runtime client stands: ``invoke_endpoint`` over the HTTP API."""

    def __init__(self, urls: dict[str, str]) -> None:
        self.urls = dict(urls)

    def invoke_endpoint(self, EndpointName: str, Body: bytes, ContentType: str, Accept: str = "") -> dict:  # noqa: N803
        url = self.urls.get(EndpointName)
        if url is None:
            raise ApiError(404, f"no API for endpoint {EndpointName}".encode())
        req = urllib.request.Request(
            url, data=Body, method="POST", headers={"Content-Type": ContentType, "Accept": Accept or "*/*"}
        )
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:  # noqa: S310 - the module's URL
                data, ctype = resp.read(), resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as err:
            raise ApiError(err.code, err.read()) from None
        return {"Body": io.BytesIO(data), "ContentType": ctype}


@dataclass
class Apis:
    """The endpoint-api modules applied for one serve session."""

    workspaces: dict[str, object] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)

    def destroy(self) -> None:
        for name, ws in list(self.workspaces.items()):
            try:
                ws.destroy()
                shutil.rmtree(ws.workdir, ignore_errors=True)
            except Exception as err:  # noqa: BLE001 - reported; `classroom down` removes what is left
                log.warning("could not destroy the API of %s: %s", name, str(err).splitlines()[0][:200])
            self.workspaces.pop(name, None)
            self.urls.pop(name, None)


def api_name(settings, endpoint: str) -> str:
    """A short, valid module ``name`` per endpoint (function, role, log group and API)."""
    import hashlib

    digest = hashlib.sha1(endpoint.encode()).hexdigest()[:6]
    return f"{settings.class_name}-api-{digest}"[:48]


def deploy(settings, endpoints: list, emulator_url: str | None) -> Apis:
    """Apply the endpoint-api module for each endpoint (a ClassEndpoint); returns their URLs."""
    from provision import classroom
    from provision.tfrunner import Provider, Workspace
    from provision.web.endpoint_api import MODULE_DIR, build_package

    apis = Apis()
    from kitcore.statedir import ensure_dir, lock_down

    base: Path = ensure_dir(classroom.class_dir(settings) / "endpoint-api")
    package = build_package(base / "function.zip")
    lock_down(base)  # the state folder stays private (0700 / 0600)
    provider = Provider(
        target=settings.target, region=settings.region, tags=settings.tags, endpoint=emulator_url
    )
    try:
        for e in endpoints:
            variables = {
                "create": True,
                "name": api_name(settings, e.name),
                "endpoint_name": e.name,
                "package_path": str(package),
            }
            ws = Workspace.prepare(
                base / e.name,
                settings.class_name,
                provider,
                variables,
                module_source=MODULE_DIR,
                mirror_setting=settings.provider_mirror,
                label=f"endpoint-api {e.name}",
            )
            apis.workspaces[e.name] = ws
            ws.init()
            ws.apply()
            url = ws.outputs().get("predict_url")
            url = url.get("value") if isinstance(url, dict) else url
            if not url:
                raise RuntimeError(f"the endpoint-api module gave no predict_url for {e.name}")
            apis.urls[e.name] = url
    except BaseException:
        apis.destroy()
        raise
    return apis
