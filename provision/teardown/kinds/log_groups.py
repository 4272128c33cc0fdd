"""``/aws/sagemaker/*`` log groups in the class's region, last of the AWS resources: SageMaker keeps
writing (and so recreates the group) until the job, endpoint, notebook or app is really gone.
"""

from __future__ import annotations

from provision.teardown.aws import is_not_found, paged
from provision.teardown.model import Context, Item, Kind
from provision.teardown.ownership import classify, tag_index
from provision.teardown.registry import register

PREFIX = "/aws/sagemaker/"
WRITES = "SageMaker writes to its log groups while it runs and recreates a deleted group"


@register
class LogGroups(Kind):
    name = "log-groups"
    title = "CloudWatch log groups /aws/sagemaker/* (billed per GB stored)"
    depends_on = {
        "training-jobs": WRITES,
        "tuning-jobs": WRITES,
        "transform-jobs": WRITES,
        "endpoints": WRITES,
        "notebook-instances": WRITES,
        "studio-apps": WRITES,
        "domain": WRITES,
    }
    gone_when_deleted = True  # DeleteLogGroup returns once it is gone (a recreated group: the receipt lists)

    def _all(self, ctx: Context, region: str) -> list[dict]:
        logs = ctx.aws.client("logs", region)
        return paged(logs, "describe_log_groups", "logGroups", logGroupNamePrefix=PREFIX)

    def list(self, ctx: Context, region: str) -> list[Item]:
        """Log groups tagged for the class (or, in a dedicated account, every ``/aws/sagemaker/*`` group
        without a classroom tag). An endpoint's own group comes with the endpoint (its ``expand``).
        SageMaker's shared groups (``/aws/sagemaker/TrainingJobs``, ``TransformJobs``,
        ``NotebookInstances``, ``studio``) hold every team's logs: left alone unless dedicated."""
        groups = self._all(ctx, region)
        tags = tag_index(ctx, region, "logs") if groups else {}

        def tags_of(g: dict) -> dict[str, str]:
            arn = str(g.get("arn", "")).lower()
            return tags.get(arn) or tags.get(arn.removesuffix(":*")) or {}

        return classify(
            ctx,
            self.name,
            region,
            groups,
            arn="arn",
            name="logGroupName",
            why_here="SageMaker log group",
            created="creationTime",
            tags_of=tags_of,
        )

    def delete(self, ctx: Context, it: Item) -> None:
        try:
            ctx.aws.client("logs", it.region).delete_log_group(logGroupName=it.id)
        except Exception as err:
            if not is_not_found(err):
                raise

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        return {g["logGroupName"] for g in self._all(ctx, region)}
