"""Endpoint configurations: notebooks delete the endpoint and forget its config."""

from __future__ import annotations

from provision.teardown.aws import is_not_found, page_size, paged
from provision.teardown.model import Context, Item, Kind
from provision.teardown.ownership import classify
from provision.teardown.registry import register


def _all(ctx: Context, region: str) -> list[dict]:
    sm = ctx.aws.client("sagemaker", region)
    return paged(sm, "list_endpoint_configs", "EndpointConfigs", MaxResults=page_size())


@register
class EndpointConfigs(Kind):
    name = "endpoint-configs"
    title = "SageMaker endpoint configurations"
    depends_on = {
        "endpoints": "an endpoint needs its config to scale, update or recover; delete it only once "
        "no endpoint uses it",
    }
    billable = False
    gone_when_deleted = True  # DeleteEndpointConfig returns once it is gone

    def list(self, ctx: Context, region: str) -> list[Item]:
        return classify(
            ctx,
            self.name,
            region,
            _all(ctx, region),
            arn="EndpointConfigArn",
            name="EndpointConfigName",
            why_here="endpoint config (left behind when only the endpoint is deleted)",
        )

    def delete(self, ctx: Context, it: Item) -> None:
        try:
            ctx.aws.client("sagemaker", it.region).delete_endpoint_config(EndpointConfigName=it.id)
        except Exception as err:
            if not is_not_found(err):
                raise

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        # full listing (not only the scoped one): a swept region's config is scoped through its endpoint
        return {c["EndpointConfigName"] for c in _all(ctx, region)}
