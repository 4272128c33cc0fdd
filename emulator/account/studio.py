"""Studio user profiles, apps, spaces and the domain's EFS.

``StudioMixin`` is mixed into the emulator's SageMaker backend (``emulator.sagemaker_backend``), so
its state lives on the backend and ``/moto-api/reset`` clears it. It mirrors AWS's rules:

- a profile cannot be deleted while it has apps not yet Deleted (Failed ones excepted) or owns
  spaces; a space not while it has such apps; a domain not while it has profiles or spaces
  (``ResourceInUse`` each time);
- apps go Pending → InService and, when deleted, Deleting → Deleted, and Deleted apps are still
  listed (and described) for a while (see ``emulator.account.lifecycle`` for the timing);
- list calls page 10 items by default, with AWS's filters and sort keys.
"""

from __future__ import annotations

import re
from typing import Any

from moto.core.utils import utcnow
from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound, ValidationError

from emulator.account import paging
from emulator.account.domain import DomainMixin
from emulator.account.lifecycle import Delays, Lifecycle
from emulator.account.studio_models import GONE, App, Space, UserProfile
from emulator.account.studio_tags import studio_tags
from emulator.account.tagging import StudioTaggingMixin

APP_TYPES = (
    "JupyterServer",
    "KernelGateway",
    "DetailedProfiler",
    "TensorBoard",
    "CodeEditor",
    "JupyterLab",
    "RStudioServerPro",
    "RSessionGateway",
    "Canvas",
)
NAME_RE = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
DONE_APP_STATES = ("Deleted", "Failed")  # apps in these states do not block deleting their owner


def _check_name(value: str | None, field: str) -> str:
    if not value or not NAME_RE.match(value):
        raise ValidationError(
            message=f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"
        )
    return value


def _check_enum(value: str | None, field: str, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise ValidationError(
            message=f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
            f"constraint: Member must satisfy enum value set: [{', '.join(allowed)}]"
        )


class StudioMixin(StudioTaggingMixin, DomainMixin):
    """Mixed into the SageMaker backend; holds Studio state."""

    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)  # type: ignore[call-arg]
        self.studio_delays = Delays.from_env()
        self.kit_domain_extras: dict[str, Any] = {}
        self.user_profiles: dict[tuple[str, str], UserProfile] = {}
        self.studio_spaces: dict[tuple[str, str], Space] = {}
        self.studio_apps: dict[tuple[str, str, str, str, str], App] = {}
        self._next_uid = 200000

    # --- shared helpers --------------------------------------------------------------------------
    def _studio_purge(self) -> None:
        """Drop what finished deleting: profiles/spaces/domains gone, Deleted apps past retention."""
        for store in (self.user_profiles, self.studio_spaces):
            for key, item in list(store.items()):
                if item.state() == GONE:
                    del store[key]
        retention = self.studio_delays.app_retention_s
        for key, app in list(self.studio_apps.items()):
            if app.state() == "Deleted" and app.lifecycle.settled_for() >= retention:
                del self.studio_apps[key]
        self._purge_domains()

    def _uid(self) -> str:
        self._next_uid += 1
        return str(self._next_uid)

    def _new_lifecycle(self, delay_s: float) -> Lifecycle:
        lifecycle = Lifecycle("Pending")
        lifecycle.move("Pending", "InService", delay_s)
        return lifecycle

    def _in_domain(self, table: dict, what: str, domain_id: str, name: str) -> Any:
        """A profile or space of a domain (``what``: "User profile" / "Space"), else ResourceNotFound."""
        self._studio_purge()
        item = table.get((domain_id, name))
        if item is None:
            raise ResourceNotFound(message=f"{what} {name} does not exist in domain {domain_id}")
        return item

    def _profile(self, domain_id: str, name: str) -> UserProfile:
        return self._in_domain(self.user_profiles, "User profile", domain_id, name)

    def _space(self, domain_id: str, name: str) -> Space:
        return self._in_domain(self.studio_spaces, "Space", domain_id, name)

    def _check_new(self, table: dict, kind: str, field: str, domain_id: str, name: str) -> None:
        """CreateUserProfile / CreateSpace: a valid name, a live domain, no such ``kind`` yet."""
        _check_name(name, field)
        self._live_domain(domain_id)
        if (domain_id, name) in table:
            raise ResourceInUseException(
                message=f"Resource Already Exists: {kind} with name {name} already exists. "
                "Choose a different name."
            )

    @staticmethod
    def _check_changeable(item: Any, what: str, already: bool = False) -> None:
        """No update or delete of a profile or space that is being deleted (ResourceInUse)."""
        if item.state() == "Deleting":
            raise ResourceInUseException(
                message=f"{what} {item.name} is {'already ' if already else ''}being deleted"
            )

    def _check_no_apps(self, item: Any, kind: str, what: str) -> None:
        """A profile or space with apps not yet Deleted (Failed ones excepted) cannot be deleted."""
        if self._blocking_apps(item.domain_id, kind, item.name):
            raise ResourceInUseException(
                message=f"Unable to delete {what} [{item.arn}] because App(s) are associated with it."
            )

    def _add(self, table: dict, cls: type, domain_id: str, name: str, **fields: Any) -> str:
        """A new profile or space (Pending, then InService), stored in ``table``; its ARN."""
        item = cls(
            domain_id=domain_id,
            name=name,
            account_id=self.account_id,
            region_name=self.region_name,
            uid=self._uid(),
            lifecycle=self._new_lifecycle(self.studio_delays.studio_s),
            **fields,
        )
        table[(domain_id, name)] = item
        return item.arn

    @staticmethod
    def _merge(item: Any, attr: str, changes: dict[str, Any] | None) -> None:
        """UpdateUserProfile / UpdateSpace: the settings given replace those keys, the others stay."""
        if changes:
            setattr(item, attr, {**(getattr(item, attr) or {}), **changes})

    def _start_delete(self, item: Any) -> None:
        item.lifecycle.move("Deleting", GONE, self.studio_delays.studio_s)
        self._studio_purge()

    def _blocking_apps(self, domain_id: str, kind: str, owner: str) -> list[App]:
        return [
            a
            for a in self.studio_apps.values()
            if a.key[:3] == (domain_id, kind, owner) and a.state() not in DONE_APP_STATES
        ]

    # --- user profiles ---------------------------------------------------------------------------
    def create_user_profile(
        self,
        domain_id: str,
        name: str,
        tags: list[dict[str, str]] | None = None,
        user_settings: dict[str, Any] | None = None,
        sso_user_identifier: str | None = None,
        sso_user_value: str | None = None,
    ) -> str:
        self._check_new(self.user_profiles, "UserProfile", "userProfileName", domain_id, name)
        return self._add(
            self.user_profiles,
            UserProfile,
            domain_id,
            name,
            user_settings=user_settings,
            sso_user_identifier=sso_user_identifier,
            sso_user_value=sso_user_value,
            tags=list(tags or []),
        )

    def _list_in_domain(
        self,
        table: dict,
        domain_id_equals: str | None = None,
        name_contains: str | None = None,
        sort_by: str | None = None,
        sort_order: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """ListUserProfiles and ListSpaces: the same filters, sort keys and paging (botocore sagemaker
        model: DomainIdEquals, *NameContains, SortBy CreationTime|LastModifiedTime, MaxResults/NextToken)."""
        self._studio_purge()
        _check_enum(sort_by, "sortBy", ("CreationTime", "LastModifiedTime"))
        items = [
            item
            for item in table.values()
            if (not domain_id_equals or item.domain_id == domain_id_equals)
            and (not name_contains or name_contains in item.name)
        ]
        key = "last_modified_time" if sort_by == "LastModifiedTime" else "creation_time"
        chunk, token = paging.page(paging.sort_items(items, key, sort_order), max_results, next_token)
        return [item.summary() for item in chunk], token

    def describe_user_profile(self, domain_id: str, name: str) -> dict[str, Any]:
        return self._profile(domain_id, name).describe()

    def list_user_profiles(self, **filters: Any) -> tuple[list[dict[str, Any]], str | None]:
        """ListUserProfiles; ``filters``: those of ``_list_in_domain``."""
        return self._list_in_domain(self.user_profiles, **filters)

    def update_user_profile(
        self, domain_id: str, name: str, user_settings: dict[str, Any] | None = None
    ) -> str:
        profile = self._profile(domain_id, name)
        self._check_changeable(profile, "User profile")
        self._merge(profile, "user_settings", user_settings)
        profile.last_modified_time = utcnow()
        return profile.arn

    def delete_user_profile(self, domain_id: str, name: str) -> None:
        profile = self._profile(domain_id, name)
        self._check_changeable(profile, "User profile", already=True)
        self._check_no_apps(profile, "profile", "UserProfile")
        owned = [s.name for s in self.studio_spaces.values() if s.domain_id == domain_id and s.owner == name]
        if owned:
            raise ResourceInUseException(
                message=f"Unable to delete UserProfile [{profile.arn}] because it owns Space(s): "
                + ", ".join(sorted(owned))
            )
        self._start_delete(profile)

    # --- spaces ----------------------------------------------------------------------------------
    def create_space(
        self,
        domain_id: str,
        name: str,
        tags: list[dict[str, str]] | None = None,
        space_settings: dict[str, Any] | None = None,
        ownership_settings: dict[str, Any] | None = None,
        sharing_settings: dict[str, Any] | None = None,
        display_name: str | None = None,
    ) -> str:
        self._check_new(self.studio_spaces, "Space", "spaceName", domain_id, name)
        if sharing_settings and not ownership_settings:
            raise ValidationError(message="OwnershipSettings is required when SpaceSharingSettings is given")
        if sharing_settings:
            _check_enum(
                sharing_settings.get("SharingType"), "spaceSharingSettings.sharingType", ("Private", "Shared")
            )
        owner = (ownership_settings or {}).get("OwnerUserProfileName")
        if ownership_settings is not None:
            if not owner:
                raise ValidationError(message="OwnershipSettings.OwnerUserProfileName is required")
            owner_profile = self._profile(domain_id, owner)
            if owner_profile.state() == "Deleting":
                raise ResourceNotFound(message=f"User profile {owner} does not exist in domain {domain_id}")
        return self._add(
            self.studio_spaces,
            Space,
            domain_id,
            name,
            url=f"https://{domain_id}.studio.{self.region_name}.sagemaker.aws/spaces/{name}",
            space_settings=space_settings,
            ownership_settings=ownership_settings,
            sharing_settings=sharing_settings,
            display_name=display_name,
            # inside the domain: SageMaker's domain tags (and its custom ones with TagPropagation)
            tags=studio_tags(
                self, domain_id, profile=self.user_profiles.get((domain_id, owner or "")), request=tags
            ),
        )

    def describe_space(self, domain_id: str, name: str) -> dict[str, Any]:
        return self._space(domain_id, name).describe()

    def list_spaces(self, **filters: Any) -> tuple[list[dict[str, Any]], str | None]:
        """ListSpaces; ``filters``: those of ``_list_in_domain``."""
        return self._list_in_domain(self.studio_spaces, **filters)

    def update_space(
        self,
        domain_id: str,
        name: str,
        space_settings: dict[str, Any] | None = None,
        display_name: str | None = None,
    ) -> str:
        space = self._space(domain_id, name)
        self._check_changeable(space, "Space")
        self._merge(space, "space_settings", space_settings)
        if display_name is not None:
            space.display_name = display_name
        space.last_modified_time = utcnow()
        return space.arn

    def delete_space(self, domain_id: str, name: str) -> None:
        space = self._space(domain_id, name)
        self._check_changeable(space, "Space", already=True)
        self._check_no_apps(space, "space", "Space")
        self._start_delete(space)

    # --- apps ------------------------------------------------------------------------------------
    def _app_key(
        self,
        domain_id: str,
        user_profile_name: str | None,
        space_name: str | None,
        app_type: str,
        app_name: str,
    ) -> tuple[str, str, str, str, str]:
        if bool(user_profile_name) == bool(space_name):
            raise ValidationError(message="Exactly one of UserProfileName or SpaceName must be specified")
        _check_enum(app_type, "appType", APP_TYPES)
        kind = "profile" if user_profile_name else "space"
        return (domain_id, kind, str(user_profile_name or space_name), app_type, app_name)

    def create_app(
        self,
        domain_id: str,
        app_type: str,
        app_name: str,
        user_profile_name: str | None = None,
        space_name: str | None = None,
        tags: list[dict[str, str]] | None = None,
        resource_spec: dict[str, Any] | None = None,
        recovery_mode: bool | None = None,
    ) -> str:
        key = self._app_key(domain_id, user_profile_name, space_name, app_type, app_name)
        _check_name(app_name, "appName")
        self._live_domain(domain_id)
        owner = self._profile(domain_id, key[2]) if user_profile_name else self._space(domain_id, key[2])
        if owner.state() == "Deleting":
            raise ResourceNotFound(message=f"{key[2]} is being deleted")
        existing = self.studio_apps.get(key)
        if existing is not None and existing.state() not in DONE_APP_STATES:
            raise ResourceInUseException(
                message=f"Resource Already Exists: App with name {app_name} of type {app_type} "
                "already exists."
            )
        if resource_spec is None:
            resource_spec = (
                {"InstanceType": "system"}
                if app_type == "JupyterServer"
                else {"InstanceType": "ml.t3.medium"}
            )
        app = App(
            domain_id=domain_id,
            app_type=app_type,
            name=app_name,
            account_id=self.account_id,
            region_name=self.region_name,
            lifecycle=self._new_lifecycle(self.studio_delays.app_pending_s),
            user_profile_name=user_profile_name,
            space_name=space_name,
            resource_spec=resource_spec,
            recovery_mode=recovery_mode,
            # the default JupyterServer app that serves the Studio UI is not tagged (AWS doc
            # "Automatic tag propagation"); every other app gets its domain's and owner's tags
            tags=list(tags or [])
            if (app_type, app_name) == ("JupyterServer", "default")
            else studio_tags(
                self,
                domain_id,
                profile=owner if user_profile_name else None,
                space=owner if space_name else None,
                request=tags,
            ),
        )
        self.studio_apps[key] = app
        return app.arn

    def _app(
        self,
        domain_id: str,
        user_profile_name: str | None,
        space_name: str | None,
        app_type: str,
        app_name: str,
    ) -> App:
        key = self._app_key(domain_id, user_profile_name, space_name, app_type, app_name)
        self._studio_purge()
        app = self.studio_apps.get(key)
        if app is None:
            raise ResourceNotFound(message=f"App {app_type}/{app_name} of {key[2]} does not exist")
        return app

    def describe_app(
        self,
        domain_id: str,
        app_type: str,
        app_name: str,
        user_profile_name: str | None = None,
        space_name: str | None = None,
    ) -> dict[str, Any]:
        return self._app(domain_id, user_profile_name, space_name, app_type, app_name).describe()

    def list_apps(
        self,
        domain_id_equals: str | None = None,
        user_profile_name_equals: str | None = None,
        space_name_equals: str | None = None,
        sort_by: str | None = None,
        sort_order: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        if user_profile_name_equals and space_name_equals:
            raise ValidationError(
                message="UserProfileNameEquals and SpaceNameEquals cannot both be specified"
            )
        _check_enum(sort_by, "sortBy", ("CreationTime",))
        self._studio_purge()
        items = [
            a
            for a in self.studio_apps.values()
            if (not domain_id_equals or a.domain_id == domain_id_equals)
            and (not user_profile_name_equals or a.user_profile_name == user_profile_name_equals)
            and (not space_name_equals or a.space_name == space_name_equals)
        ]
        chunk, token = paging.page(
            paging.sort_items(items, "creation_time", sort_order), max_results, next_token
        )
        return [a.summary() for a in chunk], token

    def delete_app(
        self,
        domain_id: str,
        app_type: str,
        app_name: str,
        user_profile_name: str | None = None,
        space_name: str | None = None,
    ) -> None:
        app = self._app(domain_id, user_profile_name, space_name, app_type, app_name)
        state = app.state()
        if state == "Deleted":
            raise ResourceNotFound(message=f"App {app_type}/{app_name} of {app.owner} is already deleted")
        if state != "InService":
            raise ResourceInUseException(
                message=f"App {app_type}/{app_name} of {app.owner} is in status {state}; "
                "only an app that is InService can be deleted"
            )
        app.lifecycle.move("Deleting", "Deleted", self.studio_delays.app_deleting_s)
