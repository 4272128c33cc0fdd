"""API Gateway v2 HTTP APIs served by the embedded AWS: Lambda proxy integrations, payload format 2.0.

moto 5.2.5 stores HTTP APIs, routes, integrations and stages but serves none of them, and names every
API ``https://<id>.execute-api.<region>.amazonaws.com`` — a host that does not exist offline. Here:

- ``ApiEndpoint`` (what Terraform's ``aws_apigatewayv2_api.api_endpoint`` reads) is
  ``http://127.0.0.1:<port>/__execute-api/<api id>``, the emulator itself;
- ``with_execute_api`` (a WSGI layer in front of moto) answers requests under that prefix as API
  Gateway does (AWS docs "Working with AWS Lambda proxy integrations for HTTP APIs", "Working with
  routes for HTTP APIs"): the stage is the first path segment, or ``$default`` serves the root; the
  route is chosen by method and path (``{param}``, greedy ``{proxy+}``, ``ANY``, ``$default``; the most
  specific wins); the function gets the 2.0 event (``version``, ``routeKey``, ``rawPath``,
  ``rawQueryString``, ``cookies``, ``headers``, ``queryStringParameters``, ``pathParameters``,
  ``requestContext``, ``body``, ``isBase64Encoded``) and its answer is mapped back (``statusCode``,
  ``headers``, ``cookies``, ``body``, ``isBase64Encoded``; any other JSON answer is a 200
  ``application/json`` body);
- like AWS: no route → 404 ``{"message":"Not Found"}``; the function failed or API Gateway may not
  invoke it (no ``lambda:InvokeFunction`` permission for ``apigateway.amazonaws.com`` matching the
  route's ``execute-api`` ARN) → 500 ``{"message":"Internal Server Error"}``; the integration's timeout
  passed → 503 ``{"message":"Service Unavailable"}``.

Not done: authorizers, CORS configuration, HTTP_PROXY / AWS service integrations, payload format 1.0,
stage throttling (stored, not enforced), custom domains, WebSocket APIs.
"""

from __future__ import annotations

import base64
import datetime as dt
import fnmatch
import json
import logging
import re
import threading
import uuid
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, unquote

log = logging.getLogger(__name__)
PREFIX = "/__execute-api/"
TEXT_TYPES = (
    "text/",
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-www-form-urlencoded",
    "+json",
    "+xml",
)


def _apis():
    from moto.apigatewayv2.models import apigatewayv2_backends

    for account_id, regions in list(apigatewayv2_backends.items()):
        for region, backend in list(regions.items()):
            for api in list(backend.apis.values()):
                yield account_id, region, api


def find_api(api_id: str):
    for account_id, region, api in _apis():
        if api.api_id == api_id:
            return account_id, region, api
    return None


# --- routes ----------------------------------------------------------------------------------------
def _route_pattern(path: str) -> tuple[re.Pattern, int, bool]:
    """A route path as a regex; returns (regex, literal segments, greedy)."""
    parts, literal, greedy = [], 0, False
    for seg in path.strip("/").split("/") if path.strip("/") else []:
        m = re.fullmatch(r"\{([^}+]+)(\+?)\}", seg)
        if m and m.group(2):
            parts.append(f"(?P<{_group(m.group(1))}>.+)")
            greedy = True
        elif m:
            parts.append(f"(?P<{_group(m.group(1))}>[^/]+)")
        else:
            parts.append(re.escape(seg))
            literal += 1
    return re.compile("^/" + "/".join(parts) + "$"), literal, greedy


def _group(name: str) -> str:
    return "p_" + "".join(c if c.isalnum() else "_" for c in name) + "_" + str(abs(hash(name)) % 10**6)


def match_route(routes: list[Any], method: str, path: str):
    """The route API Gateway picks: exact over parameterised over greedy, a method over ANY, else $default.

    Returns (route, path parameters) or (None, {})."""
    best, best_score, params = None, None, {}
    default = None
    for route in routes:
        key = route.route_key
        if key == "$default":
            default = route
            continue
        verb, _, rpath = key.partition(" ")
        if verb != "ANY" and verb != method:
            continue
        regex, literal, greedy = _route_pattern(rpath)
        m = regex.match(path.rstrip("/") or "/") or regex.match(path)
        if not m:
            continue
        names = re.findall(r"\{([^}+]+)\+?\}", rpath)
        values = dict(zip(names, m.groups(), strict=True))
        score = (not greedy, literal, len(names) == 0, verb != "ANY")
        if best_score is None or score > best_score:
            best, best_score, params = route, score, values
    if best is None and default is not None:
        return default, {}
    return best, params


# --- permissions -----------------------------------------------------------------------------------
def may_invoke(fn, service: str, source_arn: str) -> bool:
    """Whether the function's resource policy lets ``service`` invoke it for ``source_arn``."""
    for st in getattr(fn.policy, "statements", []):
        if st.get("Effect", "Allow") != "Allow":
            continue
        actions = st.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if not any(a in ("lambda:InvokeFunction", "lambda:*", "*") for a in actions):
            continue
        principal = st.get("Principal", {})
        services = principal.get("Service", []) if isinstance(principal, dict) else principal
        services = [services] if isinstance(services, str) else services
        if service not in services and "*" not in services and principal != "*":
            continue
        cond = st.get("Condition", {}) or {}
        pattern = None
        for op in ("ArnLike", "ArnEquals", "StringLike", "StringEquals"):
            for k, v in (cond.get(op) or {}).items():
                if k.lower() == "aws:sourcearn":
                    pattern = v
        if pattern is None or fnmatch.fnmatchcase(source_arn, pattern):
            return True
    return False


def _function_from_uri(uri: str, account_id: str, region: str):
    """An AWS_PROXY integration's URI → the function.

    The URI is the function's ARN or its invoke ARN
    ``arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<arn>/invocations``."""
    from moto.awslambda.utils import get_backend

    m = re.search(r"/functions/(arn:[^/]+)/invocations", uri or "")
    arn = m.group(1) if m else uri
    if not arn or ":lambda:" not in arn:
        return None
    fn_region = arn.split(":")[3] or region
    try:
        return get_backend(arn.split(":")[4] or account_id, fn_region).get_function(arn, None)
    except Exception:  # noqa: BLE001 - deleted function: API Gateway answers 500
        return None


# --- the request -----------------------------------------------------------------------------------
def _json(status: int, message: str) -> tuple[int, dict[str, str], bytes]:
    return status, {"content-type": "application/json"}, json.dumps({"message": message}).encode()


def _is_text(content_type: str) -> bool:
    ct = (content_type or "").lower()
    return any(t in ct for t in TEXT_TYPES)


def build_event(
    environ: dict,
    api,
    account_id: str,
    stage: str,
    route,
    path: str,
    params: dict,
    body: bytes,
    request_id: str,
) -> dict:
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for k, v in environ.items():
        if k.startswith("HTTP_"):
            name = k[5:].replace("_", "-").lower()
        elif k in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = k.replace("_", "-").lower()
        else:
            continue
        if not v:
            continue
        if name == "cookie":
            cookies += [c.strip() for c in v.split(";") if c.strip()]
            continue
        headers[name] = f"{headers[name]},{v}" if name in headers else v
    raw_qs = environ.get("QUERY_STRING", "")
    query: dict[str, str] = {}
    for k, v in parse_qsl(raw_qs, keep_blank_values=True):
        query[k] = f"{query[k]},{v}" if k in query else v
    text = _is_text(headers.get("content-type", ""))
    try:
        body_text = body.decode("utf-8") if text else None
    except UnicodeDecodeError:
        body_text = None
    now = dt.datetime.now(dt.UTC)
    host = headers.get("host", "")
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": path if stage == "$default" else f"/{stage}{path}",
        "rawQueryString": raw_qs,
        "headers": headers,
        "requestContext": {
            "accountId": account_id,
            "apiId": api.api_id,
            "domainName": host,
            "domainPrefix": host.split(".")[0] if host else "",
            "http": {
                "method": environ["REQUEST_METHOD"],
                "path": path if stage == "$default" else f"/{stage}{path}",
                "protocol": environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
                "sourceIp": environ.get("REMOTE_ADDR", "127.0.0.1"),
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": route.route_key,
            "stage": stage,
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": bool(body) and body_text is None,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if params:
        event["pathParameters"] = params
    if body:
        event["body"] = body_text if body_text is not None else base64.b64encode(body).decode()
    stage_obj = api.stages.get(stage)
    if stage_obj is not None and stage_obj.stage_variables:
        event["stageVariables"] = dict(stage_obj.stage_variables)
    return event


def map_response(payload: str) -> tuple[int, dict[str, str], list[str], bytes]:
    """A 2.0 answer → (status, headers, cookies, body)."""
    try:
        result = json.loads(payload)
    except ValueError:
        return 500, {}, [], b""
    if isinstance(result, dict) and "statusCode" in result:
        headers = {str(k).lower(): str(v) for k, v in (result.get("headers") or {}).items()}
        body = result.get("body")
        if body is None:
            data = b""
        elif result.get("isBase64Encoded"):
            data = base64.b64decode(body)
        else:
            data = (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
        return int(result["statusCode"]), headers, [str(c) for c in result.get("cookies") or []], data
    # "If your Lambda function returns valid JSON and doesn't return a statusCode, API Gateway assumes ..."
    data = result.encode("utf-8") if isinstance(result, str) else json.dumps(result).encode("utf-8")
    return 200, {"content-type": "application/json"}, [], data


def _not_found(request_id: str) -> tuple[int, list[tuple[str, str]], bytes]:
    status, headers, body = _json(404, "Not Found")
    return status, [*headers.items(), ("apigw-requestid", request_id)], body


def handle(environ: dict) -> tuple[int, list[tuple[str, str]], bytes]:
    from emulator.serverless import lambda_runtime

    request_id = base64.b32encode(uuid.uuid4().bytes[:10]).decode().rstrip("=")
    rest = environ.get("PATH_INFO", "")[len(PREFIX) :]
    api_id, _, path = rest.partition("/")
    path = "/" + unquote(path)
    found = find_api(api_id)
    if found is None or found[2].protocol_type != "HTTP":
        return _not_found(request_id)
    account_id, region, api = found
    first, _, after = path[1:].partition("/")
    if first and first in api.stages and first != "$default":
        stage, path = first, "/" + after
    elif "$default" in api.stages:
        stage = "$default"
    else:
        return _not_found(request_id)
    method = environ["REQUEST_METHOD"]
    route, params = match_route(list(api.routes.values()), method, path)
    integration = None
    if route is not None and (route.target or "").startswith("integrations/"):
        integration = api.integrations.get(route.target.split("/", 1)[1])
    if route is None or integration is None:
        return _not_found(request_id)
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body_in = environ["wsgi.input"].read(length) if length > 0 else b""
    call = _Call(api, account_id, region, stage, route, integration, path, params, method, request_id)
    result = _invoke(lambda_runtime, call, environ, body_in)
    status, headers, cookies, body = result
    out = [
        (k, v) for k, v in headers.items() if k not in ("content-length", "transfer-encoding", "connection")
    ]
    out += [("set-cookie", c) for c in cookies]
    out.append(("apigw-requestid", request_id))
    return status, out, body


class _Call(NamedTuple):
    """The API, stage, route and integration a request matched, and its request id."""

    api: Any
    account_id: str
    region: str
    stage: str
    route: Any
    integration: Any
    path: str
    params: dict
    method: str
    request_id: str


def _error(status: int, reason: str) -> tuple[int, dict[str, str], list[str], bytes]:
    s, h, b = _json(status, reason)
    return s, h, [], b


def _invoke(lambda_runtime, call: _Call, environ: dict, body_in: bytes):
    api, account_id, region, stage, route, integration, path, params, method, request_id = call
    if integration.integration_type != "AWS_PROXY" or (integration.payload_format_version or "2.0") != "2.0":
        log.warning("HTTP API %s: only AWS_PROXY payload 2.0 integrations are served", api.api_id)
        return _error(500, "Internal Server Error")
    fn = _function_from_uri(integration.integration_uri, account_id, region)
    route_path = route.route_key.partition(" ")[2] if route.route_key != "$default" else path
    source_arn = f"arn:aws:execute-api:{region}:{account_id}:{api.api_id}/{stage}/{method}{route_path}"
    if fn is None or not may_invoke(fn, "apigateway.amazonaws.com", source_arn):
        log.warning("HTTP API %s: function missing or no permission for %s", api.api_id, source_arn)
        return _error(500, "Internal Server Error")
    event = build_event(environ, api, account_id, stage, route, path, params, body_in, request_id)
    timeout_s = (integration.timeout_in_millis or 30000) / 1000
    box: dict[str, Any] = {}

    def call() -> None:
        try:
            box["result"] = lambda_runtime.run(fn, event)
        except Exception as err:  # noqa: BLE001 - reported as API Gateway's 500
            box["exc"] = err

    t = threading.Thread(target=call, name="execute-api", daemon=True)
    t.start()
    t.join(timeout_s)
    if t.is_alive():
        return _error(503, "Service Unavailable")
    if "exc" in box:
        log.warning("HTTP API %s: invoke failed: %s", api.api_id, box["exc"])
        return _error(500, "Internal Server Error")
    payload, error, _tail = box["result"]
    if error is not None or payload is None:
        return _error(500, "Internal Server Error")
    status, headers, cookies, body = map_response(payload)
    if status == 500 and not body:
        return _error(500, "Internal Server Error")
    headers.setdefault("content-type", "application/json")
    return status, headers, cookies, body


_REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    301: "Moved Permanently",
    302: "Found",
    304: "Not Modified",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def with_execute_api(app):
    """WSGI layer: requests under ``/__execute-api/`` go to the HTTP API, everything else to moto."""

    def wrapped(environ, start_response):
        if not environ.get("PATH_INFO", "").startswith(PREFIX):
            return app(environ, start_response)
        try:
            status, headers, body = handle(environ)
        except Exception:  # noqa: BLE001 - API Gateway never shows a stack trace
            log.exception("execute-api request failed")
            status, h, body = _json(500, "Internal Server Error")
            headers = list(h.items())
        headers = [*headers, ("content-length", str(len(body)))]
        start_response(f"{status} {_REASONS.get(status, 'Status')}", headers)
        return [body]

    return wrapped


def endpoint_for(api_id: str) -> str:
    from emulator.serverless import lambda_runtime

    return f"{lambda_runtime.base_url()}{PREFIX.rstrip('/')}/{api_id}"


def install() -> None:
    """Make every new API's ``ApiEndpoint`` this emulator's URL for it."""
    from moto.apigatewayv2.models import Api

    if getattr(Api, "_kit_patched", False):
        return
    original = Api.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.api_endpoint = endpoint_for(self.api_id)

    Api.__init__ = init  # type: ignore[method-assign]
    Api._kit_patched = True  # type: ignore[attr-defined]
