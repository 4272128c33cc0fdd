"""InvokeEndpoint without moto's generic dispatch (a WSGI layer in front of it).

moto routes every request by walking its service table (``DomainDispatcherApplication.
get_backend_for_host`` stats each service module's folder, per request), then Flask, then the service's
response class (``setup_class`` parses the URL, the body and the headers again, and lists the class's
methods). For the lesson's one-row predictions that routing cost more than the prediction. This layer
answers ``POST /endpoints/{EndpointName}/invocations`` (botocore's sagemaker-runtime ``InvokeEndpoint``
requestUri) itself, with the same steps and the same code as moto's path:

- the caller's account from the access key (``BaseResponse.get_current_account``: the
  organizations extension's lookup of member-account keys included), its region from the signature;
- the IAM enforcement (``_authenticate_and_authorize_normal_action``: the kit's ``emulator.iam.enforce``
  with service control policies), refusing with AWS's AccessDeniedException;
- the installed ``SageMakerRuntimeResponse.invoke_endpoint`` (``emulator.ml.responses``) for the
  answer: ``Body``, ``ContentType`` and the ``x-Amzn-Invoked-Production-Variant`` header, or
  ValidationError / ModelError.

Anything else — another operation, an unsigned or compressed request, moto's ``x-moto-account-id``
header — goes to moto unchanged.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

#: botocore sagemaker-runtime InvokeEndpoint: "requestUri": "/endpoints/{EndpointName}/invocations"
_INVOKE_PATH = re.compile(r"^/endpoints/[^/]+/invocations$")

_REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 424: "Failed Dependency"}


def handles(environ: dict[str, Any]) -> bool:
    """Whether the request is a SigV4-signed InvokeEndpoint this layer answers (else: moto)."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    return (
        environ.get("REQUEST_METHOD") == "POST"
        and _INVOKE_PATH.match(environ.get("PATH_INFO", "")) is not None
        and auth.startswith("AWS4-HMAC-SHA256 ")
        and "/sagemaker/aws4_request" in auth
        and "HTTP_X_MOTO_ACCOUNT_ID" not in environ
        and not environ.get("HTTP_CONTENT_ENCODING")
        and (environ.get("CONTENT_LENGTH") or "").isdigit()
    )


def _response_class() -> type:
    from moto.sagemakerruntime.responses import SageMakerRuntimeResponse

    class FastInvoke(SageMakerRuntimeResponse):
        """The request state ``BaseResponse.setup_class`` would build, for InvokeEndpoint only."""

        def __init__(self, environ: dict[str, Any], headers: Any, body: bytes, raw_path: str) -> None:
            super().__init__()
            query = environ.get("QUERY_STRING", "")
            host = environ.get("HTTP_HOST", "localhost")
            self.uri = f"http://{host}{raw_path}" + (f"?{query}" if query else "")
            self.path = self.raw_path = raw_path
            self.method = "POST"
            self.headers = headers
            self.raw_body = body
            try:
                self.body: Any = body.decode("utf-8")
            except UnicodeDecodeError:
                self.body = body  # moto keeps bytes it cannot decode
            self.querystring: dict[str, list[str]] = {}
            self.data = self.querystring
            self.uri_match: dict[str, Any] = {}
            self.response_headers = {"server": "amazon.com"}
            self.region = self.get_region(headers)
            from moto.utilities.utils import get_partition

            self.partition = get_partition(self.region)
            self.access_key = self.get_access_key()
            self.current_account = self.get_current_account()

        def get_region(self, headers: Any) -> str:
            # BaseResponse.get_region_from_url, for a request to the emulator's own address
            found = self.region_regex.search(self.uri) or self.region_from_useragent_regex.search(
                headers.get("User-Agent", "")
            )
            if found:
                return found.group(1)
            auth = headers.get("Authorization", "")
            return auth.split(",")[0].split("/")[2] if "AWS4" in auth else self.default_region

        def _get_action(self) -> str:
            return "InvokeEndpoint"

    return FastInvoke


def with_invoke_fast_path(app):
    """Answer sagemaker-runtime InvokeEndpoint before moto's dispatch; the rest goes to ``app``."""
    from moto.iam.models import mark_account_as_visited
    from moto.utilities.aws_headers import gen_amzn_requestid_long
    from werkzeug.datastructures import EnvironHeaders
    from werkzeug.exceptions import HTTPException

    response_class = _response_class()

    def wrapped(environ, start_response):
        if not handles(environ):
            return app(environ, start_response)
        body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        req = response_class(environ, EnvironHeaders(environ), body, quote(environ["PATH_INFO"]))
        mark_account_as_visited(
            account_id=req.current_account,
            access_key=req.access_key,
            service=req.service_name,
            region=req.region,
        )
        try:
            req._authenticate_and_authorize_normal_action("*")
            status, headers, answer = req.invoke_endpoint()
        except HTTPException as refused:  # the IAM enforcement's AccessDenied
            status, headers, answer = refused.code, {}, refused.description
        headers = {**req.response_headers, **headers}
        status = int(headers.pop("status", status))
        gen_amzn_requestid_long(headers)
        data = answer.encode() if isinstance(answer, str) else bytes(answer)
        out = [(k, str(v)) for k, v in headers.items()]
        out += [("Content-Length", str(len(data))), ("Access-Control-Allow-Origin", "*")]
        start_response(f"{status} {_REASONS.get(status, 'Status')}", out)
        return [data]

    return wrapped
