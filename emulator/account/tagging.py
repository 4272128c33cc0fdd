"""Tags on Studio ARNs and the tagging-API fixes, mixed into the SageMaker backend.

- ListTags / AddTags / DeleteTags accept user-profile, space and app ARNs (moto answers 500:
  its ARN parser expects ``type/name``);
- AddTags replaces the value of a key that is already there, as AWS does (moto appended a second
  tag with the same key);
- the Resource Groups Tagging API lists profiles, spaces and apps, and gives endpoint-config ARNs
  as strings (moto stores them as a one-element tuple and printed ``"('arn:…',)"``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from moto.core.resource_tagging import TaggedResource
from moto.sagemaker.exceptions import ResourceNotFound

STUDIO_ARN_TYPES = ("user-profile", "space", "app")


def arn_resource_type(arn: str) -> str:
    """``arn:aws:sagemaker:r:a:user-profile/d-x/name`` → ``user-profile``."""
    return arn.split(":", 5)[-1].split("/", 1)[0]


def plain_arn(arn: Any) -> str:
    """moto keeps some ARNs as a one-element tuple; AWS gives strings."""
    if isinstance(arn, (tuple, list)):
        return str(arn[0])
    return str(arn)


class StudioTaggingMixin:
    """Studio ARNs in the tag calls; tagging-API fixes."""

    def _studio_by_arn(self, arn: str) -> Any:
        self._studio_purge()  # type: ignore[attr-defined]
        stores = {
            "user-profile": self.user_profiles,  # type: ignore[attr-defined]
            "space": self.studio_spaces,  # type: ignore[attr-defined]
            "app": self.studio_apps,  # type: ignore[attr-defined]
        }[arn_resource_type(arn)]
        for item in stores.values():
            if item.arn == arn:
                return item
        raise ResourceNotFound(message=f"Resource {arn} does not exist")

    def _get_resource_from_arn(self, arn: str) -> Any:
        if arn_resource_type(arn) in STUDIO_ARN_TYPES:
            return self._studio_by_arn(arn)
        return super()._get_resource_from_arn(arn)  # type: ignore[misc]

    def add_tags(self, arn: str, tags: list[dict[str, str]]) -> list[dict[str, str]]:
        resource = self._get_resource_from_arn(arn)
        if getattr(resource, "tags", None) is None:
            resource.tags = []
        new_keys = {t["Key"] for t in tags}
        resource.tags = [t for t in resource.tags if t["Key"] not in new_keys] + list(tags)
        return list(resource.tags)

    def iter_tagged_resources(self) -> Iterator[TaggedResource]:
        for res in super().iter_tagged_resources():  # type: ignore[misc]
            res.arn = plain_arn(res.arn)
            yield res
        self._studio_purge()  # type: ignore[attr-defined]
        for rtype, store in (
            ("sagemaker:user-profile", self.user_profiles),  # type: ignore[attr-defined]
            ("sagemaker:space", self.studio_spaces),  # type: ignore[attr-defined]
            ("sagemaker:app", self.studio_apps),
        ):  # type: ignore[attr-defined]
            for item in store.values():
                if item.state() == "Deleted":  # a Deleted app is only listed by ListApps
                    continue
                yield TaggedResource(
                    arn=item.arn, tags={t["Key"]: t["Value"] for t in item.tags}, resource_type=rtype
                )
