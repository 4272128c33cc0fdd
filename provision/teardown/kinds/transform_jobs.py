"""Running batch transform jobs: stopped."""

from __future__ import annotations

from provision.teardown.kinds._jobs import RunningJobs
from provision.teardown.registry import register


@register
class TransformJobs(RunningJobs):
    name = "transform-jobs"
    title = "Running batch transform jobs (stopped)"
    depends_on: dict[str, str] = {}
    list_op = "list_transform_jobs"
    list_key = "TransformJobSummaries"
    name_field = "TransformJobName"
    stop_op = "stop_transform_job"
    stop_param = "TransformJobName"
    what = "transform job"
    use = "transform"
