"""The class's reaper: a Lambda function that removes what bills after its time, with nobody's laptop on.

Deployed by ``make up`` (``terraform/modules/reaper``), run by an EventBridge rule every 5 minutes.
The function is this file plus the kit's core package ``kitcore`` (AWS helpers: not-found errors,
paging, deleting an endpoint with its config and model; tag keys; the UTC time format), which
imports only the standard library and boto3 (which AWS's Python runtime provides): the kit zips
both (``provision/reaper/package.py``), so the reaper and the kit's expiry sweep
(``provision/expiry.py``) share one delete of an endpoint with its parts.

Ownership (the same rule as ``classroom down`` and the expiry sweep): the reaper touches only what
carries every tag of ``CLASS_TAGS`` (``classroom=<class>``), plus the Studio apps of the class's own
domain (``DOMAIN_ID``). Another team's endpoint in the same account is never touched.

Each run:
1. endpoints of the class whose ``expires-at`` tag has passed are deleted with their endpoint config
   and model(s) (a config another remaining endpoint uses is kept);
2. from ``ENDS_AT`` (ISO 8601 UTC) on — the class is over — every billable item of the class:
   every class endpoint (with config and models), notebook instances (stopped, then deleted at the
   next run once Stopped), Studio apps of the class's domain (deleted = stopped; user files stay on
   the domain's EFS), running training, tuning and transform jobs (stopped); the buckets are not
   touched (storage, not hourly compute; ``classroom down`` empties them), and when something was
   removed the run publishes a summary to ``TOPIC_ARN`` (the budget e-mail) if set.

The run's summary is returned and printed as one log line ``{"kit-reaper": {...}}``: ``classroom
status`` reads the newest one from the function's log group.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

from kitcore import tags as kit_tags
from kitcore.aws import delete_endpoint_with_parts, error_code, is_not_found, paged, short
from kitcore.times import format_utc, parse_utc

REPORT_KEY = "kit-reaper"


def owned(tags: dict[str, str], class_tags: dict[str, str]) -> bool:
    """The class's own: carries every class tag (an empty tag set owns nothing)."""
    return bool(class_tags) and all(tags.get(k) == v for k, v in class_tags.items())


def _tags(sm, arn: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in paged(sm, "list_tags", "Tags", ResourceArn=arn)}


# --- one run ---------------------------------------------------------------------------------------
class Reaper:
    def __init__(
        self,
        sm,
        class_tags: dict[str, str],
        ends_at: dt.datetime | None,
        domain_id: str | None,
        now: dt.datetime,
    ) -> None:
        self.sm, self.class_tags, self.ends_at, self.domain_id, self.now = (
            sm,
            class_tags,
            ends_at,
            domain_id,
            now,
        )
        self.removed: list[str] = []
        self.stopped: list[str] = []
        self.errors: list[str] = []

    @property
    def class_over(self) -> bool:
        return self.ends_at is not None and self.now >= self.ends_at

    def _try(self, what: str, fn) -> Any:
        try:
            return fn()
        except Exception as err:  # noqa: BLE001 - one item's failure never stops the others
            if is_not_found(err):
                return None
            self.errors.append(f"{what}: {error_code(err) or type(err).__name__}: {short(err)}")
            return None

    def _did(self, what: str, fn, done: list[str], label: str = "") -> None:
        """One action on one item; recorded in ``done`` (as ``label``, else ``what``) when it went through."""
        if self._try(what, fn) is not None:
            done.append(label or what)

    def _class_tags(self, what: str, arn: str) -> dict[str, str] | None:
        """The tags of an item of the class; None for another's (or when they cannot be read: noted)."""
        tags = self._try(f"tags of {what}", lambda: _tags(self.sm, arn))
        return tags if tags is not None and owned(tags, self.class_tags) else None

    def endpoints(self) -> None:
        listed = paged(self.sm, "list_endpoints", "Endpoints")
        doomed = []
        for e in listed:
            tags = self._class_tags(f"endpoint {e['EndpointName']}", e["EndpointArn"])
            if tags is None or e.get("EndpointStatus") == "Deleting":
                continue
            expires = parse_utc(tags.get(kit_tags.EXPIRES))
            if self.class_over or (expires is not None and self.now >= expires):
                doomed.append(e["EndpointName"])
        if not doomed:
            return
        keep: set[str] = set()
        for e in listed:  # a config still used by an endpoint that stays (any owner) is kept
            if e["EndpointName"] not in doomed:
                d = self._try(
                    f"endpoint {e['EndpointName']}",
                    lambda e=e: self.sm.describe_endpoint(EndpointName=e["EndpointName"]),
                )
                if d:
                    keep.add(d["EndpointConfigName"])
        for name in doomed:
            done = self._try(
                f"endpoint {name}", lambda name=name: delete_endpoint_with_parts(self.sm, name, keep)
            )
            self.removed += done or []

    def notebook_instances(self) -> None:
        for nb in paged(self.sm, "list_notebook_instances", "NotebookInstances"):
            name, status = nb["NotebookInstanceName"], nb.get("NotebookInstanceStatus")
            what = f"notebook instance {name}"
            if self._class_tags(what, nb["NotebookInstanceArn"]) is None:
                continue
            if status in ("InService", "Pending", "Updating"):
                op, done = self.sm.stop_notebook_instance, self.stopped
            elif status in ("Stopped", "Failed"):
                op, done = self.sm.delete_notebook_instance, self.removed
            else:
                continue
            call = {"NotebookInstanceName": name}
            self._did(what, lambda op=op, call=call: op(**call), done, f"notebook-instance {name}")

    def studio_apps(self) -> None:
        if not self.domain_id:
            return
        apps = self._try(
            "studio apps", lambda: paged(self.sm, "list_apps", "Apps", DomainIdEquals=self.domain_id)
        )
        for app in apps or []:
            if app.get("Status") != "InService":  # a Pending app cannot be deleted yet: the next run does
                continue
            owner = (
                {"UserProfileName": app["UserProfileName"]}
                if app.get("UserProfileName")
                else {"SpaceName": app.get("SpaceName", "")}
            )
            what = f"studio-app {app['AppType']}/{app['AppName']} of {next(iter(owner.values()))}"
            self._did(
                what,
                lambda app=app, owner=owner: self.sm.delete_app(
                    DomainId=self.domain_id, AppType=app["AppType"], AppName=app["AppName"], **owner
                ),
                self.stopped,
            )

    #: (kind, list operation, its result key, name key, ARN key, stop operation)
    JOBS = (
        (
            "training-job",
            "list_training_jobs",
            "TrainingJobSummaries",
            "TrainingJobName",
            "TrainingJobArn",
            "stop_training_job",
        ),
        (
            "tuning-job",
            "list_hyper_parameter_tuning_jobs",
            "HyperParameterTuningJobSummaries",
            "HyperParameterTuningJobName",
            "HyperParameterTuningJobArn",
            "stop_hyper_parameter_tuning_job",
        ),
        (
            "transform-job",
            "list_transform_jobs",
            "TransformJobSummaries",
            "TransformJobName",
            "TransformJobArn",
            "stop_transform_job",
        ),
    )

    def running_jobs(self) -> None:
        for kind, listing, key, name_key, arn_key, stop in self.JOBS:
            jobs = self._try(
                f"{kind}s",
                lambda listing=listing, key=key: paged(self.sm, listing, key, StatusEquals="InProgress"),
            )
            for job in jobs or []:
                what = f"{kind} {job[name_key]}"
                if self._class_tags(what, job[arn_key]) is None:
                    continue
                call = {name_key: job[name_key]}
                self._did(what, lambda stop=stop, call=call: getattr(self.sm, stop)(**call), self.stopped)

    def run(self) -> dict:
        self._try("endpoints", self.endpoints)
        if self.class_over:
            self._try("notebook instances", self.notebook_instances)
            self._try("studio apps", self.studio_apps)
            self._try("running jobs", self.running_jobs)
        return {
            "ran_at": format_utc(self.now),
            "ends_at": format_utc(self.ends_at) if self.ends_at else None,
            "class_over": self.class_over,
            "removed": self.removed,
            "stopped": self.stopped,
            "errors": self.errors,
        }


def _notify(sns, topic_arn: str, class_name: str, summary: dict) -> str | None:
    lines = [
        f"The class {class_name!r} ended at {summary['ends_at']} (UTC); its reaper removed what still "
        "billed by the hour:",
        "",
    ]
    lines += [f"- removed {x}" for x in summary["removed"]] + [f"- stopped {x}" for x in summary["stopped"]]
    if summary["errors"]:
        lines += ["", "These could not be removed (check them by hand or run `classroom down`):"]
        lines += [f"- {x}" for x in summary["errors"]]
    try:
        sns.publish(
            TopicArn=topic_arn,
            Subject=f"classroom {class_name}: removed after the class"[:100],
            Message="\n".join(lines),
        )
        return None
    except Exception as err:  # noqa: BLE001
        return f"notify {topic_arn}: {error_code(err) or type(err).__name__}"


def run(env: dict[str, str] | None = None, now: dt.datetime | None = None, sm=None, sns=None) -> dict:
    """One reaper run with the settings of ``env`` (the function's environment)."""
    import boto3

    env = dict(os.environ if env is None else env)
    class_tags = json.loads(env.get("CLASS_TAGS") or "{}")
    ends_at = parse_utc(env.get("ENDS_AT"))
    now = now or dt.datetime.now(dt.UTC)
    sm = sm or boto3.client("sagemaker")
    summary = Reaper(sm, class_tags, ends_at, env.get("DOMAIN_ID") or None, now).run()
    summary["class"] = env.get("CLASS_NAME", "")
    topic = env.get("TOPIC_ARN")
    if topic and summary["class_over"] and (summary["removed"] or summary["stopped"]):
        problem = _notify(sns or boto3.client("sns"), topic, summary["class"], summary)
        summary["notified"] = problem is None
        if problem:
            summary["errors"].append(problem)
    return summary


def handler(event: dict, context: Any = None) -> dict:
    """The Lambda entry point (``handler.handler``)."""
    summary = run()
    print(json.dumps({REPORT_KEY: summary}, sort_keys=True))
    return summary
