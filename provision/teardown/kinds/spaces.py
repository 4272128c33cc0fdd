"""Studio spaces of the class's domains (shared or private)."""

from __future__ import annotations

from provision.teardown.model import Context, Item, Kind, item
from provision.teardown.registry import register
from provision.teardown.studio import per_domain, studio_delete


@register
class Spaces(Kind):
    name = "spaces"
    title = "SageMaker Studio spaces"
    depends_on = {
        "studio-apps": "DeleteSpace refuses while the space still has apps that are not Deleted",
    }

    def _spaces(self, ctx: Context, region: str, domains: list[str]) -> list[dict]:
        return per_domain(ctx, region, "list_spaces", "Spaces", domains, kind=self.name)

    def list(self, ctx: Context, region: str) -> list[Item]:
        return [
            item(
                self.name,
                region,
                f"{s['DomainId']}/{s['SpaceName']}",
                f"Studio space in the class's domain {s['DomainId']}",
                label=s["SpaceName"],
                domain=s["DomainId"],
                space=s["SpaceName"],
                status=s.get("Status", ""),
            )
            for s in self._spaces(ctx, region, list(ctx.domain_ids()))
        ]

    def delete(self, ctx: Context, it: Item) -> None:
        if it.get("status") == "Deleting":
            return
        sm = ctx.aws.client("sagemaker", it.region)
        studio_delete(lambda: sm.delete_space(DomainId=it.get("domain"), SpaceName=it.get("space")))

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        domains = sorted({it.get("domain") for it in items})
        return {f"{s['DomainId']}/{s['SpaceName']}" for s in self._spaces(ctx, region, domains)}
