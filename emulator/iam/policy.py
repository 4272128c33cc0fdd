"""AWS's policy evaluation logic for identity-based policies and S3 bucket policies.

What is evaluated (IAM User Guide, "Policy evaluation logic" and "IAM JSON policy elements"):

- ``Effect`` Allow/Deny, ``Action``/``NotAction`` (case-insensitive, ``*`` and ``?``),
  ``Resource``/``NotResource`` (case-sensitive wildcards, policy variables ``${aws:username}`` ...),
  ``Principal``/``NotPrincipal`` for resource-based policies (``*``, ``{"AWS": ...}``);
- an explicit deny wins over any allow; without an allow the request is implicitly denied; a
  permissions boundary and session policies limit the identity-based allow (:func:`combined`);
- ``Condition``: every operator family AWS defines except Binary (String*, Arn*, Bool, Null,
  Numeric*, Date*, ``IpAddress``/``NotIpAddress`` over CIDR ranges, IPv4 and IPv6), the
  ``...IfExists`` suffix and the ``ForAnyValue:``/``ForAllValues:`` set qualifiers. A key missing
  from the request context makes an operator false, a negated operator (``StringNotLike``,
  ``ArnNotEquals`` ...) true ("Condition operators", the box "If the key that you specify in a
  policy condition is not present in the request context"); ``ForAllValues`` is true and
  ``ForAnyValue`` false over a missing key ("Set operators for multivalued context keys");
  operators AND, keys AND, values OR (NOR for negated operators).

A parsed document is a :class:`Policy`; parsing is cached by the document's text, so a principal's
policies are parsed once and evaluated per request.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

#: A request context: lower-cased key -> list of string values (single-valued keys: one element).
Context = Mapping[str, list[str]]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


_LITERAL = {"\x01": re.escape("*"), "\x02": re.escape("?")}


@lru_cache(maxsize=8192)
def _glob(glob: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else _LITERAL.get(c) or re.escape(c) for c in glob)
    return re.compile(f"^{regex}$", (re.IGNORECASE | re.DOTALL) if ignore_case else re.DOTALL)


_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def substitute(text: str, context: Context, *, for_glob: bool) -> str | None:
    """Replace policy variables (``${aws:username}``, ``${*}``); None when one has no value.

    AWS: a variable without a value in the request context makes the element not match
    (IAM User Guide, "IAM policy elements: Variables and tags").
    """
    if "${" not in text:
        return text
    missing = False

    def repl(m: re.Match[str]) -> str:
        nonlocal missing
        name = m.group(1)
        if name in ("*", "?", "$"):
            # ${*} ${?} ${$} are the literal characters
            return {"*": "\x01", "?": "\x02"}.get(name, name) if for_glob else name
        key, _, default = name.partition(",")
        values = context.get(key.strip().lower())
        if values:
            return values[0]
        if default:
            return default.strip().strip("'")
        missing = True
        return ""

    out = _VARIABLE.sub(repl, text)
    return None if missing else out


def _glob_match(pattern: str, value: str, ignore_case: bool, context: Context) -> bool:
    if "${" in pattern:
        sub = substitute(pattern, context, for_glob=True)
        if sub is None:
            return False
        pattern = sub
    return _glob(pattern, ignore_case).match(value) is not None


# --------------------------------------------------------------------------------------------------
# Condition operators
# --------------------------------------------------------------------------------------------------


def _parse_date(text: str) -> float | None:
    try:
        return float(text)  # epoch seconds are accepted too
    except ValueError:
        pass
    try:
        return _dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _num(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _cmp(kind: str, op: str):  # noqa: ANN202 - returns a two-argument predicate
    conv = _num if kind == "num" else _parse_date

    def pred(value: str, wanted: str, _ctx: Context) -> bool:
        a, b = conv(value), conv(wanted)
        if a is None or b is None:
            return False
        return {"eq": a == b, "lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[op]

    return pred


def _arn_like(value: str, wanted: str, ctx: Context) -> bool:
    # ArnLike compares the six colon-separated parts, each with wildcards (case-sensitive)
    vparts, wparts = value.split(":", 5), wanted.split(":", 5)
    if len(vparts) != 6 or len(wparts) != 6:
        return False
    return all(_glob_match(w, v, False, ctx) for v, w in zip(vparts, wparts, strict=True))


def _in_network(value: str, wanted: str, _ctx: Context) -> bool:
    # IpAddress: the request's address inside the policy's CIDR range (a bare address is a /32 or /128)
    try:
        return ipaddress.ip_address(value.strip()) in ipaddress.ip_network(wanted.strip(), strict=False)
    except ValueError:
        return False


#: base operator name (lower) -> (predicate(value, policy_value, context), negated)
def _str_eq(value: str, wanted: str, ctx: Context) -> bool:
    return value == (substitute(wanted, ctx, for_glob=False) or "\x00")


def _str_eq_ci(value: str, wanted: str, ctx: Context) -> bool:
    return value.lower() == (substitute(wanted, ctx, for_glob=False) or "\x00").lower()


_OPERATORS: dict[str, tuple[Any, bool]] = {
    "stringequals": (_str_eq, False),
    "stringnotequals": (_str_eq, True),
    "stringequalsignorecase": (_str_eq_ci, False),
    "stringnotequalsignorecase": (_str_eq_ci, True),
    "stringlike": (lambda v, w, c: _glob_match(w, v, False, c), False),
    "stringnotlike": (lambda v, w, c: _glob_match(w, v, False, c), True),
    "arnequals": (_arn_like, False),
    "arnlike": (_arn_like, False),
    "arnnotequals": (_arn_like, True),
    "arnnotlike": (_arn_like, True),
    "bool": (lambda v, w, c: v.lower() == str(w).lower(), False),
    "numericequals": (_cmp("num", "eq"), False),
    "numericnotequals": (_cmp("num", "eq"), True),
    "numericlessthan": (_cmp("num", "lt"), False),
    "numericlessthanequals": (_cmp("num", "le"), False),
    "numericgreaterthan": (_cmp("num", "gt"), False),
    "numericgreaterthanequals": (_cmp("num", "ge"), False),
    "dateequals": (_cmp("date", "eq"), False),
    "datenotequals": (_cmp("date", "eq"), True),
    "datelessthan": (_cmp("date", "lt"), False),
    "datelessthanequals": (_cmp("date", "le"), False),
    "dategreaterthan": (_cmp("date", "gt"), False),
    "dategreaterthanequals": (_cmp("date", "ge"), False),
    "ipaddress": (_in_network, False),
    "notipaddress": (_in_network, True),
}


class UnsupportedCondition(ValueError):
    """An operator this evaluator does not implement (Binary*): refuse, never guess."""


@dataclass(frozen=True)
class Condition:
    operator: str  # as written, e.g. "ForAnyValue:StringNotLike"
    key: str  # lower-cased
    values: tuple[str, ...]
    name: str = ""  # the key as written (MissingContextValues)

    def holds(self, ctx: Context) -> bool:
        name = self.operator
        qualifier = ""
        if ":" in name:
            qualifier, name = name.split(":", 1)
            qualifier = qualifier.lower()
        base = name.lower()
        if_exists = base.endswith("ifexists")
        if if_exists:
            base = base[: -len("ifexists")]
        present = ctx.get(self.key)
        if base == "null":
            # Null: "true" -> the key must be absent, "false" -> present
            want_absent = any(str(v).lower() == "true" for v in self.values)
            return (not present) == want_absent
        if base not in _OPERATORS:
            raise UnsupportedCondition(f"condition operator {self.operator} is not supported")
        pred, negated = _OPERATORS[base]
        if not present:
            if if_exists:
                return True
            if qualifier == "forallvalues":
                return True
            if qualifier == "foranyvalue":
                return False
            return negated

        def one(value: str) -> bool:
            hit = any(pred(value, str(w), ctx) for w in self.values)
            return not hit if negated else hit

        if qualifier == "forallvalues":
            return all(one(v) for v in present)
        # single-valued operators and ForAnyValue: any request value satisfies the operator
        return any(one(v) for v in present)


# --------------------------------------------------------------------------------------------------
# Statements and policies
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    sid: str
    effect: str  # Allow | Deny
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...] | None  # None: no Resource element (resource-based policies)
    not_resource: bool
    principals: tuple[str, ...] | None  # resource-based policies: "*" or ARNs / account ids
    not_principal: bool
    conditions: tuple[Condition, ...]
    index: int

    def matches_action(self, action: str, ctx: Context) -> bool:
        hit = any(_glob_match(p, action, True, ctx) for p in self.actions)
        return not hit if self.not_action else hit

    def matches_resource(self, resource: str, ctx: Context) -> bool:
        if self.resources is None:
            return True
        hit = any(_glob_match(p, resource, False, ctx) for p in self.resources)
        return not hit if self.not_resource else hit

    def matches_principal(self, principal_arn: str | None, account: str | None) -> bool:
        if self.principals is None:
            return True
        hit = False
        for p in self.principals:
            if p == "*":
                hit = True
            elif principal_arn is not None and (
                p == principal_arn or p == account or p == f"arn:aws:iam::{account}:root"
            ):
                hit = True
        return not hit if self.not_principal else hit

    def conditions_hold(self, ctx: Context) -> bool:
        return all(c.holds(ctx) for c in self.conditions)


def _principals(value: Any) -> tuple[str, ...]:
    if value == "*":
        return ("*",)
    if isinstance(value, Mapping):
        out: list[str] = []
        for kind, ids in value.items():
            for i in _as_list(ids):
                out.append("*" if (kind == "AWS" and i == "*") else str(i))
        return tuple(out)
    return tuple(str(v) for v in _as_list(value))


@dataclass(frozen=True)
class Policy:
    """A parsed policy document and where it came from (for SimulatePrincipalPolicy)."""

    source_id: str
    source_type: str
    statements: tuple[Statement, ...]
    document: dict[str, Any] = field(compare=False, hash=False, repr=False)


def load_document(doc: Any) -> dict[str, Any]:
    if isinstance(doc, dict):
        return doc
    from urllib.parse import unquote

    text = doc.decode() if isinstance(doc, bytes) else str(doc)
    try:
        return json.loads(text)  # type: ignore[no-any-return]
    except json.JSONDecodeError:
        return json.loads(unquote(text))  # type: ignore[no-any-return]


def parse(document: dict[str, Any], source_id: str = "", source_type: str = "none") -> Policy:
    raw = document.get("Statement", [])
    if isinstance(raw, dict):
        raw = [raw]
    statements = []
    for i, s in enumerate(raw):
        conds = []
        for op, block in (s.get("Condition") or {}).items():
            for key, values in block.items():
                conds.append(Condition(op, key.lower(), tuple(str(v) for v in _as_list(values)), key))
        has_res = "Resource" in s or "NotResource" in s
        has_pr = "Principal" in s or "NotPrincipal" in s
        statements.append(
            Statement(
                sid=str(s.get("Sid", "")),
                effect=str(s.get("Effect", "")),
                actions=tuple(str(a) for a in _as_list(s.get("NotAction", s.get("Action")))),
                not_action="NotAction" in s,
                resources=(
                    tuple(str(r) for r in _as_list(s.get("NotResource", s.get("Resource"))))
                    if has_res
                    else None
                ),
                not_resource="NotResource" in s,
                principals=_principals(s.get("NotPrincipal", s.get("Principal"))) if has_pr else None,
                not_principal="NotPrincipal" in s,
                conditions=tuple(conds),
                index=i,
            )
        )
    return Policy(source_id, source_type, tuple(statements), document)


@lru_cache(maxsize=4096)
def parse_text(text: str, source_id: str = "", source_type: str = "none") -> Policy:
    """Parse a document given as JSON text (cached: the same text is parsed once)."""
    return parse(load_document(text), source_id, source_type)


# --------------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------------

_TEMPLATE_FREE: frozenset[str] = frozenset()


@dataclass
class Decision:
    decision: str  # allowed | explicitDeny | implicitDeny
    allowed_by: list[tuple[Policy, Statement]] = field(default_factory=list)
    denied_by: list[tuple[Policy, Statement]] = field(default_factory=list)
    missing_keys: set[str] = field(default_factory=set)

    @property
    def allowed(self) -> bool:
        return self.decision == "allowed"


def _condition_keys(stmt: Statement) -> Iterable[tuple[str, str]]:
    return ((c.key, c.name or c.key) for c in stmt.conditions)


def evaluate(
    policies: Iterable[Policy],
    action: str,
    resource: str,
    context: Context,
    *,
    principal_arn: str | None = None,
    account: str | None = None,
) -> Decision:
    """Decide ``action`` on ``resource`` under ``policies`` (all identity-based or all resource-based)."""
    out = Decision("implicitDeny")
    for policy in policies:
        for stmt in policy.statements:
            if not stmt.matches_action(action, context) or not stmt.matches_resource(resource, context):
                continue
            if not stmt.matches_principal(principal_arn, account):
                continue
            for key, name in _condition_keys(stmt):
                if key not in context and key.split("/", 1)[0] not in _TEMPLATE_FREE:
                    out.missing_keys.add(name)
            if stmt.conditions and not stmt.conditions_hold(context):
                continue
            (out.denied_by if stmt.effect == "Deny" else out.allowed_by).append((policy, stmt))
    if out.denied_by:
        out.decision = "explicitDeny"
    elif out.allowed_by:
        out.decision = "allowed"
    return out


def combined(
    identity: Iterable[Policy] | None,
    action: str,
    resource: str,
    context: Context,
    *,
    boundary: Iterable[Policy] | None = None,
    session: Iterable[Policy] | None = None,
    resource_based: Iterable[Policy] = (),
    principal_arn: str | None = None,
    account: str | None = None,
    public_blocked: bool = False,
) -> tuple[str | None, bool]:
    """AWS's decision for one request within one account: (None, False) when allowed, else
    (the kind of policy that refused, whether the deny was explicit).

    IAM User Guide, "Policy evaluation logic" and "How AWS enforcement code logic evaluates requests
    to allow or deny access" (https://docs.aws.amazon.com/IAM/latest/UserGuide/
    reference_policies_evaluation-logic_policy-eval-denyallow.html):

    1. an explicit deny in any policy that applies (identity-based, resource-based, the principal's
       permissions boundary, the session policies of a role session) ends with a deny;
    2. an allow in a resource-based policy (here: an S3 bucket policy) that names the principal
       allows, within the account, without the identity-based policies (an implicit deny in a
       permissions boundary or a session policy does not limit a resource-based policy that names
       the user or role);
    3. otherwise the identity-based policies must allow, AND the permissions boundary when the user
       or role has one, AND the session policies when the session was given some (AssumeRole
       ``Policy``/``PolicyArns``: "the resulting session's permissions are the intersection of the
       role's identity-based policies and the session policies").

    ``identity`` None: the anonymous principal (only a resource-based policy can allow it);
    ``public_blocked``: S3 RestrictPublicBuckets ignores a public bucket policy's allow.
    """
    ident = (
        evaluate(identity, action, resource, context) if identity is not None else Decision("implicitDeny")
    )
    bound = evaluate(boundary, action, resource, context) if boundary is not None else None
    sess = evaluate(session, action, resource, context) if session is not None else None
    res = Decision("implicitDeny")
    resource_based = list(resource_based)
    if resource_based:
        res = evaluate(
            resource_based, action, resource, context, principal_arn=principal_arn, account=account
        )
    for kind, d in (
        ("identity-based", ident),
        ("resource-based", res),
        ("permissions boundary", bound),
        ("session", sess),
    ):
        if d is not None and d.decision == "explicitDeny":
            return kind, True
    if res.allowed and not (identity is None and public_blocked):
        return None, False
    if not ident.allowed:
        return "identity-based", False
    if bound is not None and not bound.allowed:
        return "permissions boundary", False
    if sess is not None and not sess.allowed:
        return "session", False
    return None, False
