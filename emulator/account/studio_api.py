"""SageMaker API handlers for Studio and the domain, added to moto's ``SageMakerResponse``.

Each handler reads the request (moto parses it from botocore's shapes) and calls the backend's
``StudioMixin`` method; moto serialises the returned ``ActionResult`` from the output shape.
"""

from __future__ import annotations

from collections.abc import Callable

from moto.core.responses import ActionResult, EmptyResult
from moto.sagemaker.responses import SageMakerResponse

from emulator.account import paging

Handler = Callable[[SageMakerResponse], ActionResult]


# --- domain ---------------------------------------------------------------------------------------
def create_domain(self: SageMakerResponse) -> ActionResult:
    g = self._get_param
    result = self.sagemaker_backend.create_domain(
        domain_name=g("DomainName"),
        auth_mode=g("AuthMode"),
        default_user_settings=g("DefaultUserSettings"),
        subnet_ids=g("SubnetIds"),
        vpc_id=g("VpcId"),
        domain_settings=g("DomainSettings"),
        tags=g("Tags"),
        app_network_access_type=g("AppNetworkAccessType"),
        home_efs_file_system_kms_key_id=g("HomeEfsFileSystemKmsKeyId"),
        kms_key_id=g("KmsKeyId"),
        app_security_group_management=g("AppSecurityGroupManagement"),
        default_space_settings=g("DefaultSpaceSettings"),
        tag_propagation=g("TagPropagation"),
        home_efs_file_system_creation=g("HomeEfsFileSystemCreation"),
    )
    return ActionResult(result)


def describe_domain(self: SageMakerResponse) -> ActionResult:
    return ActionResult(self.sagemaker_backend.describe_domain(domain_id=self._get_param("DomainId")))


def list_domains(self: SageMakerResponse) -> ActionResult:
    items = self.sagemaker_backend.domain_summaries()
    chunk, token = paging.page(items, self._get_param("MaxResults"), self._get_param("NextToken"))
    return ActionResult({"Domains": chunk, "NextToken": token})


def update_domain(self: SageMakerResponse) -> ActionResult:
    keys = (
        "DefaultUserSettings",
        "DomainSettingsForUpdate",
        "AppSecurityGroupManagement",
        "DefaultSpaceSettings",
        "SubnetIds",
        "AppNetworkAccessType",
        "TagPropagation",
    )
    changes = {k: self._get_param(k) for k in keys if self._get_param(k) is not None}
    arn = self.sagemaker_backend.update_domain(self._get_param("DomainId"), changes)
    return ActionResult({"DomainArn": arn})


def delete_domain(self: SageMakerResponse) -> ActionResult:
    self.sagemaker_backend.delete_domain(
        domain_id=self._get_param("DomainId"), retention_policy=self._get_param("RetentionPolicy")
    )
    return EmptyResult()


# --- user profiles --------------------------------------------------------------------------------
def create_user_profile(self: SageMakerResponse) -> ActionResult:
    g = self._get_param
    arn = self.sagemaker_backend.create_user_profile(
        domain_id=g("DomainId"),
        name=g("UserProfileName"),
        tags=g("Tags"),
        user_settings=g("UserSettings"),
        sso_user_identifier=g("SingleSignOnUserIdentifier"),
        sso_user_value=g("SingleSignOnUserValue"),
    )
    return ActionResult({"UserProfileArn": arn})


def describe_user_profile(self: SageMakerResponse) -> ActionResult:
    return ActionResult(
        self.sagemaker_backend.describe_user_profile(
            self._get_param("DomainId"), self._get_param("UserProfileName")
        )
    )


def create_presigned_domain_url(self: SageMakerResponse) -> ActionResult:
    """A sign-in URL for a profile (API_CreatePresignedDomainUrl); the profile must exist. The URL only
    has AWS's shape: nothing serves it."""
    import secrets

    domain_id, name = self._get_param("DomainId"), self._get_param("UserProfileName")
    self.sagemaker_backend.describe_user_profile(domain_id, name)  # ResourceNotFound when missing
    region = self.sagemaker_backend.region_name
    return ActionResult(
        {
            "AuthorizedUrl": f"https://{domain_id}.studio.{region}.sagemaker.aws/auth?token="
            f"{secrets.token_urlsafe(24)}"
        }
    )


def _list_in_domain(self: SageMakerResponse, listing: Callable, kind: str, plural: str) -> ActionResult:
    """ListUserProfiles and ListSpaces: the same request fields (``<kind>NameContains``) and answer."""
    g = self._get_param
    items, token = listing(
        domain_id_equals=g("DomainIdEquals"),
        name_contains=g(f"{kind}NameContains"),
        sort_by=g("SortBy"),
        sort_order=g("SortOrder"),
        max_results=g("MaxResults"),
        next_token=g("NextToken"),
    )
    return ActionResult({plural: items, "NextToken": token})


def list_user_profiles(self: SageMakerResponse) -> ActionResult:
    return _list_in_domain(self, self.sagemaker_backend.list_user_profiles, "UserProfile", "UserProfiles")


def update_user_profile(self: SageMakerResponse) -> ActionResult:
    arn = self.sagemaker_backend.update_user_profile(
        self._get_param("DomainId"), self._get_param("UserProfileName"), self._get_param("UserSettings")
    )
    return ActionResult({"UserProfileArn": arn})


def delete_user_profile(self: SageMakerResponse) -> ActionResult:
    self.sagemaker_backend.delete_user_profile(
        self._get_param("DomainId"), self._get_param("UserProfileName")
    )
    return EmptyResult()


# --- spaces ---------------------------------------------------------------------------------------
def create_space(self: SageMakerResponse) -> ActionResult:
    g = self._get_param
    arn = self.sagemaker_backend.create_space(
        domain_id=g("DomainId"),
        name=g("SpaceName"),
        tags=g("Tags"),
        space_settings=g("SpaceSettings"),
        ownership_settings=g("OwnershipSettings"),
        sharing_settings=g("SpaceSharingSettings"),
        display_name=g("SpaceDisplayName"),
    )
    return ActionResult({"SpaceArn": arn})


def describe_space(self: SageMakerResponse) -> ActionResult:
    return ActionResult(
        self.sagemaker_backend.describe_space(self._get_param("DomainId"), self._get_param("SpaceName"))
    )


def list_spaces(self: SageMakerResponse) -> ActionResult:
    return _list_in_domain(self, self.sagemaker_backend.list_spaces, "Space", "Spaces")


def update_space(self: SageMakerResponse) -> ActionResult:
    arn = self.sagemaker_backend.update_space(
        self._get_param("DomainId"),
        self._get_param("SpaceName"),
        space_settings=self._get_param("SpaceSettings"),
        display_name=self._get_param("SpaceDisplayName"),
    )
    return ActionResult({"SpaceArn": arn})


def delete_space(self: SageMakerResponse) -> ActionResult:
    self.sagemaker_backend.delete_space(self._get_param("DomainId"), self._get_param("SpaceName"))
    return EmptyResult()


# --- apps -----------------------------------------------------------------------------------------
def _app_ids(self: SageMakerResponse) -> dict[str, object]:
    g = self._get_param
    return {
        "domain_id": g("DomainId"),
        "app_type": g("AppType"),
        "app_name": g("AppName"),
        "user_profile_name": g("UserProfileName"),
        "space_name": g("SpaceName"),
    }


def create_app(self: SageMakerResponse) -> ActionResult:
    arn = self.sagemaker_backend.create_app(
        **_app_ids(self),
        tags=self._get_param("Tags"),
        resource_spec=self._get_param("ResourceSpec"),
        recovery_mode=self._get_param("RecoveryMode"),
    )
    return ActionResult({"AppArn": arn})


def describe_app(self: SageMakerResponse) -> ActionResult:
    return ActionResult(self.sagemaker_backend.describe_app(**_app_ids(self)))


def list_apps(self: SageMakerResponse) -> ActionResult:
    g = self._get_param
    items, token = self.sagemaker_backend.list_apps(
        domain_id_equals=g("DomainIdEquals"),
        user_profile_name_equals=g("UserProfileNameEquals"),
        space_name_equals=g("SpaceNameEquals"),
        sort_by=g("SortBy"),
        sort_order=g("SortOrder"),
        max_results=g("MaxResults"),
        next_token=g("NextToken"),
    )
    return ActionResult({"Apps": items, "NextToken": token})


def delete_app(self: SageMakerResponse) -> ActionResult:
    self.sagemaker_backend.delete_app(**_app_ids(self))
    return EmptyResult()


HANDLERS: dict[str, Handler] = {
    fn.__name__: fn
    for fn in (
        create_domain,
        describe_domain,
        list_domains,
        update_domain,
        delete_domain,
        create_user_profile,
        describe_user_profile,
        list_user_profiles,
        update_user_profile,
        delete_user_profile,
        create_presigned_domain_url,
        create_space,
        describe_space,
        list_spaces,
        update_space,
        delete_space,
        create_app,
        describe_app,
        list_apps,
        delete_app,
    )
}


def install() -> None:
    """Add (or replace) the Studio and domain handlers on moto's SageMakerResponse."""
    for name, fn in HANDLERS.items():
        setattr(SageMakerResponse, name, fn)
