"""Real-time endpoints, in the class's region and in every enabled region (students click in the wrong
one). Delete, then wait until they are no longer listed. In a swept region the endpoint's config and
model come along (``expand``), so nothing that only this class made is left there.
"""

from __future__ import annotations

from kitcore.aws import endpoint_parts
from provision.teardown.aws import error_code, is_not_found, page_size, paged
from provision.teardown.model import Context, Item, Kind, NotReady, item
from provision.teardown.registry import register


@register
class Endpoints(Kind):
    name = "endpoints"
    title = "SageMaker real-time endpoints (deleted; billed per instance-hour)"
    depends_on: dict[str, str] = {}
    sweep = True

    def list(self, ctx: Context, region: str) -> list[Item]:
        sm = ctx.aws.client("sagemaker", region)
        here = region == ctx.scope.region
        why = ("endpoint in the class's region: bills by the hour" if here else
               f"endpoint found by the sweep of {region} (wrong region?): bills by the hour")
        return [item(self.name, region, e["EndpointName"], why, status=e.get("EndpointStatus", ""))
                for e in paged(sm, "list_endpoints", "Endpoints", MaxResults=page_size())]

    def expand(self, ctx: Context, items: list[Item]) -> list[Item]:
        extra: list[Item] = []
        for it in items:
            if it.region == ctx.scope.region:
                continue  # the class's region lists every config and model anyway
            parts = endpoint_parts(ctx.aws.client("sagemaker", it.region), it.id)
            if parts is None:
                continue
            config, models = parts
            extra.append(item("endpoint-configs", it.region, config,
                              f"config of endpoint {it.id} found by the sweep of {it.region}"))
            why = f"model of endpoint {it.id} found by the sweep of {it.region}"
            extra += [item("models", it.region, m, why) for m in models]
        return extra

    def delete(self, ctx: Context, it: Item) -> None:
        if it.get("status") == "Deleting":
            return
        try:
            ctx.aws.client("sagemaker", it.region).delete_endpoint(EndpointName=it.id)
        except Exception as err:
            if is_not_found(err):
                return
            if error_code(err) in {"ValidationException", "ResourceInUse"}:
                # e.g. still Creating/Updating: try again while waiting
                raise NotReady(str(err)) from err
            raise

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        sm = ctx.aws.client("sagemaker", region)
        return {e["EndpointName"] for e in paged(sm, "list_endpoints", "Endpoints", MaxResults=page_size())}
