"""The class's Studio domain: DeleteDomain with RetentionPolicy HomeEfsFileSystem=Delete (the API's
default, Retain, leaves the home EFS behind), then wait until DescribeDomain says it does not exist.
A ``Delete_Failed`` status is reported with SageMaker's FailureReason.
"""

from __future__ import annotations

from provision.teardown.aws import is_not_found
from provision.teardown.model import Context, Item, Kind, KindFailed, item
from provision.teardown.registry import register
from provision.teardown.studio import studio_delete


def describe(ctx: Context, region: str, domain_id: str, fresh: bool = False) -> dict | None:
    """DescribeDomain, or None when it does not exist; shared within a listing pass unless ``fresh``."""

    def fetch() -> dict | None:
        try:
            return ctx.aws.client("sagemaker", region).describe_domain(DomainId=domain_id)
        except Exception as err:
            if is_not_found(err):
                return None
            raise

    return fetch() if fresh else ctx.cached(("describe_domain", region, domain_id), fetch)


@register
class Domain(Kind):
    name = "domain"
    title = "SageMaker Studio domain (home EFS deleted with it)"
    depends_on = {
        "user-profiles": "DeleteDomain refuses while the domain has user profiles",
        "spaces": "DeleteDomain refuses while the domain has spaces",
        "studio-apps": "apps run inside the domain and must reach Deleted first",
    }

    def list(self, ctx: Context, region: str) -> list[Item]:
        out = []
        for domain_id in ctx.domain_ids():
            d = describe(ctx, region, domain_id)
            if d is not None:
                why = (
                    "the class's Studio domain (Terraform outputs)"
                    if domain_id in ctx.scope.domain_ids
                    else "Studio domain tagged with the class's tags"
                )
                out.append(
                    item(
                        self.name,
                        region,
                        domain_id,
                        why,
                        label=d.get("DomainName", domain_id),
                        status=d.get("Status", ""),
                    )
                )
        return out

    def delete(self, ctx: Context, it: Item) -> None:
        if it.get("status") in ("Deleting",):
            return
        sm = ctx.aws.client("sagemaker", it.region)
        studio_delete(
            lambda: sm.delete_domain(DomainId=it.id, RetentionPolicy={"HomeEfsFileSystem": "Delete"})
        )

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        present = set()
        for it in items:
            d = describe(ctx, region, it.id, fresh=True)
            if d is None:
                continue
            if d.get("Status") == "Delete_Failed":
                why = d.get("FailureReason") or "no reason given"
                raise KindFailed(f"domain {it.id} Delete_Failed: {why}")
            present.add(it.id)
        return present
