"""IAM as AWS behaves, added to moto's ``IamResponse``.

- DeleteUser refuses (``DeleteConflict``) while the user has a login profile, access keys, signing
  certificates, SSH keys, service-specific credentials, MFA devices, inline or attached policies or
  group memberships; DeleteGroup while the group has members or policies (moto deleted anyway;
  DeleteRole already refuses in moto).
- CreateLoginProfile keeps ``PasswordResetRequired`` (moto dropped it).
- SimulatePrincipalPolicy answers from the principal's policies (``iam_policy_eval``).
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

from emulator.account.iam_policy_eval import SourcePolicy, evaluate, load_document

SERVICES_WITH_CREDENTIALS = ("codecommit.amazonaws.com", "cassandra.amazonaws.com",
                             "bedrock.amazonaws.com")


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
    return ActionResult({"LoginProfile": {
        "UserName": user.name, "CreateDate": user.create_date,
        "PasswordResetRequired": user.password_reset_required,
    }})


# --- SimulatePrincipalPolicy ---------------------------------------------------------------------------
def _managed(policy: Any) -> SourcePolicy:
    version = next((v for v in policy.versions if v.is_default), policy.versions[0])
    ptype = "aws-managed" if ":aws:policy/" in policy.arn else "user-managed"
    return SourcePolicy(policy.name, ptype, load_document(version.document))


def _inline(name: str, doc: Any, ptype: str) -> SourcePolicy:
    return SourcePolicy(name, ptype, load_document(doc))


def _group_policies(group: Any) -> list[SourcePolicy]:
    return ([_inline(n, d, "group") for n, d in group.policies.items()]
            + [_managed(p) for p in group.managed_policies.values()])


def principal_policies(backend: IAMBackend, arn: str) -> list[SourcePolicy]:
    """Every policy that applies to the user, role or group named by ``arn``."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam":
        raise InvalidInput(f"Invalid ARN: {arn}")
    kind, _, rest = parts[5].partition("/")
    name = rest.rsplit("/", 1)[-1]
    if kind == "user":
        user = backend.get_user(name)
        out = ([_inline(n, d, "user") for n, d in user.policies.items()]
               + [_managed(p) for p in user.managed_policies.values()])
        for group in backend.get_groups_for_user(name):
            out += _group_policies(group)
        return out
    if kind == "role":
        role = backend.get_role(name)
        return ([_inline(n, d, "role") for n, d in role.policies.items()]
                + [_managed(p) for p in role.managed_policies.values()])
    if kind == "group":
        return _group_policies(backend.get_group(name))
    raise InvalidInput(f"Invalid principal ARN for simulation: {arn}")


def _page(items: list[Any], marker: str | None, max_items: int | None) -> tuple[list[Any], str | None]:
    start = int(marker) if marker and marker.isdigit() else 0
    size = int(max_items or 100)
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def simulate_principal_policy(self: IamResponse) -> ActionResult:
    policies = principal_policies(self.backend, self._get_param("PolicySourceArn"))
    for i, doc in enumerate(self._get_param("PolicyInputList") or []):
        policies.append(SourcePolicy(f"PolicyInputList.{i + 1}", "none", load_document(doc)))
    actions = self._get_param("ActionNames") or []
    resources = self._get_param("ResourceArns") or ["*"]
    results = [evaluate(policies, action, resource) for action in actions for resource in resources]
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
        "CreateDate": utcnow(), "ServiceName": service,
        "ServiceUserName": f"{user.name}-at-{secrets.randbelow(10**12):012d}",
        "ServicePassword": secrets.token_urlsafe(30),
        "ServiceSpecificCredentialId": "ACCA" + "".join(secrets.choice(alphabet) for _ in range(17)),
        "UserName": user.name, "Status": "Active",
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
    creds = [_public(c) for n in names for c in store.get(n, [])
             if not service or c["ServiceName"] == service]
    chunk, marker = _page(creds, self._get_param("Marker"), self._get_param("MaxItems"))
    return ActionResult({"ServiceSpecificCredentials": chunk, "IsTruncated": marker is not None,
                         "Marker": marker})


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


HANDLERS = {fn.__name__: fn for fn in (
    delete_user, delete_group, create_login_profile, simulate_principal_policy,
    create_service_specific_credential, list_service_specific_credentials,
    delete_service_specific_credential,
)}


def install() -> None:
    for name, fn in HANDLERS.items():
        setattr(IamResponse, name, fn)
