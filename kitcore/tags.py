"""The tag keys the kit writes on what it creates, and scopes listing and teardown by."""

CLASSROOM = "classroom"  # = the class name; provider default_tags on everything Terraform makes
MANAGED_BY = "managed-by"  # = MANAGED_BY_VALUE
MANAGED_BY_VALUE = "classroom-kit"
KIT = "classroom-kit"  # = "jobs" on what the lesson jobs create through the SDK
CLASS = "classroom-class"  # = the class name on endpoints `classroom deploy` / `train` create
JOB = "classroom-job"  # the lesson job a training job, model or endpoint belongs to
RUN = "classroom-run"  # the run id of `classroom train` (or "deploy")
EXPIRES = "expires-at"  # when `classroom deploy`'s endpoint is to be removed (times.UTC_FORMAT)


def class_tags(class_name: str) -> dict[str, str]:
    """The tags on every resource of the class (Terraform's provider default_tags)."""
    return {CLASSROOM: class_name, MANAGED_BY: MANAGED_BY_VALUE}


def job_tags(job: str, run: str) -> dict[str, str]:
    """The tags of what one lesson job's run creates (training jobs, models, endpoints)."""
    return {JOB: job, RUN: run}


def class_scope(class_name: str) -> dict[str, str]:
    """The tags every endpoint of the class carries, and the only ones the page, the expiry sweep and
    ``classroom deploy`` touch: the class's tags plus ``classroom-class`` (never an empty scope)."""
    return {**class_tags(class_name), CLASS: class_name}
