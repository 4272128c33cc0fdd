"""Running training jobs: stopped (a training job cannot be deleted; stopped, it stops billing)."""

from __future__ import annotations

from provision.teardown.kinds._jobs import RunningJobs
from provision.teardown.registry import register


@register
class TrainingJobs(RunningJobs):
    name = "training-jobs"
    title = "Running training jobs (stopped)"
    depends_on = {
        "tuning-jobs": "a running tuning job starts new training jobs until it is stopped",
    }
    # the tuning job's last children appear after the plan was made: list again before stopping
    relist = True
    list_op = "list_training_jobs"
    list_key = "TrainingJobSummaries"
    name_field = "TrainingJobName"
    stop_op = "stop_training_job"
    stop_param = "TrainingJobName"
    what = "training job"
