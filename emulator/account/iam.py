"""IAM as AWS behaves, added to moto's ``IamResponse``.

- DeleteUser refuses (``DeleteConflict``) while the user has a login profile, access keys, signing
  certificates, SSH keys, service-specific credentials, MFA devices, inline or attached policies or
  group memberships; DeleteGroup while the group has members or policies (moto deleted anyway;
  DeleteRole already refuses in moto).
- CreateLoginProfile keeps ``PasswordResetRequired`` (moto dropped it).
- SimulatePrincipalPolicy answers from the principal's policies with the evaluator that enforces
  permissions (``emulator.iam.policy``), Conditions decided from ContextEntries, the user's or role's
  permissions boundary (or ``PermissionsBoundaryPolicyInputList``) limiting the allow.
- A user's permissions boundary (CreateUser ``PermissionsBoundary``, Put/DeleteUserPermissionsBoundary,
  shown by GetUser): moto keeps only a role's; the enforcement evaluates both
  (``emulator.iam.principals.boundary_of``).
- List/Create/DeleteServiceSpecificCredential(s), which Terraform's aws_iam_user force_destroy
  lists. Credentials live on the IAM backend (``kit_service_credentials``), so a reset clears them.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.iam.exceptions import DeleteConflictException, InvalidInput, NoSuchEntity
from moto.iam.models import IAMBackend, User
from moto.iam.responses import IamResponse

from emulator.iam import principals
from emulator.iam.policy import Policy, evaluate, load_document, parse

SERVICES_WITH_CREDENTIALS = ("codecommit.amazonaws.com", "cassandra.amazonaws.com", "bedrock.amazonaws.com")


# --- state -------------------------------------------------------------------------------------------
def _credentials(backend: IAMBackend) -> dict[str, list[dict[str, Any]]]:
    """Service-specific credentials by user name, kept on the backend (cleared by a reset)."""
    store = getattr(backend, "kit_service_credentials", None)
    if store is None:
        store = {}
        backend.kit_service_credentials = store  # type: ignore[attr-defined]
    return store


# --- delete conflicts -------------------------------------------------------------------------------
def user_delete_conflict(backend: IAMBackend, user: User) -> str | None:
    """AWS's reason for refusing DeleteUser, or None."""
    if user.password:
        return "Cannot delete entity, must delete login profile first."
    if user.access_keys:
        return "Cannot delete entity, must delete access keys first."
    if user.signing_certificates:
        return "Cannot delete entity, must delete signing certificates first."
    if user.ssh_public_keys:
        return "Cannot delete entity, must delete SSH public keys first."
    if _credentials(backend).get(user.name):
        return "Cannot delete entity, must delete service specific credentials first."
    if user.mfa_devices:
        return "Cannot delete entity, must delete MFA device first."
    if user.policies:
        return "Cannot delete entity, must delete policies first."
    if user.managed_policies:
        return "Cannot delete entity, must detach all policies first."
    if backend.get_groups_for_user(user.name):
        return "Cannot delete entity, must remove user from all groups first."
    return None


def delete_user(self: IamResponse) -> ActionResult:
    user = self.backend.get_user(self._get_param("UserName"))
    reason = user_delete_conflict(self.backend, user)
    if reason:
        raise DeleteConflictException(reason)
    self.backend.delete_user(user.name)
    return EmptyResult()


def delete_group(self: IamResponse) -> ActionResult:
    group = self.backend.get_group(self._get_param("GroupName"))
    if group.users:
        raise DeleteConflictException("Cannot delete entity, must remove users from group first.")
    if group.policies:
        raise DeleteConflictException("Cannot delete entity, must delete policies first.")
    if group.managed_policies:
        raise DeleteConflictException("Cannot delete entity, must detach all policies first.")
    self.backend.delete_group(group.name)
    return EmptyResult()


# --- login profile -----------------------------------------------------------------------------------
def create_login_profile(self: IamResponse) -> ActionResult:
    user = self.backend.create_login_profile(self._get_param("UserName"), self._get_param("Password"))
    user.password_reset_required = bool(self._get_param("PasswordResetRequired"))
    return ActionResult(
        {
            "LoginProfile": {
                "UserName": user.name,
                "CreateDate": user.create_date,
                "PasswordResetRequired": user.password_reset_required,
            }
        }
    )


# --- a user's permissions boundary ----------------------------------------------------------------------
def _set_user_boundary(backend: IAMBackend, user: User, arn: str | None) -> None:
    if arn and not backend.policy_arn_regex.match(arn):
        raise InvalidInput(f"ARN {arn} is not valid.")
    if arn:
        backend.get_policy(arn)  # NoSuchEntity for a policy that does not exist, as AWS answers
    user.permissions_boundary_arn = arn  # type: ignore[attr-defined]
    # GetUser's User.PermissionsBoundary (moto's serializer reads the attribute of that name)
    user.permissions_boundary = (  # type: ignore[attr-defined]
        {"PermissionsBoundaryType": "PermissionsPolicy", "PermissionsBoundaryArn": arn} if arn else None
    )
    principals.invalidate()


_moto_create_user = IamResponse.create_user


def create_user(self: IamResponse) -> ActionResult:
    boundary = self._get_param("PermissionsBoundary")
    if boundary and not self.backend.policy_arn_regex.match(boundary):
        raise InvalidInput(f"ARN {boundary} is not valid.")
    result = _moto_create_user(self)
    if boundary:
        _set_user_boundary(self.backend, self.backend.get_user(self._get_param("UserName")), boundary)
    return result


def put_user_permissions_boundary(self: IamResponse) -> ActionResult:
    user = self.backend.get_user(self._get_param("UserName"))
    _set_user_boundary(self.backend, user, self._get_param("PermissionsBoundary"))
    return EmptyResult()


def delete_user_permissions_boundary(self: IamResponse) -> ActionResult:
    _set_user_boundary(self.backend, self.backend.get_user(self._get_param("UserName")), None)
    return EmptyResult()


# --- SimulatePrincipalPolicy ---------------------------------------------------------------------------
def principal_policies(backend: IAMBackend, arn: str) -> list[Policy]:
    """Every policy that applies to the user, role or group named by ``arn``."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam":
        raise InvalidInput(f"Invalid ARN: {arn}")
    kind, _, rest = parts[5].partition("/")
    name = rest.rsplit("/", 1)[-1]
    if kind == "user":
        return principals.user_policies(backend, name)
    if kind == "role":
        return principals.role_policies(backend, name)
    if kind == "group":
        return principals.group_policies(backend.get_group(name))
    raise InvalidInput(f"Invalid principal ARN for simulation: {arn}")


def _boundary(backend: IAMBackend, arn: str) -> list[Policy] | None:
    """The permissions boundary of the user or role named by ``arn`` (None: none, or a group)."""
    kind, _, rest = arn.split(":", 5)[5].partition("/")
    name = rest.rsplit("/", 1)[-1]
    if kind == "user":
        return principals.boundary_of(backend, backend.get_user(name))
    if kind == "role":
        return principals.boundary_of(backend, backend.get_role(name))
    return None


def _context(entries: list[dict[str, Any]] | None) -> dict[str, list[str]]:
    """ContextEntries -> the evaluator's request context (lower-cased keys, string values)."""
    ctx: dict[str, list[str]] = {}
    for entry in entries or []:
        values = entry.get("ContextKeyValues") or []
        ctx[str(entry.get("ContextKeyName", "")).lower()] = [str(v) for v in values]
    return ctx


def _result(
    policies: list[Policy],
    action: str,
    resource: str,
    ctx: dict[str, list[str]],
    boundary: list[Policy] | None = None,
) -> dict[str, Any]:
    decision = evaluate(policies, action, resource, ctx)
    matched = decision.denied_by if decision.decision == "explicitDeny" else decision.allowed_by
    result = {
        "EvalActionName": action,
        "EvalResourceName": resource,
        "EvalDecision": decision.decision,
        "MatchedStatements": [
            {"SourcePolicyId": p.source_id, "SourcePolicyType": p.source_type} for p, _ in matched
        ],
        "MissingContextValues": sorted(decision.missing_keys),
    }
    if boundary is not None:
        # the permissions boundary limits the identity-based allow (EvaluationResult's
        # PermissionsBoundaryDecisionDetail, IAM API Reference)
        bound = evaluate(boundary, action, resource, ctx)
        result["PermissionsBoundaryDecisionDetail"] = {"AllowedByPermissionsBoundary": bound.allowed}
        if decision.decision == "allowed" and not bound.allowed:
            result["EvalDecision"] = bound.decision
    return result


def _page(items: list[Any], marker: str | None, max_items: int | None) -> tuple[list[Any], str | None]:
    start = int(marker) if marker and marker.isdigit() else 0
    size = int(max_items or 100)
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def simulate_principal_policy(self: IamResponse) -> ActionResult:
    source = self._get_param("PolicySourceArn")
    policies = principal_policies(self.backend, source)
    for i, doc in enumerate(self._get_param("PolicyInputList") or []):
        policies.append(parse(load_document(doc), f"PolicyInputList.{i + 1}", "none"))
    boundary = _boundary(self.backend, source)
    given = self._get_param("PermissionsBoundaryPolicyInputList") or []
    if given:  # simulate this boundary instead of the principal's own
        boundary = [
            parse(load_document(doc), "PermissionsBoundaryPolicyInputList.1", "none") for doc in given
        ]
    actions = self._get_param("ActionNames") or []
    resources = self._get_param("ResourceArns") or ["*"]
    ctx = _context(self._get_param("ContextEntries"))
    results = [
        _result(policies, action, resource, ctx, boundary) for action in actions for resource in resources
    ]
    chunk, marker = _page(results, self._get_param("Marker"), self._get_param("MaxItems"))
    return ActionResult({"EvaluationResults": chunk, "IsTruncated": marker is not None, "Marker": marker})


# --- service-specific credentials ---------------------------------------------------------------------
def _public(cred: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in cred.items() if k != "ServicePassword"}


def create_service_specific_credential(self: IamResponse) -> ActionResult:
    user = self.backend.get_user(self._get_param("UserName"))
    service = self._get_param("ServiceName")
    if service not in SERVICES_WITH_CREDENTIALS:
        raise NoSuchEntity(f"No such service {service} is supported for Service Specific Credentials")
    creds = _credentials(self.backend).setdefault(user.name, [])
    if len([c for c in creds if c["ServiceName"] == service]) >= 2:
        raise InvalidInput(f"Cannot create more than 2 service specific credentials for {service}")
    alphabet = string.ascii_uppercase + string.digits
    cred = {
        "CreateDate": utcnow(),
        "ServiceName": service,
        "ServiceUserName": f"{user.name}-at-{secrets.randbelow(10**12):012d}",
        "ServicePassword": secrets.token_urlsafe(30),
        "ServiceSpecificCredentialId": "ACCA" + "".join(secrets.choice(alphabet) for _ in range(17)),
        "UserName": user.name,
        "Status": "Active",
    }
    creds.append(cred)
    return ActionResult({"ServiceSpecificCredential": cred})


def list_service_specific_credentials(self: IamResponse) -> ActionResult:
    store = _credentials(self.backend)
    service = self._get_param("ServiceName")
    if self._get_param("AllUsers"):
        names = list(store)
    else:
        name = self._get_param("UserName")
        names = [self.backend.get_user(name).name] if name else []
    creds = [
        _public(c) for n in names for c in store.get(n, []) if not service or c["ServiceName"] == service
    ]
    chunk, marker = _page(creds, self._get_param("Marker"), self._get_param("MaxItems"))
    return ActionResult(
        {"ServiceSpecificCredentials": chunk, "IsTruncated": marker is not None, "Marker": marker}
    )


def delete_service_specific_credential(self: IamResponse) -> ActionResult:
    name = self._get_param("UserName")
    cred_id = self._get_param("ServiceSpecificCredentialId")
    store = _credentials(self.backend)
    user_names = [self.backend.get_user(name).name] if name else list(store)
    for user_name in user_names:
        creds = store.get(user_name, [])
        for cred in creds:
            if cred["ServiceSpecificCredentialId"] == cred_id:
                creds.remove(cred)
                return EmptyResult()
    raise NoSuchEntity(f"No such credential {cred_id} exists")


HANDLERS = {
    fn.__name__: fn
    for fn in (
        delete_user,
        delete_group,
        create_login_profile,
        create_user,
        put_user_permissions_boundary,
        delete_user_permissions_boundary,
        simulate_principal_policy,
        create_service_specific_credential,
        list_service_specific_credentials,
        delete_service_specific_credential,
    )
}


def install() -> None:
    for name, fn in HANDLERS.items():
        setattr(IamResponse, name, fn)
