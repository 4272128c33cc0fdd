"""Notebook instances, in every enabled region: stop, wait until Stopped, delete, wait until gone.

``delete`` is a small state machine driven by the runner's retries: each call looks at the status and
does the next step, raising NotReady until the instance can be deleted.
"""

from __future__ import annotations

from provision.teardown.aws import error_code, is_not_found, page_size, paged
from provision.teardown.model import Context, Item, Kind, NotReady
from provision.teardown.ownership import classify_swept
from provision.teardown.registry import register

# NotebookInstanceStatus (botocore's sagemaker 2017-07-24 model): Pending | InService | Stopping |
# Stopped | Failed | Deleting | Updating | PendingMaintenance | InMaintenance. DeleteNotebookInstance
# accepts only Stopped or Failed ("Status (X) not in ([Stopped, Failed])"). PendingMaintenance is a
# running instance with maintenance scheduled: it bills, so it is stopped like InService. While
# InMaintenance (or any status not named here) the kit waits and asks again.
RUNNING = ("InService", "Updating", "PendingMaintenance")
DELETABLE = ("Stopped", "Failed")


@register
class NotebookInstances(Kind):
    name = "notebook-instances"
    title = "SageMaker notebook instances (stopped, then deleted; billed per instance-hour)"
    depends_on: dict[str, str] = {}
    sweep = True

    def list(self, ctx: Context, region: str) -> list[Item]:
        return classify_swept(
            ctx,
            self.name,
            region,
            "list_notebook_instances",
            "NotebookInstances",
            why=(
                "notebook instance in the class's region, bills by the hour while InService",
                "notebook instance found by the sweep of {region} (wrong region?)",
            ),
            arn="NotebookInstanceArn",
            name="NotebookInstanceName",
            use="notebook",
            instance_type="InstanceType",
            status="NotebookInstanceStatus",
        )

    def delete(self, ctx: Context, it: Item) -> None:
        sm = ctx.aws.client("sagemaker", it.region)
        # the wait's listing (a moment ago) gives the status; otherwise (the first attempt) ask for it
        seen = ctx.take_seen(it.key)
        try:
            status = (
                seen or sm.describe_notebook_instance(NotebookInstanceName=it.id)["NotebookInstanceStatus"]
            )
            if status in RUNNING:
                sm.stop_notebook_instance(NotebookInstanceName=it.id)
                raise NotReady(f"notebook instance {it.id} is stopping")
            if status == "Deleting":
                return
            if status not in DELETABLE:  # Pending, Stopping, InMaintenance, or a status AWS adds later
                raise NotReady(f"notebook instance {it.id} is {status}")
            sm.delete_notebook_instance(NotebookInstanceName=it.id)
        except NotReady:
            raise
        except Exception as err:
            if is_not_found(err):
                return
            if error_code(err) in {"ValidationException", "ValidationError"}:
                # the status changed since it was read (e.g. maintenance began): ask again while waiting
                raise NotReady(f"notebook instance {it.id}: {err}") from err
            raise

    def present_ids(self, ctx: Context, region: str, items: list[Item]) -> set[str]:
        sm = ctx.aws.client("sagemaker", region)
        listed = paged(sm, "list_notebook_instances", "NotebookInstances", MaxResults=page_size())
        wanted = {it.id for it in items}
        for n in listed:
            if n["NotebookInstanceName"] in wanted and n.get("NotebookInstanceStatus"):
                ctx.see((self.name, region, n["NotebookInstanceName"]), n["NotebookInstanceStatus"])
        return {n["NotebookInstanceName"] for n in listed}
