"""SageMaker models (the registration of a model.tar.gz plus an image; no charge, but clutter)."""

from __future__ import annotations

from provision.teardown.aws import is_not_found, page_size, paged
from provision.teardown.model import Context, Item, Kind
from provision.teardown.ownership import classify
from provision.teardown.registry import register


def _all(ctx: Context, region: str) -> list[dict]:
    return paged(ctx.aws.client("sagemaker", region), "list_models", "Models", MaxResults=page_size())


@register
class Models(Kind):
    name = "models"
    title = "SageMaker models"
    depends_on = {
        "endpoint-configs": "a config names its models; remove the config first so no config points at "
        "a missing model",
        "transform-jobs": "a running batch transform job reads its model",
    }
    billable = False
    gone_when_deleted = True  # DeleteModel returns once it is gone

    def list(self, ctx: Context, region: str) -> list[Item]:
        return classify(
            ctx, self.name, region, _all(ctx, region), arn="ModelArn", name="ModelName", why_here="model"
        )

    def delete(self, ctx: Context, it: Item) -> None:
        try:
            ctx.aws.client("sagemaker", it.region).delete_model(ModelName=it.id)
        except Exception as err:
            if not is_not_found(err):
                raise

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        return {m["ModelName"] for m in _all(ctx, region)}
