"""The Studio lifecycle configuration that copies the lesson's notebooks, when the class's Terraform
state does not hold it: named ``<class>-…`` and tagged ``classroom=<class>`` (kinds/_account.py)."""

from __future__ import annotations

from typing import Any

from provision.teardown.aws import paged
from provision.teardown.kinds._account import ClassTagged, tags_of
from provision.teardown.model import Item
from provision.teardown.registry import register


@register
class StudioLifecycleConfigs(ClassTagged):
    name = "studio-lifecycle-configs"
    title = "The class's Studio lifecycle configuration, not in its Terraform state"
    depends_on = {"domain": "a lifecycle configuration the domain uses cannot be deleted (ResourceInUse)"}
    # DeleteStudioLifecycleConfig is synchronous
    service, record = "sagemaker", "studio_lifecycle_configs"
    name_field, what = "StudioLifecycleConfigName", "Studio lifecycle configuration"

    def rows(self, client: Any) -> list[dict]:
        return paged(client, "list_studio_lifecycle_configs", "StudioLifecycleConfigs")

    def tags(self, client: Any, name: str, row: dict) -> dict[str, str]:
        return tags_of(paged(client, "list_tags", "Tags", ResourceArn=row["StudioLifecycleConfigArn"]))

    def remove(self, client: Any, it: Item) -> None:
        client.delete_studio_lifecycle_config(StudioLifecycleConfigName=it.id)
