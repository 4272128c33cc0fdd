"""The tags SageMaker adds by itself to what is made in Studio, and custom tag propagation.

AWS's documentation:

- "Tagging SageMaker AI resources" (security_iam_id-based-policy-examples, *AWS generated tags*):
  Studio automatically assigns ``sagemaker:domain-arn`` to the SageMaker resources it creates
  (training jobs, models, endpoints ...), and ``sagemaker:user-profile-arn`` (the profile that created
  the resource) or ``sagemaker:space-arn`` (the space it was created in); users cannot change them.
  The permission to add them is the *execution role's* (``sagemaker:AddTags`` beside the create
  permission): they are added to requests Studio's kernels make with the execution role's credentials.
- "Automatic tag propagation" (domain-multiple-tag): resources that support tagging created from
  Studio get the domain ARN tag; the ``default`` app that serves the Studio UI is not tagged.
- "Custom tag propagation" (custom-tags): with the domain's ``TagPropagation=ENABLED`` the custom tags
  of the domain, and of the user profile or space, propagate to the resources created in that
  context; system tags (``aws:*``, and SageMaker's own ``sagemaker:*``) are not propagated.

How the emulator recognises a Studio kernel's request: it is signed by an STS session of a role that
is the execution role of a user profile (its ``UserSettings.ExecutionRole``, else the domain's
``DefaultUserSettings.ExecutionRole``) and the session is named after that profile (what ``classroom
lab`` gives each student's kernels, and what ``ExecutionRoleIdentityConfig=USER_PROFILE_NAME`` makes
the source identity on AWS), or after a space of the domain (its ``DefaultSpaceSettings`` role).
Such a request's Create* call gets the tags above before it runs; any other request gets none.
Spaces and apps (but the ``default`` JupyterServer) are inside a domain by definition: they get the
domain's tags whoever creates them (``StudioMixin``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

DOMAIN_ARN = "sagemaker:domain-arn"
PROFILE_ARN = "sagemaker:user-profile-arn"
SPACE_ARN = "sagemaker:space-arn"
NOT_FROM_STUDIO = ("CreateDomain", "CreateUserProfile")  # made by an administrator, not in Studio


def _custom(tags: list[dict[str, str]] | None) -> list[dict[str, str]]:
    return [t for t in tags or [] if not t["Key"].startswith(("aws:", "sagemaker:"))]


def merge(*groups: list[dict[str, str]] | None) -> list[dict[str, str]]:
    """Tags of several sources, a later source's value winning for the same key, order kept."""
    out: dict[str, str] = {}
    for group in groups:
        for t in group or []:
            out.pop(t["Key"], None)
            out[t["Key"]] = t["Value"]
    return [{"Key": k, "Value": v} for k, v in out.items()]


def studio_tags(
    backend: Any,
    domain_id: str,
    profile: Any = None,
    space: Any = None,
    request: list[dict[str, str]] | None = None,
) -> list[dict[str, str]]:
    """The tags of a resource made in ``domain_id`` (by ``profile`` or in ``space``) whose request gave
    ``request``: propagated custom tags, then the request's own (they win for the same key), then
    SageMaker's ``sagemaker:*`` ones (which users cannot set or change)."""
    domain = backend.domains.get(domain_id)
    if domain is None:
        return list(request or [])
    extras = backend.kit_domain_extras.get(domain_id)
    propagate = extras is not None and extras.tag_propagation == "ENABLED"
    owner = profile or space
    custom = (
        merge(_custom(domain.tags), _custom(owner.tags) if owner is not None else []) if propagate else []
    )
    auto = [{"Key": DOMAIN_ARN, "Value": str(domain.arn)}]
    if profile is not None:
        auto.append({"Key": PROFILE_ARN, "Value": profile.arn})
    if space is not None:
        auto.append({"Key": SPACE_ARN, "Value": space.arn})
    return merge(custom, request, auto)


def _role_name(arn: str | None) -> str:
    return (arn or "").rsplit("/", 1)[-1]


def studio_origin(backend: Any, role_name: str, session_name: str) -> tuple[str, Any, Any] | None:
    """(domain id, profile, space) of the Studio kernel whose session this is, or None."""
    backend._studio_purge()
    for (domain_id, name), profile in backend.user_profiles.items():
        if name != session_name or domain_id not in backend.domains:
            continue
        domain = backend.domains[domain_id]
        role = (profile.user_settings or {}).get("ExecutionRole") or (domain.default_user_settings or {}).get(
            "ExecutionRole"
        )
        if _role_name(role) == role_name:
            return domain_id, profile, None
    for (domain_id, name), space in backend.studio_spaces.items():
        if name != session_name or domain_id not in backend.domains:
            continue
        domain = backend.domains[domain_id]
        role = (domain.default_space_settings or {}).get("ExecutionRole") or (
            domain.default_user_settings or {}
        ).get("ExecutionRole")
        if _role_name(role) == role_name:
            return domain_id, None, space
    return None


def _session(resp: Any) -> tuple[str, str] | None:
    """(role name, session name) when the request is signed by an assumed-role session."""
    from emulator.iam import enforce, principals

    query = urlparse(resp.uri).query if getattr(resp, "uri", None) else ""
    cred = enforce.credential(resp.headers, query)
    if cred is None:
        return None
    key_id, region, _ = cred
    who = principals.lookup(resp.current_account, enforce._partition(region), key_id)
    if who is None or who.kind != "assumed-role":
        return None
    return who.name, who.arn.rsplit("/", 1)[-1]


def add_request_tags(resp: Any) -> None:
    """Before a Create* call from a Studio kernel runs: SageMaker's tags join the request's."""
    action = resp._get_action() or ""
    if not action.startswith("Create") or action in NOT_FROM_STUDIO or not isinstance(resp.params, dict):
        return
    session = _session(resp)
    if session is None:
        return
    backend = resp.sagemaker_backend
    origin = studio_origin(backend, *session)
    if origin is None:
        return
    domain_id, profile, space = origin
    resp.params["Tags"] = studio_tags(backend, domain_id, profile, space, request=resp.params.get("Tags"))


def install() -> None:
    """Wrap SageMaker's request dispatch (idempotent)."""
    from moto.sagemaker.responses import SageMakerResponse

    if getattr(SageMakerResponse, "_kit_studio_tags", False):
        return
    original = SageMakerResponse.call_action

    def call_action(self: Any) -> Any:
        add_request_tags(self)
        return original(self)

    SageMakerResponse.call_action = call_action  # type: ignore[method-assign]
    SageMakerResponse._kit_studio_tags = True  # type: ignore[attr-defined]
