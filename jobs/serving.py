"""What the web page needs to serve one form input for a trained job.

>>> s = load("credit", class_dir)
>>> s.form_fields()          # [{"name", "label", "type" (number|choice|text), "choices"}]
>>> body, ctype = s.encode({"age": 30, ...})
>>> s.decode(answer_bytes)   # {"label": "good risk", "score": 0.81}

``s.last`` holds ``last.json`` (model data URL, image URI, role, instance type, features path); deploy
with :func:`jobs.lifecycle.deploy` and invoke with ``Accept: s.accept``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jobs import features, job_class
from jobs.lifecycle import Job, read_last
from kitcore.errors import KitError


@dataclass
class Serving:
    job: Job
    pipeline: Any
    last: dict

    @property
    def accept(self) -> str:
        return self.last.get("accept", self.job.accept)

    def form_fields(self) -> list[dict]:
        return self.job.form_fields(self.pipeline)

    def encode(self, form: dict) -> tuple[str, str]:
        """One CSV line of features (no label) and its content type; KitError for a bad field."""
        return self.job.encode_form(self.pipeline, form), "text/csv"

    def decode(self, body: bytes) -> dict:
        """``{"label": str, "score": float}`` from the endpoint's answer."""
        return self.job.decode_answer(self.pipeline, body)


def load(job: str, class_dir: Path) -> Serving:
    cls = job_class(job)
    last = read_last(job, Path(class_dir))
    path = Path(last["features_path"])
    if not path.exists():
        raise KitError(f"the feature pipeline of {job} is missing ({path}); train the job again")
    return Serving(job=cls(), pipeline=features.load(path), last=last)
