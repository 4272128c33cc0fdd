"""Shared code for running SageMaker jobs (training, tuning, transform): they cannot be deleted, only
stopped; a stopped job no longer bills. "Gone" means: not InProgress and not Stopping any more.
"""

from __future__ import annotations

from typing import ClassVar

from provision.teardown.aws import error_code, is_not_found, page_size, paged
from provision.teardown.model import Context, Item, Kind
from provision.teardown.ownership import classify

RUNNING = ("InProgress", "Stopping")


class RunningJobs(Kind):
    """A kind of SageMaker job, stopped when it runs in the class's region."""

    list_op: ClassVar[str]
    list_key: ClassVar[str]
    name_field: ClassVar[str]
    stop_op: ClassVar[str]
    stop_param: ClassVar[str]
    what: ClassVar[str]
    use: ClassVar[str] = "training"  # the price table's use (the "left alone" list's $/hour)

    @property
    def describe_op(self) -> str:
        return self.stop_op.replace("stop_", "describe_", 1)

    @property
    def status_field(self) -> str:
        return self.name_field.replace("Name", "Status")

    def _listing(self, ctx: Context, region: str, status: str) -> list[dict]:
        sm = ctx.aws.client("sagemaker", region)
        return paged(sm, self.list_op, self.list_key, StatusEquals=status, MaxResults=page_size())

    def list(self, ctx: Context, region: str, statuses: tuple[str, ...] = RUNNING) -> list[Item]:
        out = []
        for status in statuses:
            rows = [{**j, "_status": status} for j in self._listing(ctx, region, status)]
            out += classify(
                ctx,
                self.name,
                region,
                rows,
                arn=self.name_field.replace("Name", "Arn"),
                name=self.name_field,
                use=self.use,
                why_here=f"{self.what} {status} in the class's region, bills by the hour",
                status="_status",
            )
        return out

    def relist_items(self, ctx: Context, region: str) -> list[Item]:
        """Just before stopping: jobs InProgress now (a Stopping one needs no stop call; the plan's
        Stopping jobs are waited for, and the receipt lists InProgress and Stopping again)."""
        return self.list(ctx, region, statuses=("InProgress",))

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        """Still running: one Describe per item when that is fewer calls than a listing per status."""
        if len(items) >= len(RUNNING):
            return super().present_ids(ctx, region, items)
        sm = ctx.aws.client("sagemaker", region)
        present = set()
        for it in items:
            try:
                job = getattr(sm, self.describe_op)(**{self.stop_param: it.id})
            except Exception as err:
                if is_not_found(err):
                    continue
                raise
            if job.get(self.status_field) in RUNNING:
                present.add(it.id)
        return present

    def delete(self, ctx: Context, it: Item) -> None:
        if it.get("status") == "Stopping":
            return
        sm = ctx.aws.client("sagemaker", it.region)
        try:
            getattr(sm, self.stop_op)(**{self.stop_param: it.id})
        except Exception as err:
            # already stopped/completed (a ValidationException) or gone: the wait confirms it
            if not (is_not_found(err) or error_code(err) in {"ValidationException", "ValidationError"}):
                raise
