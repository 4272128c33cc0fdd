"""Real-time endpoints of the class (``ownership``), in the class's region and in every enabled region
(students click in the wrong one). Delete, then wait until they are no longer listed. The endpoint's
config, models and log group come along (``expand``), so nothing that only this class made is left.
"""

from __future__ import annotations

from kitcore.aws import endpoint_parts
from provision.teardown.aws import error_code, is_not_found, page_size, paged
from provision.teardown.model import Context, Item, Kind, NotReady, item
from provision.teardown.ownership import classify_swept
from provision.teardown.registry import register

GROUP_PREFIX = "/aws/sagemaker/Endpoints/"


@register
class Endpoints(Kind):
    name = "endpoints"
    title = "SageMaker real-time endpoints (deleted; billed per instance-hour)"
    depends_on: dict[str, str] = {}
    sweep = True

    def list(self, ctx: Context, region: str) -> list[Item]:
        return classify_swept(
            ctx,
            self.name,
            region,
            "list_endpoints",
            "Endpoints",
            why=(
                "endpoint in the class's region, bills by the hour",
                "endpoint found by the sweep of {region} (wrong region?), bills by the hour",
            ),
            arn="EndpointArn",
            name="EndpointName",
            use="hosting",
            status="EndpointStatus",
        )

    def expand(self, ctx: Context, items: list[Item]) -> list[Item]:
        """An owned endpoint's config, its models and its log group are the class's too (whatever their
        tags): they exist only for it. Marked ``reached`` so the receipt looks them up again.

        In the class's region configs, models and ``/aws/sagemaker/*`` log groups are listed anyway:
        an endpoint is described only when some config or model there is not the class's by its tags,
        and its log group is taken from the log-group listing. In a swept region nothing else is
        listed, so each of the class's endpoints there is described."""
        alone = {it.key for it in ctx.alone()}
        untagged_here = any(
            k[0] in ("endpoint-configs", "models") and k[1] == ctx.scope.region for k in alone
        )
        extra: list[Item] = []
        groups: dict[str, set[str]] = {}  # swept region -> its endpoint log groups (one listing each)
        for it in items:
            here = it.region == ctx.scope.region
            group = f"{GROUP_PREFIX}{it.id}"
            if not here and it.region not in groups:
                logs = ctx.aws.client("logs", it.region)
                groups[it.region] = {
                    g["logGroupName"]
                    for g in paged(logs, "describe_log_groups", "logGroups", logGroupNamePrefix=GROUP_PREFIX)
                }
            if (("log-groups", it.region, group) in alone) if here else (group in groups[it.region]):
                extra.append(
                    item(
                        "log-groups",
                        it.region,
                        group,
                        f"log group of the class's endpoint {it.id}",
                        reached=it.id,
                    )
                )
            if here and not untagged_here:
                continue
            parts = endpoint_parts(ctx.aws.client("sagemaker", it.region), it.id)
            if parts is None:
                continue
            config, models = parts
            extra.append(
                item(
                    "endpoint-configs",
                    it.region,
                    config,
                    f"config of the class's endpoint {it.id}",
                    reached=it.id,
                )
            )
            extra += [
                item("models", it.region, m, f"model of the class's endpoint {it.id}", reached=it.id)
                for m in models
            ]
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
