"""The lesson's job runners: rainfall (regression), credit (binary classifier), spam (XGBoost + tuning).

Everything here talks to SageMaker and S3 only through the SageMaker Python SDK v3 and boto3, so the
same code runs on a real account and on the embedded AWS: only the endpoint URL and the credentials
in the environment differ.

``JOBS`` is the one registry: a new lesson job is its module (a ``jobs.lifecycle.Job`` subclass that
owns its data, features, title, labels, plots and web form) plus one line here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jobs.lifecycle import Job

JOBS: dict[str, str] = {
    "rainfall": "jobs.rainfall:Rainfall",
    "credit": "jobs.credit:Credit",
    "spam": "jobs.spam:Spam",
}
JOB_NAMES: tuple[str, ...] = tuple(JOBS)


def job_class(name: str) -> type[Job]:
    """The class of job ``name`` (imported on first use); one clear error for an unknown name."""
    from kitcore.errors import KitError

    if name not in JOBS:
        raise KitError(f"unknown job {name!r}: choose from {', '.join(JOB_NAMES)}")
    module, _, cls = JOBS[name].partition(":")
    return getattr(importlib.import_module(module), cls)
