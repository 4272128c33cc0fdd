"""The Studio domain as AWS behaves: an id in CreateDomain's answer, ResourceNotFound for a missing
domain, a real home EFS with its NFS security groups, and DeleteDomain refusing while profiles or
spaces remain (ResourceInUse) and honouring ``RetentionPolicy``.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from typing import Any

import moto.sagemaker.models as sm_models
from moto.core.utils import utcnow
from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound, ValidationError
from moto.sagemaker.utils import arn_formatter

from emulator.account import home_efs
from emulator.account.lifecycle import Lifecycle
from emulator.account.studio_models import GONE

AUTH_MODES = ("IAM", "SSO")
RETENTION_VALUES = ("Retain", "Delete")


@dataclass
class DomainExtras:
    """What the kit keeps about a domain beyond moto's Domain object."""

    lifecycle: Lifecycle
    home: home_efs.HomeEfs | None
    tag_propagation: str
    home_efs_creation: str


def new_domain_id() -> str:
    """``d-`` and 12 lowercase letters/digits, like AWS's domain ids."""
    alphabet = string.ascii_lowercase + string.digits
    return "d-" + "".join(random.choice(alphabet) for _ in range(12))


class DomainMixin:
    """Domain operations; state lives on the backend (``self.domains`` is moto's dict)."""

    domains: dict[str, Any]
    account_id: str
    region_name: str

    # --- helpers used by the Studio operations -------------------------------------------------
    def _domain_extras(self) -> dict[str, DomainExtras]:
        return self.kit_domain_extras  # type: ignore[attr-defined,no-any-return]

    def _live_domain(self, domain_id: str) -> Any:
        """The domain, or ResourceNotFound (also while it is being deleted)."""
        self._studio_purge()  # type: ignore[attr-defined]
        domain = self.domains.get(domain_id)
        extras = self._domain_extras().get(domain_id)
        if domain is None or (extras is not None and extras.lifecycle.peek() == "Deleting"):
            raise ResourceNotFound(message=f"Domain {domain_id} not found")
        return domain

    def _domain_status(self, domain_id: str, observe: bool) -> str:
        extras = self._domain_extras().get(domain_id)
        if extras is None:
            return str(self.domains[domain_id].status)
        status = extras.lifecycle.observe() if observe else extras.lifecycle.peek()
        self.domains[domain_id].status = status
        return status

    # --- operations ------------------------------------------------------------------------------
    def create_domain(  # type: ignore[override]
        self,
        domain_name: str,
        auth_mode: str,
        default_user_settings: dict[str, Any],
        subnet_ids: list[str],
        vpc_id: str,
        domain_settings: dict[str, Any] | None = None,
        tags: list[dict[str, str]] | None = None,
        app_network_access_type: str | None = None,
        home_efs_file_system_kms_key_id: str | None = None,
        kms_key_id: str | None = None,
        app_security_group_management: str | None = None,
        default_space_settings: dict[str, Any] | None = None,
        tag_propagation: str | None = None,
        home_efs_file_system_creation: str | None = None,
    ) -> dict[str, Any]:
        if auth_mode not in AUTH_MODES:
            raise ValidationError(
                message=f"1 validation error detected: Value '{auth_mode}' at 'authMode' failed to satisfy "
                f"constraint: Member must satisfy enum value set: [{', '.join(AUTH_MODES)}]"
            )
        home_efs.validate_network(self.account_id, self.region_name, vpc_id, subnet_ids)
        domain_id = new_domain_id()
        while domain_id in self.domains:
            domain_id = new_domain_id()
        domain = sm_models.Domain(
            domain_name=domain_name,
            auth_mode=auth_mode,
            default_user_settings=default_user_settings,
            subnet_ids=subnet_ids,
            vpc_id=vpc_id,
            domain_settings=domain_settings,
            tags=tags,
            app_network_access_type=app_network_access_type,
            home_efs_file_system_kms_key_id=home_efs_file_system_kms_key_id,
            kms_key_id=kms_key_id,
            app_security_group_management=app_security_group_management,
            default_space_settings=default_space_settings,
            region_name=self.region_name,
            account_id=self.account_id,
        )
        domain.id = domain_id
        domain.arn = arn_formatter("domain", domain_id, self.account_id, self.region_name)
        domain.tags = list(tags or [])
        domain.url = f"https://{domain_id}.studio.{self.region_name}.sagemaker.aws"
        domain.security_group_id_for_domain_boundary = None
        domain.failure_reason = None
        if auth_mode != "SSO":  # AWS gives the IAM Identity Center fields to SSO domains only
            domain.single_sign_on_managed_application_instance_id = None
            domain.single_sign_on_managed_application_arn = None
        creation = home_efs_file_system_creation or "Enabled"
        home = None
        if creation != "Disabled":
            home = home_efs.create_home_efs(
                self.account_id,
                self.region_name,
                domain_id,
                domain.arn,
                vpc_id,
                subnet_ids,
                kms_key_id=home_efs_file_system_kms_key_id or kms_key_id,
            )
            domain.home_efs_file_system_id = home.file_system_id
        else:
            domain.home_efs_file_system_id = None
        lifecycle = Lifecycle("Pending")
        lifecycle.move("Pending", "InService", self.studio_delays.studio_s)  # type: ignore[attr-defined]
        self._domain_extras()[domain_id] = DomainExtras(
            lifecycle=lifecycle,
            home=home,
            tag_propagation=tag_propagation or "DISABLED",
            home_efs_creation=creation,
        )
        self.domains[domain_id] = domain
        domain.status = lifecycle.peek()
        return {"DomainArn": domain.arn, "DomainId": domain_id, "Url": domain.url}

    def describe_domain(self, domain_id: str) -> dict[str, Any]:
        self._studio_purge()  # type: ignore[attr-defined]
        if domain_id not in self.domains:
            raise ResourceNotFound(message=f"Domain {domain_id} not found")
        self._domain_status(domain_id, observe=True)
        out = self.domains[domain_id].describe()
        extras = self._domain_extras().get(domain_id)
        if extras is not None:
            out["TagPropagation"] = extras.tag_propagation
            out["HomeEfsFileSystemCreation"] = extras.home_efs_creation
        return {k: v for k, v in out.items() if v is not None and v != {} and v != ""}

    def domain_summaries(self) -> list[dict[str, Any]]:
        self._studio_purge()  # type: ignore[attr-defined]
        out = []
        for domain_id, domain in self.domains.items():
            self._domain_status(domain_id, observe=True)
            out.append(domain.summary())
        return out

    def update_domain(self, domain_id: str, changes: dict[str, Any]) -> str:
        domain = self._live_domain(domain_id)
        if "DefaultUserSettings" in changes:
            domain.default_user_settings = _merge(
                domain.default_user_settings, changes["DefaultUserSettings"]
            )
        if "DefaultSpaceSettings" in changes:
            domain.default_space_settings = _merge(
                domain.default_space_settings, changes["DefaultSpaceSettings"]
            )
        if "DomainSettingsForUpdate" in changes:
            domain.domain_settings = _merge(domain.domain_settings, changes["DomainSettingsForUpdate"])
        if "AppSecurityGroupManagement" in changes:
            domain.app_security_group_management = changes["AppSecurityGroupManagement"]
        if "AppNetworkAccessType" in changes:
            domain.app_network_access_type = changes["AppNetworkAccessType"]
        if "SubnetIds" in changes:
            home_efs.validate_network(self.account_id, self.region_name, domain.vpc_id, changes["SubnetIds"])
            domain.subnet_ids = changes["SubnetIds"]
        extras = self._domain_extras().get(domain_id)
        if extras is not None and "TagPropagation" in changes:
            extras.tag_propagation = changes["TagPropagation"]
        domain.last_modified_time = utcnow()
        return str(domain.arn)

    def delete_domain(self, domain_id: str, retention_policy: dict[str, str] | None) -> None:  # type: ignore[override]
        domain = self._live_domain(domain_id)
        retention = (retention_policy or {}).get("HomeEfsFileSystem", "Retain")
        if retention not in RETENTION_VALUES:
            raise ValidationError(
                message=f"1 validation error detected: Value '{retention}' at "
                "'retentionPolicy.homeEfsFileSystem' failed to satisfy constraint: Member must satisfy "
                "enum value set: [Retain, Delete]"
            )
        profiles = [p for p in self.user_profiles.values() if p.domain_id == domain_id]  # type: ignore[attr-defined]
        spaces = [s for s in self.studio_spaces.values() if s.domain_id == domain_id]  # type: ignore[attr-defined]
        if profiles or spaces:
            raise ResourceInUseException(
                message=f"Unable to delete Domain [{domain.arn}] because it still has "
                f"{len(profiles)} UserProfile(s) and {len(spaces)} Space(s). "
                "Delete them before deleting the domain."
            )
        extras = self._domain_extras().get(domain_id)
        if extras is not None and extras.home is not None and retention == "Delete":
            home_efs.delete_home_efs(self.account_id, self.region_name, extras.home)
        if extras is None:
            del self.domains[domain_id]
            return
        extras.lifecycle.move("Deleting", GONE, self.studio_delays.studio_s)  # type: ignore[attr-defined]
        self._studio_purge()  # type: ignore[attr-defined]

    def _purge_domains(self) -> None:
        for domain_id, extras in list(self._domain_extras().items()):
            if extras.lifecycle.peek() == GONE:
                self.domains.pop(domain_id, None)
                del self._domain_extras()[domain_id]


def _merge(current: dict[str, Any] | None, update: dict[str, Any] | None) -> dict[str, Any]:
    merged = dict(current or {})
    merged.update(update or {})
    return merged
