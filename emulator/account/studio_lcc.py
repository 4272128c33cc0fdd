"""Studio lifecycle configurations (Create / Describe / List / Delete StudioLifecycleConfig).

moto 5.2.5 has none of the four operations (it answers 500). The rules follow the botocore model
(sagemaker 2017-07-24) and the API reference:

- the name matches ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}``, the content is 1..16384 characters (the
  script, base64-encoded), the app type one of JupyterServer, KernelGateway, CodeEditor, JupyterLab;
- creating a name that exists is ``ResourceInUse`` (the one error CreateStudioLifecycleConfig lists);
- DeleteStudioLifecycleConfig: "there must be no running apps using the Lifecycle Configuration. You
  must also remove the Lifecycle Configuration from UserSettings in all Domains and UserProfiles" —
  ``ResourceInUse`` while a domain, user profile or space still names its ARN;
- ListStudioLifecycleConfigs pages (MaxResults ≤ 100), filters by NameContains / AppTypeEquals /
  creation and modification times, sorts by CreationTime (default), LastModifiedTime or Name;
- ListTags / AddTags / DeleteTags accept its ARN (Terraform reads the tags back after create).

State lives on the SageMaker backend (``StudioLifecycleConfigMixin``), so ``/moto-api/reset`` clears it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound, ValidationError
from moto.sagemaker.responses import SageMakerResponse

from emulator.account import paging

APP_TYPES = ("JupyterServer", "KernelGateway", "CodeEditor", "JupyterLab")
NAME_RE = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
ARN_TYPE = "studio-lifecycle-config"
MAX_CONTENT = 16384


@dataclass
class StudioLifecycleConfig:
    name: str
    arn: str
    content: str
    app_type: str
    tags: list[dict[str, str]] = field(default_factory=list)
    creation_time: datetime = field(default_factory=utcnow)
    last_modified_time: datetime = field(default_factory=utcnow)

    def summary(self) -> dict[str, Any]:
        return {
            "StudioLifecycleConfigArn": self.arn,
            "StudioLifecycleConfigName": self.name,
            "CreationTime": self.creation_time,
            "LastModifiedTime": self.last_modified_time,
            "StudioLifecycleConfigAppType": self.app_type,
        }

    def describe(self) -> dict[str, Any]:
        return {**self.summary(), "StudioLifecycleConfigContent": self.content}


def _invalid(value: Any, member: str, constraint: str) -> ValidationError:
    return ValidationError(
        message=f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
        f"constraint: {constraint}"
    )


class StudioLifecycleConfigMixin:
    """Mixed into the SageMaker backend."""

    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)  # type: ignore[call-arg]
        self.studio_lifecycle_configs: dict[str, StudioLifecycleConfig] = {}

    def _lcc(self, name: str | None) -> StudioLifecycleConfig:
        item = self.studio_lifecycle_configs.get(name or "")
        if item is None:
            raise ResourceNotFound(message=f"Studio lifecycle config {name} does not exist.")
        return item

    def create_studio_lifecycle_config(
        self, name: str | None, content: str | None, app_type: str | None, tags: list[dict] | None
    ) -> str:
        if not name or not NAME_RE.match(name):
            raise _invalid(
                name,
                "studioLifecycleConfigName",
                "Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
            )
        if not content or len(content) > MAX_CONTENT:
            raise _invalid(
                "…", "studioLifecycleConfigContent", f"Member must have length between 1 and {MAX_CONTENT}"
            )
        if app_type not in APP_TYPES:
            raise _invalid(
                app_type,
                "studioLifecycleConfigAppType",
                f"Member must satisfy enum value set: [{', '.join(APP_TYPES)}]",
            )
        if name in self.studio_lifecycle_configs:
            raise ResourceInUseException(message=f"Studio lifecycle config {name} already exists.")
        arn = (
            f"arn:aws:sagemaker:{self.region_name}:{self.account_id}:"  # type: ignore[attr-defined]
            f"{ARN_TYPE}/{name}"
        )
        self.studio_lifecycle_configs[name] = StudioLifecycleConfig(
            name=name, arn=arn, content=content, app_type=app_type, tags=list(tags or [])
        )
        return arn

    def describe_studio_lifecycle_config(self, name: str | None) -> dict[str, Any]:
        return self._lcc(name).describe()

    def list_studio_lifecycle_configs(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        items = list(self.studio_lifecycle_configs.values())
        if params.get("NameContains"):
            items = [i for i in items if params["NameContains"] in i.name]
        if params.get("AppTypeEquals"):
            items = [i for i in items if i.app_type == params["AppTypeEquals"]]
        for key, attr, before in (
            ("CreationTimeBefore", "creation_time", True),
            ("CreationTimeAfter", "creation_time", False),
            ("ModifiedTimeBefore", "last_modified_time", True),
            ("ModifiedTimeAfter", "last_modified_time", False),
        ):
            if params.get(key) is not None:
                limit = _as_datetime(params[key])
                items = [
                    i for i in items if (getattr(i, attr) < limit if before else getattr(i, attr) > limit)
                ]
        sort_by = params.get("SortBy") or "CreationTime"
        attr = {
            "CreationTime": "creation_time",
            "LastModifiedTime": "last_modified_time",
            "Name": "name",
        }.get(sort_by)
        if attr is None:
            raise _invalid(
                sort_by,
                "sortBy",
                "Member must satisfy enum value set: [CreationTime, LastModifiedTime, Name]",
            )
        return [i.summary() for i in paging.sort_items(items, attr, params.get("SortOrder"))]

    def delete_studio_lifecycle_config(self, name: str | None) -> None:
        item = self._lcc(name)
        users = self._lcc_users(item.arn)
        if users:
            raise ResourceInUseException(
                message=f"Studio lifecycle config {item.name} is in use by {', '.join(users)}; "
                "remove it from their settings first."
            )
        del self.studio_lifecycle_configs[item.name]

    def _lcc_users(self, arn: str) -> list[str]:
        """Domains, user profiles and spaces whose settings name ``arn``."""
        purge = getattr(self, "_studio_purge", None)
        if purge:
            purge()
        found = []
        for domain in getattr(self, "domains", {}).values():
            if _mentions(getattr(domain, "default_user_settings", None), arn) or _mentions(
                getattr(domain, "default_space_settings", None), arn
            ):
                found.append(f"domain {getattr(domain, 'id', '?')}")
        for profile in getattr(self, "user_profiles", {}).values():
            if _mentions(getattr(profile, "user_settings", None), arn):
                found.append(f"user profile {profile.name}")
        for space in getattr(self, "studio_spaces", {}).values():
            if _mentions(getattr(space, "space_settings", None), arn):
                found.append(f"space {space.name}")
        return found

    def iter_tagged_resources(self):  # the Resource Groups Tagging API (tag-scoped listings)
        from moto.core.resource_tagging import TaggedResource

        yield from super().iter_tagged_resources()  # type: ignore[misc]
        for item in self.studio_lifecycle_configs.values():
            yield TaggedResource(
                arn=item.arn,
                tags={t["Key"]: t["Value"] for t in item.tags},
                resource_type=f"sagemaker:{ARN_TYPE}",
            )

    # tags on the lifecycle config's ARN (moto's parser does not know the type)
    def _get_resource_from_arn(self, arn: str) -> Any:
        if arn.split(":", 5)[-1].split("/", 1)[0] == ARN_TYPE:
            for item in self.studio_lifecycle_configs.values():
                if item.arn == arn:
                    return item
            raise ResourceNotFound(message=f"Resource {arn} does not exist")
        return super()._get_resource_from_arn(arn)  # type: ignore[misc]


def _mentions(settings: Any, arn: str) -> bool:
    return bool(settings) and arn in json.dumps(settings, default=str)


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromtimestamp(float(value))
    except (TypeError, ValueError):
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).replace(tzinfo=None)


# --- API handlers -----------------------------------------------------------------------------------
def create_studio_lifecycle_config(self: SageMakerResponse) -> ActionResult:
    g = self._get_param
    arn = self.sagemaker_backend.create_studio_lifecycle_config(
        g("StudioLifecycleConfigName"),
        g("StudioLifecycleConfigContent"),
        g("StudioLifecycleConfigAppType"),
        g("Tags"),
    )
    return ActionResult({"StudioLifecycleConfigArn": arn})


def describe_studio_lifecycle_config(self: SageMakerResponse) -> ActionResult:
    return ActionResult(
        self.sagemaker_backend.describe_studio_lifecycle_config(self._get_param("StudioLifecycleConfigName"))
    )


def list_studio_lifecycle_configs(self: SageMakerResponse) -> ActionResult:
    keys = (
        "NameContains",
        "AppTypeEquals",
        "CreationTimeBefore",
        "CreationTimeAfter",
        "ModifiedTimeBefore",
        "ModifiedTimeAfter",
        "SortBy",
        "SortOrder",
    )
    items = self.sagemaker_backend.list_studio_lifecycle_configs({k: self._get_param(k) for k in keys})
    chunk, token = paging.page(items, self._get_param("MaxResults"), self._get_param("NextToken"))
    return ActionResult({"StudioLifecycleConfigs": chunk, "NextToken": token})


def delete_studio_lifecycle_config(self: SageMakerResponse) -> ActionResult:
    self.sagemaker_backend.delete_studio_lifecycle_config(self._get_param("StudioLifecycleConfigName"))
    return EmptyResult()


HANDLERS = (
    create_studio_lifecycle_config,
    describe_studio_lifecycle_config,
    list_studio_lifecycle_configs,
    delete_studio_lifecycle_config,
)


def install() -> None:
    for fn in HANDLERS:
        setattr(SageMakerResponse, fn.__name__, fn)
