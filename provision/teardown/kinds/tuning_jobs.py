"""Running hyperparameter tuning jobs: stop them first, they keep starting training jobs."""

from __future__ import annotations

from provision.teardown.kinds._jobs import RunningJobs
from provision.teardown.registry import register


@register
class TuningJobs(RunningJobs):
    name = "tuning-jobs"
    title = "Running hyperparameter tuning jobs (stopped)"
    depends_on: dict[str, str] = {}
    list_op = "list_hyper_parameter_tuning_jobs"
    list_key = "HyperParameterTuningJobSummaries"
    name_field = "HyperParameterTuningJobName"
    stop_op = "stop_hyper_parameter_tuning_job"
    stop_param = "HyperParameterTuningJobName"
    what = "tuning job"
