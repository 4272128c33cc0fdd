"""Enforce service control policies on requests from member accounts (the embedded AWS).

AWS evaluates SCPs for every request a principal of a member account makes (Organizations user guide,
"Service control policies"); the management account is never restricted. This hook runs before moto
answers an operation: it finds the caller's account and principal from the request's access key,
builds the request context the kit's SCPs use (``aws:RequestedRegion``, ``aws:PrincipalArn``,
``sagemaker:InstanceTypes``) and answers ``AccessDenied`` (JSON services: ``AccessDeniedException``)
when :func:`emulator.organizations.scp.evaluate` denies.

It covers SCPs only; identity policies are issue 13's. Their evaluator can call :func:`decide` for
the SCP half of its decision (an SCP deny wins over any identity allow). S3's requests take moto's
other authorization path and are not checked (known gap). ``KIT_EMULATOR_ENFORCE_SCP=0`` turns the
hook off.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from emulator.organizations import scp

ENV = "KIT_EMULATOR_ENFORCE_SCP"
_SCOPE_RE = re.compile(r"Credential=[^/]+/[^/]+/([^/]+)/([^/]+)/aws4_request")
_installed = False


def enabled() -> bool:
    return os.environ.get(ENV, "1") not in ("0", "false", "no", "off")


def _instance_types(value: Any, out: list[str]) -> list[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "InstanceType" and isinstance(v, str):
                out.append(v)
            else:
                _instance_types(v, out)
    elif isinstance(value, list):
        for v in value:
            _instance_types(v, out)
    return out


def principal_arn(account_id: str, access_key: str) -> str:
    """``aws:PrincipalArn`` of the caller: the role for an assumed-role session, else the user."""
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    for partition in ("aws",):
        role = sts_backends[account_id][partition].get_assumed_role_from_access_key(access_key)
        if role is not None:
            return str(role.role_arn)
        key = iam_backends[account_id][partition].access_keys.get(access_key)
        if key is not None and getattr(key, "user_name", None):
            return f"arn:aws:iam::{account_id}:user/{key.user_name}"
    return f"arn:aws:iam::{account_id}:root"


def request_context(service: str, region: str, principal: str, params: Any) -> dict[str, list[str]]:
    ctx = {"aws:requestedregion": [region], "aws:principalarn": [principal]}
    if service == "sagemaker":
        types = _instance_types(params, [])
        if types:
            ctx["sagemaker:instancetypes"] = types
    return ctx


def decide(account_id: str, access_key: str, service: str, operation: str, region: str,
           params: Any) -> scp.Decision | None:
    """The SCP decision for one request, or None when SCPs do not apply to the caller's account."""
    levels = scp.levels_for(account_id)
    if levels is None:
        return None
    principal = principal_arn(account_id, access_key)
    req = scp.Request(action=f"{service}:{operation}",
                      context=request_context(service, region, principal, params))
    return scp.evaluate(levels, req)


def _check(response: Any) -> None:
    auth = response.headers.get("Authorization") or ""
    m = _SCOPE_RE.search(auth)
    if not m:
        return
    region, service = m.group(1), m.group(2)
    account = response.current_account
    if scp.management_account(account) in (None, account):
        return  # fast path: not a member account
    params: Any = {}
    body = response.body
    if body and isinstance(body, (str, bytes)) and body[:1] in ("{", b"{"):
        try:
            params = json.loads(body)
        except ValueError:
            params = {}
    elif hasattr(response, "querystring"):
        params = {k: v[0] if len(v) == 1 else v for k, v in response.querystring.items()}
    operation = response._get_action()
    decision = decide(account, response.get_access_key(), service, operation, region, params)
    if decision is None or decision.allowed:
        return
    principal = principal_arn(account, response.get_access_key())
    message = (f"User: {principal} is not authorized to perform: {service}:{operation} "
               f"with an explicit deny in a service control policy" if decision.policy else
               f"User: {principal} is not authorized to perform: {service}:{operation} "
               f"({decision.reason})")
    from moto.core.exceptions import JsonRESTError, _RESTError

    # JSON protocols answer 400 AccessDeniedException; query/XML ones 403 AccessDenied
    if response.headers.get("X-Amz-Target") or "json" in (response.headers.get("Content-Type") or ""):
        err: _RESTError = JsonRESTError("AccessDeniedException", message)
        err.code = 400
    else:
        err = _RESTError("AccessDenied", message)
        err.code = 403
    raise err


def install() -> None:
    """Wrap moto's per-request authorization hook with the SCP check. Idempotent."""
    global _installed
    if _installed or not enabled():
        return
    from moto.core.authorization import ActionAuthenticatorMixin

    original = ActionAuthenticatorMixin._authenticate_and_authorize_normal_action

    def authorize(self, resource: str = "*") -> None:
        _check(self)
        original(self, resource)

    ActionAuthenticatorMixin._authenticate_and_authorize_normal_action = authorize  # type: ignore[method-assign]
    _installed = True
