"""The class's log streams in SageMaker's shared log groups, which the whole account writes to.

AWS doc "Log groups and streams that Amazon SageMaker AI sends to Amazon CloudWatch Logs"
(docs.aws.amazon.com/sagemaker/latest/dg/logging-cloudwatch.html) names them:

- ``/aws/sagemaker/TrainingJobs``: ``[training-job-name]/algo-[instance-number-in-cluster]-[epoch_timestamp]``
  (a tuning job's training jobs too: they are training jobs);
- ``/aws/sagemaker/TransformJobs``: ``[transform-job-name]/[instance-id]-[epoch_timestamp]`` (and
  ``…/data-log``);
- ``/aws/sagemaker/ProcessingJobs``: ``[processing-job-name]/[hostname]-[epoch_timestamp]``;
- ``/aws/sagemaker/NotebookInstances``: ``[notebook-instance-name]/[LifecycleConfigHook]`` and
  ``…/jupyter.log``;
- ``/aws/sagemaker/studio``: ``[domain-id]/[user-profile-name]/[app-type]/[app-name]`` (and the
  spaces' ``[domain-id]/[space-name]/…``).

So a stream belongs to the resource named before its first ``/`` (SageMaker names cannot contain
``/``: pattern ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}``). A stream is the class's only when that resource
is provably the class's: its tags (``ownership.why_owned``, from the tagging API's index — training,
transform and processing jobs cannot be deleted and stay listed with their tags, and a tuning job's
training jobs carry the tuning job's tags) or, for ``studio``, the class's domain id. Every other
team's streams are never touched. A group that is itself the class's (a dedicated account) goes whole
with the ``log-groups`` kind, so its streams are not listed here. The endpoints' groups are per
endpoint (``/aws/sagemaker/Endpoints/<name>``) and come with an owned endpoint (its ``expand``).
"""

from __future__ import annotations

from provision.teardown.aws import is_not_found, paged
from provision.teardown.kinds.log_groups import WRITES
from provision.teardown.model import Context, Item, Kind, item
from provision.teardown.ownership import tag_index, why_owned
from provision.teardown.registry import register

# shared group -> the SageMaker resource type its streams are named after (None: the Studio domain id)
SHARED = {
    "/aws/sagemaker/TrainingJobs": "training-job",
    "/aws/sagemaker/TransformJobs": "transform-job",
    "/aws/sagemaker/ProcessingJobs": "processing-job",
    "/aws/sagemaker/NotebookInstances": "notebook-instance",
    "/aws/sagemaker/studio": None,
}
WHAT = {
    "training-job": "training job",
    "transform-job": "transform job",
    "processing-job": "processing job",
    "notebook-instance": "notebook instance",
}


def _tags_by_name(ctx: Context, region: str) -> dict[tuple[str, str], dict[str, str]]:
    """(resource type, lower-cased name) -> tags, from the region's tag index (no extra call)."""
    out: dict[tuple[str, str], dict[str, str]] = {}
    for arn, tags in tag_index(ctx, region).items():
        rtype, _, name = arn.split(":", 5)[-1].partition("/")
        out[(rtype, name)] = tags
    return out


def split_id(stream_id: str) -> tuple[str, str]:
    """``<group>:<stream>`` (neither a group nor a stream name may contain ``:``)."""
    group, _, stream = stream_id.partition(":")
    return group, stream


@register
class LogStreams(Kind):
    name = "log-streams"
    title = "The class's log streams in SageMaker's shared log groups (billed per GB stored)"
    depends_on = {
        "training-jobs": WRITES,
        "tuning-jobs": WRITES,
        "transform-jobs": WRITES,
        "notebook-instances": WRITES,
        "studio-apps": WRITES,
    }
    relist = True  # a stopped tuning job's last training jobs start streams after the plan
    gone_when_deleted = True  # DeleteLogStream returns once the stream is gone

    def _groups(self, ctx: Context, region: str) -> list[dict]:
        logs = ctx.aws.client("logs", region)
        return [
            g
            for g in paged(logs, "describe_log_groups", "logGroups", logGroupNamePrefix="/aws/sagemaker/")
            if g["logGroupName"] in SHARED
        ]

    def _streams(self, ctx: Context, region: str, group: str) -> list[dict]:
        logs = ctx.aws.client("logs", region)
        try:
            return paged(logs, "describe_log_streams", "logStreams", logGroupName=group)
        except Exception as err:
            if is_not_found(err):
                return []
            raise

    def list(self, ctx: Context, region: str) -> list[Item]:
        groups = self._groups(ctx, region)
        if not groups:
            return []
        group_tags = tag_index(ctx, region, "logs")
        by_name: list[dict[tuple[str, str], dict[str, str]]] = []  # read at the first job-named stream
        owners: dict[tuple[str, str], str | None] = {}  # (group, owner) -> why, once per listing

        def why(group: str, owner: str) -> str | None:
            rtype = SHARED[group]
            if rtype is None:  # Studio: the stream starts with the domain id
                return (
                    f"log stream of the class's Studio domain {owner}" if owner in ctx.domain_ids() else None
                )
            if not by_name:
                by_name.append(_tags_by_name(ctx, region))
            # a resource never tagged is not in the index: {} (the class's only in a dedicated account)
            owned = why_owned(ctx, by_name[0].get((rtype, owner.lower()), {}))
            return None if owned is None else f"log stream of the class's {WHAT[rtype]} {owner} ({owned})"

        out: list[Item] = []
        for g in groups:
            group = g["logGroupName"]
            arn = str(g.get("arn", "")).lower()
            if why_owned(ctx, group_tags.get(arn) or group_tags.get(arn.removesuffix(":*")) or {}):
                continue  # the whole group is the class's: the log-groups kind deletes it
            for s in self._streams(ctx, region, group):
                stream = s["logStreamName"]
                key = (group, stream.split("/", 1)[0])
                if key not in owners:
                    owners[key] = why(*key)
                if owners[key] is not None:
                    reason = f"{owners[key]} in SageMaker's shared group {group}"
                    out.append(
                        item(self.name, region, f"{group}:{stream}", reason, group=group, stream=stream)
                    )
        return out

    def delete(self, ctx: Context, it: Item) -> None:
        try:
            ctx.aws.client("logs", it.region).delete_log_stream(
                logGroupName=it.get("group"), logStreamName=it.get("stream")
            )
        except Exception as err:
            if not is_not_found(err):
                raise

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        present: set[str] = set()
        for group in sorted({it.get("group") for it in items}):
            present |= {f"{group}:{s['logStreamName']}" for s in self._streams(ctx, region, group)}
        return present
