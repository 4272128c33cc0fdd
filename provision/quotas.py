"""How many instances the default `make train` needs at the same time, by use: the service quotas an
account must have before the class (new accounts often start at 0 for endpoint instances).

Derived from the lesson jobs as they run by default (`make train`, `--parallel 3`, all three jobs at
once): rainfall and credit each train one linear-learner job on one instance; spam trains its fixed
XGBoost models one after the other, then tunes with ``max_parallel`` = 3 training jobs at once; each
job deploys one endpoint with one instance; spam scores the test set by batch transform, one job at a
time on one instance. SageMaker's quotas are per instance type and use ("ml.m5.xlarge for training job
usage", "ml.m5.xlarge for endpoint usage", "ml.m5.xlarge for transform job usage"; Service Quotas
console, service "Amazon SageMaker").
"""

from __future__ import annotations

from dataclasses import dataclass

# spam's default tuner parallelism (jobs/spam.py: options "max_parallel", default 3)
SPAM_MAX_PARALLEL = 3
JOBS = ("rainfall", "credit", "spam")


@dataclass(frozen=True)
class Need:
    use: str  # training | hosting | transform
    instances: int
    why: str


def default_run_needs(spam_max_parallel: int = SPAM_MAX_PARALLEL) -> list[Need]:
    return [
        Need(
            "training",
            1 + 1 + spam_max_parallel,
            f"rainfall 1 + credit 1 + spam's tuner {spam_max_parallel} in parallel",
        ),
        Need("hosting", len(JOBS), "one endpoint per job, deployed while the others still run"),
        Need("transform", 1, "spam's batch transforms, one at a time"),
    ]


def needs_by_usage() -> dict[str, int]:
    """Service Quotas' names after "<instance type> for ": training job usage, endpoint usage, ..."""
    names = {
        "training": "training job usage",
        "hosting": "endpoint usage",
        "transform": "transform job usage",
    }
    return {names[n.use]: n.instances for n in default_run_needs()}


def lines(instance_type: str = "ml.m5.xlarge") -> list[str]:
    """The quota lines `classroom up` prints and the README repeats."""
    out = [
        f"Quotas the default `make train` needs at the same time ({instance_type}; Service Quotas → "
        "Amazon SageMaker; new accounts often have 0 for endpoints — ask before the class):"
    ]
    for n in default_run_needs():
        out.append(
            f"  {instance_type} for {n.use} job usage: {n.instances}  ({n.why})"
            if n.use != "hosting"
            else f"  {instance_type} for endpoint usage: {n.instances}  ({n.why})"
        )
    return out
