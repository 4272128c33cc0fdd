"""Permission enforcement on requests signed by a principal's credentials.

moto asks every request handler for an authorisation decision (``ActionAuthenticatorMixin.
_authenticate_and_authorize_action``: ``BaseResponse.call_action`` for the JSON and query services,
the S3 handlers with the bucket and key). moto's own check is all-or-nothing (every key must be an
IAM user's, Conditions and resources ignored), so the kit replaces that one method:

- the bootstrapping principal (any key that is neither an IAM user's access key nor an STS session:
  the ``testing`` keys of the kit and Terraform) is not restricted;
- an IAM user or an assumed-role session gets AWS's decision from its identity policies
  (:mod:`emulator.iam.policy`), for S3 together with the bucket policy; SageMaker calls that pass a
  role also need ``iam:PassRole`` on it (context ``iam:PassedToService``);
- an unsigned S3 request is the anonymous principal: only a bucket policy can allow it.

``CLASSROOM_EMULATOR_IAM=off`` (read by the emulator process) turns enforcement off.
"""

from __future__ import annotations

import json
import os
import re
import time
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, urlparse

from emulator.iam import policy as P
from emulator.iam import principals, sar

ENV = "CLASSROOM_EMULATOR_IAM"

#: credential scope (signing name) -> IAM action prefix, where they differ
SIGNING_TO_PREFIX = {"monitoring": "cloudwatch", "email": "ses"}

#: moto's S3 action names (``s3.responses.ACTION_MAP``) -> the IAM action AWS authorises
S3_ACTION_NAMES = {
    "HeadBucket": "ListBucket",
    "GetPublicAccessBlock": "GetBucketPublicAccessBlock",
    "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
    "DeletePublicAccessBlock": "PutBucketPublicAccessBlock",
    "ListAllMyBuckets": "ListAllMyBuckets",
}

#: S3 sub-resources moto's ACTION_MAP lacks (it would authorise them as its DEFAULT action)
S3_EXTRA_ACTIONS = {
    ("BUCKET", "GET"): {
        "encryption": "GetEncryptionConfiguration",
        "ownershipControls": "GetBucketOwnershipControls",
        "object-lock": "GetBucketObjectLockConfiguration",
        "replication": "GetReplicationConfiguration",
        "requestPayment": "GetBucketRequestPayment",
    },
    ("BUCKET", "PUT"): {
        "encryption": "PutEncryptionConfiguration",
        "ownershipControls": "PutBucketOwnershipControls",
        "object-lock": "PutBucketObjectLockConfiguration",
        "replication": "PutReplicationConfiguration",
    },
    ("BUCKET", "DELETE"): {
        "encryption": "PutEncryptionConfiguration",
        "ownershipControls": "PutBucketOwnershipControls",
        "replication": "PutReplicationConfiguration",
    },
}

#: API operations whose IAM action has another name. Budgets: the Service Authorization Reference's
#: "AWS Budget Service" page (ViewBudget: "view budgets", ModifyBudget: "modify budgets", both with the
#: budget's notifications and subscribers); Lambda: "Invoke" is authorised as lambda:InvokeFunction.
OPERATION_TO_ACTION = {
    ("budgets", "DescribeBudget"): "ViewBudget",
    ("budgets", "DescribeBudgets"): "ViewBudget",
    ("budgets", "DescribeNotificationsForBudget"): "ViewBudget",
    ("budgets", "DescribeSubscribersForNotification"): "ViewBudget",
    ("budgets", "DescribeBudgetPerformanceHistory"): "ViewBudget",
    ("budgets", "CreateBudget"): "ModifyBudget",
    ("budgets", "UpdateBudget"): "ModifyBudget",
    ("budgets", "DeleteBudget"): "ModifyBudget",
    ("budgets", "CreateNotification"): "ModifyBudget",
    ("budgets", "UpdateNotification"): "ModifyBudget",
    ("budgets", "DeleteNotification"): "ModifyBudget",
    ("budgets", "CreateSubscriber"): "ModifyBudget",
    ("budgets", "UpdateSubscriber"): "ModifyBudget",
    ("budgets", "DeleteSubscriber"): "ModifyBudget",
    ("lambda", "Invoke"): "InvokeFunction",
}

#: request parameters that name a role handed to the service (iam:PassRole), any depth
PASSED_ROLE_PARAMS = ("RoleArn", "ExecutionRoleArn", "ExecutionRole")

#: actions AWS never denies (IAM User Guide: GetCallerIdentity needs no permission)
ALWAYS_ALLOWED = {"sts:getcalleridentity"}


@lru_cache(maxsize=1)
def enabled() -> bool:
    """Read once per process: the emulator's environment decides (``CLASSROOM_EMULATOR_IAM=off``)."""
    return os.environ.get(ENV, "on").strip().lower() not in ("off", "0", "false", "no")


# --------------------------------------------------------------------------------------------------
# The request
# --------------------------------------------------------------------------------------------------

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


def credential(headers: Any, query: str) -> tuple[str, str, str] | None:
    """(access key id, region, signing name) of a SigV4 request or presigned URL; None if unsigned."""
    auth = headers.get("Authorization") or ""
    m = _CREDENTIAL.search(auth)
    if m:
        return m.group(1), m.group(2), m.group(3)
    if "X-Amz-Credential" in query:
        cred = parse_qs(query).get("X-Amz-Credential", [""])[0].split("/")
        if len(cred) >= 4:
            return cred[0], cred[2], cred[3]
    if auth.startswith("AWS "):  # SigV2
        return auth[4:].split(":", 1)[0], "us-east-1", "s3"
    return None


def _flatten_query(qs: dict[str, list[str]]) -> dict[str, Any]:
    """Query-protocol parameters, incl. ``Tags.member.1.Key`` lists, as a nested structure."""
    out: dict[str, Any] = {}
    tags: dict[str, dict[str, str]] = {}
    for key, values in qs.items():
        value = values[0] if values else ""
        m = re.match(r"^Tags\.(?:member\.)?(\d+)\.(Key|Value)$", key)
        if m:
            tags.setdefault(m.group(1), {})[m.group(2)] = value
        else:
            out[key] = value
    if tags:
        out["Tags"] = [tags[i] for i in sorted(tags, key=int)]
    return out


def request_params(resp: Any) -> dict[str, Any]:
    body = getattr(resp, "body", None)
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if body and body.lstrip().startswith("{"):
        try:
            params = json.loads(body)
            if isinstance(params, dict):
                return params
        except ValueError:
            pass
    qs = getattr(resp, "querystring", None) or {}
    return _flatten_query(qs) if isinstance(qs, dict) else {}


def _walk(value: Any, names: tuple[str, ...], out: list[Any]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            if k in names and isinstance(v, (str, int, float)):
                out.append(v)
            else:
                _walk(v, names, out)
    elif isinstance(value, list):
        for v in value:
            _walk(v, names, out)


def find_all(params: dict[str, Any], *names: str) -> list[str]:
    out: list[Any] = []
    _walk(params, names, out)
    return [str(v) for v in out]


@lru_cache(maxsize=512)
def _uri_regex(service: str, operation: str) -> re.Pattern[str] | None:
    """A regex for the operation's REST path (botocore's requestUri), capturing its labels."""
    try:
        from moto.core.responses import get_service_model

        uri = get_service_model(service).operation_model(operation).http.get("requestUri", "")
    except Exception:  # noqa: BLE001 - query/JSON protocols have no labels
        return None
    path = uri.split("?", 1)[0]
    if "{" not in path:
        return None
    regex = re.sub(r"\\\{(\w+)(?:\\\+)?\\\}", lambda m: f"(?P<{m.group(1)}>[^/]+)", re.escape(path))
    return re.compile(f"^{regex}$")


def path_params(resp: Any, action: str) -> dict[str, str]:
    rx = _uri_regex(resp.boto3_service_name, action)
    if rx is None:
        return {}
    from urllib.parse import unquote

    m = rx.match(urlparse(resp.uri).path)
    return {k: unquote(v) for k, v in m.groupdict().items()} if m else {}


def _lookup_ci(params: dict[str, Any]) -> dict[str, str]:
    return {k.lower(): str(v) for k, v in params.items() if isinstance(v, (str, int, float))}


def fill_arn(template: str, params: dict[str, str], partition: str, region: str, account: str) -> str:
    """The resource ARN from the reference's template; unknown parts become ``*``."""

    def repl(m: re.Match[str]) -> str:
        var = m.group(1)
        low = var.lower()
        if low == "partition":
            return partition
        if low == "region":
            return region
        if low == "account":
            return account
        for name in (low, low.removesuffix("withpath"), low.removesuffix("id") + "name"):
            if name in params:
                return params[name]
        return "*"

    return re.sub(r"\$\{(\w+)\}", repl, template)


def resources_for(
    prefix: str, action: str, params: dict[str, Any], region: str, account: str, partition: str = "aws"
) -> list[str]:
    """The ARNs AWS authorises ``prefix:action`` against (the required resource types)."""
    info = sar.action(prefix, action)
    if info is None or not info.resource_types:
        return ["*"]
    flat = _lookup_ci(params)
    if "spacename" in flat and "userprofilename" not in flat:
        flat["userprofilename"] = flat["spacename"]  # a space's app: app/<domain>/<space>/<type>/<name>
    if prefix == "ecr" and "registryid" in flat:
        account = flat["registryid"]  # the algorithm images live in AWS-owned registries
    arn_values = [v for v in flat.values() if v.startswith("arn:")]
    out = []
    required = [t for t, req in info.resource_types if req]
    if not required:
        # no required resource (AddTags, ListTags ...): the resource an ARN parameter names, else *
        for rtype, _ in info.resource_types:
            template = sar.arn_template(prefix, rtype)
            given = next((v for v in arn_values if template and _template_regex(template).match(v)), None)
            if given:
                return [given]
        return ["*"]
    for rtype in required:
        template = sar.arn_template(prefix, rtype)
        if not template:
            continue
        # a parameter that already is this kind of ARN (PolicyArn, ResourceArn, ...)
        given = next((v for v in arn_values if _template_regex(template).match(v)), None)
        arn = given or fill_arn(template, flat, partition, region, account)
        if prefix == "sagemaker" and not given:
            arn = arn.lower()  # SageMaker's ARNs carry resource names in lower case
        out.append(arn)
    return out or ["*"]


@lru_cache(maxsize=2048)
def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"\$\{\w+\}", template)
    return re.compile("^" + "[^:]+".join(re.escape(p) for p in parts) + "$")


def _tags(params: dict[str, Any]) -> dict[str, str]:
    raw = params.get("Tags") or params.get("tags")
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return {str(t.get("Key")): str(t.get("Value", "")) for t in raw if isinstance(t, dict) and "Key" in t}
    return {}


def request_context(
    prefix: str, action: str, params: dict[str, Any], region: str, extra: dict[str, list[str]] | None = None
) -> dict[str, list[str]]:
    """The request context keys AWS sets for this action (only those the reference lists for it)."""
    now = time.time()
    ctx: dict[str, list[str]] = {
        "aws:currenttime": [time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))],
        "aws:epochtime": [str(int(now))],
        "aws:securetransport": ["true"],  # AWS's endpoints are HTTPS
        "aws:requestedregion": [region],
    }
    if sar.carries(prefix, action, "sagemaker:InstanceTypes"):
        types = sorted(set(find_all(params, "InstanceType")))
        if types:
            ctx["sagemaker:instancetypes"] = types
    tags = _tags(params)
    if tags and sar.carries(prefix, action, "aws:TagKeys"):
        ctx["aws:tagkeys"] = sorted(tags)
        for k, v in tags.items():
            ctx[f"aws:requesttag/{k.lower()}"] = [v]
    if extra:
        ctx.update(extra)
    return ctx


#: SageMaker resource types whose tags the context's aws:ResourceTag/* reads -> the backend's dict
SAGEMAKER_TAGGED = {
    "model": "_models",
    "endpoint": "endpoints",
    "endpoint-config": "endpoint_configs",
    "training-job": "training_jobs",
    "transform-job": "transform_jobs",
    "notebook-instance": "notebook_instances",
    "hyper-parameter-tuning-job": "hyper_parameter_tuning_jobs",
    "domain": "domains",
}


def resource_tags(prefix: str, arn: str, account: str, region: str) -> dict[str, str]:
    """The tags of an existing SageMaker resource named by ``arn`` (ARNs carry names in lower case)."""
    if prefix != "sagemaker" or ":" not in arn:
        return {}
    kind, _, name = arn.rsplit(":", 1)[-1].partition("/")
    attr = SAGEMAKER_TAGGED.get(kind)
    if not attr or not name or "*" in name:
        return {}
    try:
        from moto.sagemaker.models import sagemaker_backends

        items = getattr(sagemaker_backends[account][region], attr, {})
        resource = next((r for key, r in list(items.items()) if key.lower() == name.lower()), None)
    except Exception:  # noqa: BLE001 - no backend for the region yet
        return {}
    tags = getattr(resource, "tags", None) or []
    return {str(t["Key"]): str(t.get("Value", "")) for t in tags if isinstance(t, dict) and "Key" in t}


# --------------------------------------------------------------------------------------------------
# Decisions and AWS's refusal
# --------------------------------------------------------------------------------------------------

#: what moto's STS and IAM hand out: a key of this shape that is unknown was deleted or never existed
_ISSUED_KEY = re.compile(r"^(AKIA|ASIA)[A-Z0-9]{16}$")


class InvalidKey(Exception):
    """AWS's answer to a deleted, deactivated or made-up access key of the issued shape."""


#: where a refusal came from -> AWS's wording in the message (IAM User Guide, "Troubleshoot access
#: denied error messages": "... with an explicit deny in a permissions boundary", "... because no
#: session policy allows the ... action")
POLICY_KINDS = {
    "identity-based": ("an identity-based policy", "identity-based policy"),
    "resource-based": ("a resource-based policy", "resource-based policy"),
    "permissions boundary": ("a permissions boundary", "permissions boundary"),
    "session": ("a session policy", "session policy"),
}


class Denied(Exception):
    def __init__(
        self, caller: str | None, action: str, resource: str, explicit: bool, kind: str = "identity-based"
    ) -> None:
        self.caller, self.action, self.resource, self.explicit = caller, action, resource, explicit
        self.kind = kind
        in_a, no = POLICY_KINDS[kind]
        if caller is None:
            message = "Access Denied"
        elif explicit:
            message = (
                f"User: {caller} is not authorized to perform: {action} on resource: {resource} "
                f"with an explicit deny in {in_a}"
            )
        else:
            message = (
                f"User: {caller} is not authorized to perform: {action} on resource: {resource} "
                f"because no {no} allows the {action} action"
            )
        super().__init__(message)
        self.message = message


def _bucket_policy(bucket_name: str, account: str, partition: str) -> list[P.Policy]:
    if not bucket_name or bucket_name == "*":
        return []
    from moto.s3.models import s3_backends

    try:
        bucket = s3_backends[account][partition].buckets.get(bucket_name)
    except Exception:  # noqa: BLE001
        return []
    doc = getattr(bucket, "policy", None) if bucket else None
    if not doc:
        return []
    text = doc.decode() if isinstance(doc, bytes) else str(doc)
    return [P.parse_text(text, f"bucket-policy:{bucket_name}", "resource")]


def _restricts_public(bucket_name: str, account: str, partition: str) -> bool:
    from moto.s3.models import s3_backends

    try:
        bucket = s3_backends[account][partition].buckets.get(bucket_name)
        block = getattr(bucket, "public_access_block", None)
        return bool(block and str(block.restrict_public_buckets).lower() == "true")
    except Exception:  # noqa: BLE001
        return False


def decide(
    who: principals.Principal | None,
    action: str,
    resources: list[str],
    ctx: dict[str, list[str]],
    *,
    bucket: str | None = None,
    account: str = "",
    partition: str = "aws",
) -> None:
    """Raise :class:`Denied` unless ``who`` (None: anonymous) may do ``action`` on every resource."""
    if action.lower() in ALWAYS_ALLOWED:
        return
    full = dict(ctx)
    if who is not None:
        full.update(who.context())
    resource_policies = _bucket_policy(bucket, account, partition) if bucket else []
    caller = who.arn if who else None
    for resource in resources:
        kind, explicit = P.combined(
            who.policies if who else None,
            action,
            resource,
            full,
            boundary=who.boundary if who else None,
            session=who.session if who else None,
            resource_based=resource_policies,
            principal_arn=who.arn if who else None,
            account=who.account if who else None,
            public_blocked=bool(who is None and bucket and _restricts_public(bucket, account, partition)),
        )
        if kind is not None:
            raise Denied(caller, action, resource, explicit, kind)


# --------------------------------------------------------------------------------------------------
# The hook into moto
# --------------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _partition(region: str) -> str:
    from moto.utilities.utils import get_partition

    return get_partition(region)


def _error_response(resp: Any, prefix: str, denied: Denied) -> Exception:
    """AWS's refusal in the protocol of the service that was called."""
    from werkzeug.exceptions import HTTPException

    if prefix == "ec2":
        # EC2's own XML: <Response><Errors><Error><Code>UnauthorizedOperation ... (HTTP 403)
        exc = HTTPException()
        exc.code = 403
        message = f"You are not authorized to perform this operation. {denied.message}"
        exc.description = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
            f"<Code>UnauthorizedOperation</Code><Message>{_xml(message)}</Message></Error></Errors>"
            "<RequestID>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestID></Response>"
        )
        resp.response_headers["Content-Type"] = "text/xml"
        return exc
    try:
        from moto.core.responses import get_service_model

        protocol = get_service_model(resp.boto3_service_name).protocol
    except Exception:  # noqa: BLE001
        protocol = "json"
    if protocol in ("query", "ec2") and not getattr(resp, "request_json", False):
        # IAM, STS: <ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>
        exc = HTTPException()
        exc.code = 403
        exc.description = (
            '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>'
            f"<Code>AccessDenied</Code><Message>{_xml(denied.message)}</Message></Error>"
            "<RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ErrorResponse>"
        )
        resp.response_headers["Content-Type"] = "text/xml"
        return exc
    # JSON and REST-JSON services (SageMaker, Logs, Budgets, ECR, Service Quotas, SageMaker runtime,
    # EFS): {"__type": "AccessDeniedException", "Message": ...}, HTTP 400 (JSON) / 403 (REST-JSON)
    exc = HTTPException()
    exc.code = 403 if protocol == "rest-json" else 400
    exc.description = json.dumps(
        {"__type": "AccessDeniedException", "Message": denied.message, "message": denied.message}
    )
    resp.response_headers["Content-Type"] = "application/x-amz-json-1.1"
    resp.response_headers["x-amzn-ErrorType"] = "AccessDeniedException"
    return exc


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _s3_error(resp: Any, denied: Denied) -> Exception:
    from moto.s3.exceptions import S3ClientError

    class S3AccessDenied(S3ClientError):
        """S3's ``<Error><Code>AccessDenied</Code>`` with HTTP 403 (see ``_error_model``)."""

        kit_status = 403

    return S3AccessDenied("AccessDenied", denied.message)


def _install_error_status() -> None:
    """moto serialises an error that the service model does not list with HTTP 400; S3's
    AccessDenied is 403 (S3 API Reference, "Error responses")."""
    from moto.core import serialize
    from moto.core.errors import ErrorShape

    original = serialize.get_error_model

    def get_error_model(exception: Exception, service_model: Any) -> Any:
        status = getattr(exception, "kit_status", None)
        if status is None:
            return original(exception, service_model)
        code = getattr(exception, "code", exception.__class__.__name__)
        return ErrorShape(
            shape_name=code,
            shape_model={
                "exception": True,
                "type": "structure",
                "members": {},
                "error": {"code": code, "httpStatusCode": status, "senderFault": True},
            },
        )

    serialize.get_error_model = get_error_model


def _install_s3_anonymous_refusal() -> None:
    """moto refuses an unsigned GET of an object that no bucket policy or ACL makes public with an
    empty 403 before any handler runs; AWS answers with S3's AccessDenied error document."""
    from moto.s3.exceptions import S3ClientError
    from moto.s3.responses import S3Response

    class S3AnonymousDenied(S3ClientError):
        kit_status = 403

    original = S3Response._key_response

    def _key_response(self: Any, request: Any, full_url: str) -> Any:
        result = original(self, request, full_url)
        if isinstance(result, tuple) and len(result) == 3 and result[0] == 403 and not result[2]:
            raise S3AnonymousDenied("AccessDenied", "Access Denied")
        return result

    S3Response._key_response = _key_response  # type: ignore[method-assign]


def _invalid_key(resp: Any, is_s3: bool, signing: str) -> Exception:
    from werkzeug.exceptions import HTTPException

    if is_s3:
        from moto.s3.exceptions import S3ClientError

        class S3InvalidKey(S3ClientError):
            kit_status = 403

        return S3InvalidKey(
            "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
        )
    exc = HTTPException()
    exc.code = 403 if signing in ("iam", "sts", "ec2") else 400
    code, message = "InvalidClientTokenId", "The security token included in the request is invalid."
    if signing == "ec2":
        code, message = "AuthFailure", "AWS was not able to validate the provided access credentials"
        exc.code = 401
    try:
        from moto.core.responses import get_service_model

        protocol = get_service_model(resp.boto3_service_name).protocol
    except Exception:  # noqa: BLE001
        protocol = "json"
    if protocol in ("query", "ec2"):
        exc.description = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
            f"<Message>{message}</Message></Error><RequestId>0</RequestId></ErrorResponse>"
        )
        if signing == "ec2":
            exc.description = (
                f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
                "</Error></Errors><RequestID>0</RequestID></Response>"
            )
        resp.response_headers["Content-Type"] = "text/xml"
    else:
        code = "UnrecognizedClientException"
        exc.description = json.dumps({"__type": code, "message": message})
        resp.response_headers["Content-Type"] = "application/x-amz-json-1.1"
        resp.response_headers["x-amzn-ErrorType"] = code
    return exc


def source_ip(resp: Any) -> dict[str, list[str]]:
    """``aws:SourceIp``: the address the request came from (the embedded AWS listens on loopback, so
    a request from this machine is 127.0.0.1; AWS sets the key on every request, IAM User Guide
    "AWS global condition context keys")."""
    request = getattr(resp, "normalized_request", None) or getattr(resp, "request", None)
    addr = getattr(request, "remote_addr", None) or "127.0.0.1"
    return {"aws:sourceip": [str(addr)]}


def authorize(resp: Any, iam_request_cls: type, resource: str = "*") -> None:
    """Replacement for moto's ``ActionAuthenticatorMixin._authenticate_and_authorize_action``."""
    if not enabled():
        return
    headers = resp.headers
    query = urlparse(resp.uri).query if getattr(resp, "uri", None) else ""
    is_s3 = iam_request_cls.__name__ == "S3IAMRequest"
    cred = credential(headers, query)
    account = resp.current_account
    if cred is None:
        if not is_s3:
            return  # unsigned calls to other services (AWS: MissingAuthenticationToken): not enforced
        who = None
        region = resp.region
        prefix = "s3"
    else:
        key_id, region, signing = cred
        who = principals.lookup(account, _partition(region), key_id)
        if who is None:
            if _ISSUED_KEY.match(key_id) and not principals.is_root_key(key_id):
                raise _invalid_key(resp, is_s3, signing)
            return  # the bootstrapping principal
        prefix = SIGNING_TO_PREFIX.get(signing, signing)
    partition = _partition(region)
    if is_s3:
        prefix = "s3"
        name = resp.data.get("Action") or "ListAllMyBuckets"
        action = f"s3:{S3_ACTION_NAMES.get(name, name)}"
        if resource.endswith(":::*"):
            resource = "*"  # ListAllMyBuckets acts on no bucket
        bucket = resource.split(":::", 1)[-1].split("/", 1)[0] if ":::" in resource else None
        qs = getattr(resp, "querystring", {}) or {}
        ctx = request_context("s3", action.split(":")[1], {}, region, source_ip(resp))
        if "prefix" in qs and sar.carries("s3", action.split(":")[1], "s3:prefix"):
            ctx["s3:prefix"] = [qs["prefix"][0]]
        elif sar.carries("s3", action.split(":")[1], "s3:prefix") and bucket:
            ctx["s3:prefix"] = [""]  # ListObjects without a prefix
        try:
            decide(who, action, [resource], ctx, bucket=bucket, account=account, partition=partition)
        except Denied as denied:
            raise _s3_error(resp, denied) from None
        return
    op = resp._get_action()
    if isinstance(op, list):
        op = op[0]
    params = request_params(resp)
    params.update(path_params(resp, op))
    op = OPERATION_TO_ACTION.get((prefix, op), op)
    info = sar.action(prefix, op)
    action = f"{prefix}:{info.name if info else op}"
    resources = resources_for(prefix, op, params, region, account, partition)
    ctx = request_context(prefix, op, params, region, source_ip(resp))
    if sar.carries(prefix, op, "aws:ResourceTag/x"):
        for key, value in resource_tags(prefix, resources[0], account, region).items():
            ctx[f"aws:resourcetag/{key.lower()}"] = [value]
            ctx[f"{prefix}:resourcetag/{key.lower()}"] = [value]
    try:
        decide(who, action, resources, ctx, account=account, partition=partition)
        if prefix == "sagemaker" and op.startswith("Create") and _tags(params):
            # tags given at creation are authorised as sagemaker:AddTags on the new resource, with
            # sagemaker:TaggingAction = the creating call (Service Authorization Reference, Amazon
            # SageMaker AI: "Filters access by the API actions to which a user can apply tags. Uses the
            # name of the API operation that creates a taggable resource")
            tag_ctx = {**ctx, "sagemaker:taggingaction": [op]}
            decide(who, "sagemaker:AddTags", resources[:1], tag_ctx, account=account, partition=partition)
        if prefix not in ("iam", "sts"):
            for role_arn in sorted(set(find_all(params, *PASSED_ROLE_PARAMS))):
                if ":role/" in role_arn:
                    pass_ctx = request_context(
                        "iam",
                        "PassRole",
                        {},
                        region,
                        {"iam:passedtoservice": [f"{prefix}.amazonaws.com"], **source_ip(resp)},
                    )
                    decide(who, "iam:PassRole", [role_arn], pass_ctx, account=account, partition=partition)
        if action.lower() == "sts:assumerole":
            _check_trust(who, params.get("RoleArn", ""), account, partition)
    except Denied as denied:
        raise _error_response(resp, prefix, denied) from None
    if prefix == "sagemaker" and op in SAGEMAKER_ASSUMES:
        for role_arn in _roles_sagemaker_assumes(op, params, account, region):
            if not sagemaker_can_assume(role_arn, account, partition):
                raise _validation_error(resp, CANNOT_ASSUME.format(role_arn=role_arn))


#: SageMaker calls after which SageMaker itself assumes a role: the call's RoleArn/ExecutionRoleArn, or
#: (CreateTransformJob) the model's. AWS refuses them up front when the role does not exist or does
#: not trust sagemaker.amazonaws.com, with this ValidationException (as AWS words it for
#: CreateTrainingJob and CreateTransformJob, e.g. awslabs/predictive-maintenance-using-machine-learning
#: issue 3: "An error occurred (ValidationException) when calling the CreateTransformJob operation:
#: Could not assume role arn:aws:iam::XXX:role/.... Please ensure that the role exists and allows
#: principal 'sagemaker.amazonaws.com' to assume the role.")
SAGEMAKER_ASSUMES = frozenset(
    {
        "CreateTrainingJob",
        "CreateHyperParameterTuningJob",
        "CreateModel",
        "CreateTransformJob",
        "CreateProcessingJob",
    }
)
CANNOT_ASSUME = (
    "Could not assume role {role_arn}. Please ensure that the role exists and allows principal "
    "'sagemaker.amazonaws.com' to assume the role."
)


def _roles_sagemaker_assumes(op: str, params: dict[str, Any], account: str, region: str) -> list[str]:
    if op != "CreateTransformJob":
        return sorted({r for r in find_all(params, "RoleArn", "ExecutionRoleArn") if ":role/" in r})
    try:
        from moto.sagemaker.models import sagemaker_backends

        model = sagemaker_backends[account][region].describe_model(params.get("ModelName", ""))
    except Exception:  # noqa: BLE001 - no such model: SageMaker's own error follows
        return []
    role = getattr(model, "execution_role_arn", None)
    return [role] if role else []


def sagemaker_can_assume(role_arn: str, account: str, partition: str) -> bool:
    """Whether the role exists in the account and its trust policy lets sagemaker.amazonaws.com
    assume it."""
    from moto.iam.models import iam_backends

    if role_arn.split(":")[4:5] != [account]:
        return True  # another account's role: its trust is that account's business here
    try:
        role = iam_backends[account][partition].get_role_by_arn(role_arn)
    except Exception:  # noqa: BLE001 - no such role
        return False
    doc = role.assume_role_policy_document
    trust = P.parse_text(doc if isinstance(doc, str) else json.dumps(doc), f"trust:{role.name}", "resource")
    decision = P.evaluate(
        [trust], "sts:AssumeRole", role_arn, {}, principal_arn="sagemaker.amazonaws.com", account=None
    )
    return decision.allowed


def _validation_error(resp: Any, message: str) -> Exception:
    from werkzeug.exceptions import HTTPException

    exc = HTTPException()
    exc.code = 400
    exc.description = json.dumps({"__type": "ValidationException", "Message": message, "message": message})
    resp.response_headers["Content-Type"] = "application/x-amz-json-1.1"
    resp.response_headers["x-amzn-ErrorType"] = "ValidationException"
    return exc


def _check_trust(who: principals.Principal, role_arn: str, account: str, partition: str) -> None:
    """AssumeRole also needs the role's trust policy to name the caller (or its account)."""
    from moto.iam.models import iam_backends

    try:
        role = iam_backends[account][partition].get_role_by_arn(role_arn)
    except Exception:  # noqa: BLE001 - moto answers NoSuchEntity itself
        return
    trust = P.parse_text(
        role.assume_role_policy_document
        if isinstance(role.assume_role_policy_document, str)
        else json.dumps(role.assume_role_policy_document),
        f"trust:{role.name}",
        "resource",
    )
    ctx = dict(who.context())
    decision = P.evaluate(
        [trust], "sts:AssumeRole", role_arn, ctx, principal_arn=who.arn, account=who.account
    )
    if not decision.allowed:
        raise Denied(
            who.arn, "sts:AssumeRole", role_arn, decision.decision == "explicitDeny", "resource-based"
        )


def install() -> None:
    """Replace moto's authorisation step; drop cached principals around IAM and STS writes."""
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.iam.responses import IamResponse
    from moto.s3 import responses as s3_responses
    from moto.sts.responses import TokenResponse

    if getattr(ActionAuthenticatorMixin, "_kit_enforcing", False):
        return

    def _authenticate_and_authorize_action(self: Any, iam_request_cls: type, resource: str = "*") -> None:
        authorize(self, iam_request_cls, resource)

    ActionAuthenticatorMixin._authenticate_and_authorize_action = _authenticate_and_authorize_action  # type: ignore[method-assign]
    ActionAuthenticatorMixin._kit_enforcing = True  # type: ignore[attr-defined]

    for (kind, method), extra in S3_EXTRA_ACTIONS.items():
        s3_responses.ACTION_MAP[kind][method].update(extra)

    for cls in (IamResponse, TokenResponse):
        original = cls.call_action

        def call_action(self: Any, _original: Any = original) -> Any:
            op = self._get_action() or ""
            read_only = op.startswith(("Get", "List", "Simulate", "Generate"))
            if not read_only:
                principals.invalidate()
            try:
                return _original(self)
            finally:
                if not read_only:
                    principals.invalidate()

        cls.call_action = call_action  # type: ignore[method-assign]

    original_assume = TokenResponse.assume_role

    def assume_role(self: Any) -> Any:
        # moto keeps AssumeRole's Policy but drops PolicyArns: keep them on the session (session
        # policies, IAM User Guide "Session policies")
        result = original_assume(self)
        qs = getattr(self, "querystring", None) or {}
        arns = [
            qs[k][0]
            for k in sorted(qs, key=lambda k: int(re.sub(r"\D", "", k) or 0))
            if re.match(r"^PolicyArns\.member\.\d+\.arn$", k, re.IGNORECASE)
        ]
        session = (getattr(result, "result", None) or {}).get("Credentials")
        if arns and session is not None:
            session.kit_policy_arns = arns
            principals.invalidate()
        return result

    TokenResponse.assume_role = assume_role  # type: ignore[method-assign]

    from moto.moto_api._internal.models import MotoAPIBackend

    original_reset = MotoAPIBackend.reset

    def reset(self: Any) -> None:
        original_reset(self)
        principals.invalidate()

    MotoAPIBackend.reset = reset  # type: ignore[method-assign]
    _install_error_status()
    _install_s3_anonymous_refusal()
    sar.preload()
