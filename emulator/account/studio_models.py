"""Studio resources kept on the SageMaker backend: user profiles, spaces, apps.

Each carries a :class:`Lifecycle`; ``describe()`` / ``summary()`` give the API's shapes and count as
a client seeing the status, ``state()`` does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moto.core.utils import utcnow
from moto.sagemaker.utils import arn_formatter

from emulator.account.lifecycle import Lifecycle

GONE = "__gone__"  # target status of a profile/space/domain whose deletion completes


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    """Drop keys whose value was never set (SDK shapes reject empty placeholders)."""
    return {k: v for k, v in d.items() if v is not None and v != {}}


@dataclass
class UserProfile:
    domain_id: str
    name: str
    account_id: str
    region_name: str
    uid: str
    lifecycle: Lifecycle
    user_settings: dict[str, Any] | None = None
    sso_user_identifier: str | None = None
    sso_user_value: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    creation_time: datetime = field(default_factory=utcnow)
    last_modified_time: datetime = field(default_factory=utcnow)

    @property
    def arn(self) -> str:
        return arn_formatter(
            "user-profile", f"{self.domain_id}/{self.name}", self.account_id, self.region_name
        )

    def state(self) -> str:
        return self.lifecycle.peek()

    def describe(self) -> dict[str, Any]:
        return _clean(
            {
                "DomainId": self.domain_id,
                "UserProfileArn": self.arn,
                "UserProfileName": self.name,
                "HomeEfsFileSystemUid": self.uid,
                "Status": self.lifecycle.observe(),
                "LastModifiedTime": self.last_modified_time,
                "CreationTime": self.creation_time,
                "SingleSignOnUserIdentifier": self.sso_user_identifier,
                "SingleSignOnUserValue": self.sso_user_value,
                "UserSettings": self.user_settings,
            }
        )

    def summary(self) -> dict[str, Any]:
        return {
            "DomainId": self.domain_id,
            "UserProfileName": self.name,
            "Status": self.lifecycle.observe(),
            "CreationTime": self.creation_time,
            "LastModifiedTime": self.last_modified_time,
        }


@dataclass
class Space:
    domain_id: str
    name: str
    account_id: str
    region_name: str
    uid: str
    url: str
    lifecycle: Lifecycle
    space_settings: dict[str, Any] | None = None
    ownership_settings: dict[str, Any] | None = None
    sharing_settings: dict[str, Any] | None = None
    display_name: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    creation_time: datetime = field(default_factory=utcnow)
    last_modified_time: datetime = field(default_factory=utcnow)

    @property
    def arn(self) -> str:
        return arn_formatter("space", f"{self.domain_id}/{self.name}", self.account_id, self.region_name)

    @property
    def owner(self) -> str | None:
        return (self.ownership_settings or {}).get("OwnerUserProfileName")

    def state(self) -> str:
        return self.lifecycle.peek()

    def describe(self) -> dict[str, Any]:
        return _clean(
            {
                "DomainId": self.domain_id,
                "SpaceArn": self.arn,
                "SpaceName": self.name,
                "HomeEfsFileSystemUid": self.uid,
                "Status": self.lifecycle.observe(),
                "LastModifiedTime": self.last_modified_time,
                "CreationTime": self.creation_time,
                "SpaceSettings": self.space_settings,
                "OwnershipSettings": self.ownership_settings,
                "SpaceSharingSettings": self.sharing_settings,
                "SpaceDisplayName": self.display_name,
                "Url": self.url,
            }
        )

    def summary(self) -> dict[str, Any]:
        settings = self.space_settings or {}
        settings_summary = _clean(
            {
                "AppType": settings.get("AppType"),
                "RemoteAccess": settings.get("RemoteAccess"),
                # botocore sagemaker model: SpaceSettingsSummary = AppType, RemoteAccess, SpaceStorageSettings
                "SpaceStorageSettings": settings.get("SpaceStorageSettings"),
            }
        )
        return _clean(
            {
                "DomainId": self.domain_id,
                "SpaceName": self.name,
                "Status": self.lifecycle.observe(),
                "CreationTime": self.creation_time,
                "LastModifiedTime": self.last_modified_time,
                "SpaceSettingsSummary": settings_summary or None,
                "SpaceSharingSettingsSummary": (
                    {"SharingType": self.sharing_settings["SharingType"]}
                    if self.sharing_settings and "SharingType" in self.sharing_settings
                    else None
                ),
                "OwnershipSettingsSummary": {"OwnerUserProfileName": self.owner} if self.owner else None,
                "SpaceDisplayName": self.display_name,
            }
        )


@dataclass
class App:
    domain_id: str
    app_type: str
    name: str
    account_id: str
    region_name: str
    lifecycle: Lifecycle
    user_profile_name: str | None = None
    space_name: str | None = None
    resource_spec: dict[str, Any] | None = None
    recovery_mode: bool | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    creation_time: datetime = field(default_factory=utcnow)

    @property
    def owner(self) -> str:
        return self.user_profile_name or self.space_name or ""

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        kind = "profile" if self.user_profile_name else "space"
        return (self.domain_id, kind, self.owner, self.app_type, self.name)

    @property
    def arn(self) -> str:
        return arn_formatter(
            "app",
            f"{self.domain_id}/{self.owner}/{self.app_type.lower()}/{self.name}",
            self.account_id,
            self.region_name,
        )

    def state(self) -> str:
        return self.lifecycle.peek()

    def describe(self) -> dict[str, Any]:
        status = self.lifecycle.observe()
        return _clean(
            {
                "AppArn": self.arn,
                "AppType": self.app_type,
                "AppName": self.name,
                "DomainId": self.domain_id,
                "UserProfileName": self.user_profile_name,
                "SpaceName": self.space_name,
                "Status": status,
                "RecoveryMode": self.recovery_mode,
                "CreationTime": self.creation_time,
                "ResourceSpec": self.resource_spec,
            }
        )

    def summary(self) -> dict[str, Any]:
        return _clean(
            {
                "DomainId": self.domain_id,
                "UserProfileName": self.user_profile_name,
                "SpaceName": self.space_name,
                "AppType": self.app_type,
                "AppName": self.name,
                "Status": self.lifecycle.observe(),
                "CreationTime": self.creation_time,
                "ResourceSpec": self.resource_spec,
            }
        )
