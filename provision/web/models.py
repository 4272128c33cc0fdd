"""The bridge to the jobs package: the serving object of each job and one prediction.

``jobs.serving.load(job, class_dir)`` returns an object with ``form_fields()``, ``encode(form) ->
(body, content_type)``, ``decode(body) -> {"label", "score"}`` and ``accept`` (the answer's content
type), built from the feature pipeline the job trained with (``<class_dir>/jobs/<job>/last.json``).
It is loaded once per job and reloaded when ``last.json`` changes (a new ``make train``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kitcore.errors import KitError
from provision.web.forms import Field, InputError, clean, fields_of

if TYPE_CHECKING:
    from jobs.serving import Serving

ACCEPT = "application/json"
MAX_RESPONSE_BYTES = 1_000_000


class ModelUnavailable(Exception):
    """The job's serving object cannot be loaded (not trained here, pipeline missing)."""


@dataclass(frozen=True)
class Prediction:
    label: str
    score: float | None
    detail: str = ""


class Models:
    """Serving objects per job, cached while ``last.json`` is unchanged."""

    def __init__(self, class_dir: Path) -> None:
        self.class_dir = class_dir
        self._cache: dict[str, tuple[float | None, Serving]] = {}

    def _stamp(self, job: str) -> float | None:
        try:
            return (self.class_dir / "jobs" / job / "last.json").stat().st_mtime
        except OSError:
            return None

    def get(self, job: str | None) -> Serving:
        if not job:
            raise ModelUnavailable("the endpoint has no job tag, so the page cannot build its form")
        stamp = self._stamp(job)
        hit = self._cache.get(job)
        if hit and hit[0] == stamp:
            return hit[1]
        try:
            from jobs import serving as jobs_serving  # numpy, scikit-learn: on the first form only

            serving = jobs_serving.load(job, self.class_dir)
        except Exception as err:  # noqa: BLE001 - missing files, unreadable pipeline: one line for the page
            raise ModelUnavailable(
                f"cannot load the {job} model's feature pipeline ({_short(err)}); "
                f"run `classroom train {job}` again"
            ) from err
        self._cache[job] = (stamp, serving)
        return serving

    def fields(self, job: str | None) -> list[Field]:
        return fields_of(self.get(job))


def _short(err: BaseException) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text[:200]


def predict(runtime: Any, endpoint: str, serving: Serving, fields: list[Field], form: dict) -> Prediction:
    """Check the form, encode it with the job's pipeline, InvokeEndpoint, decode the answer."""
    values = clean(fields, form)
    try:
        body, content_type = serving.encode(values)
    except (KitError, ValueError, KeyError, TypeError) as err:
        raise InputError(f"this input cannot be used: {_short(err)}") from None
    payload = body.encode() if isinstance(body, str) else body
    out = runtime.invoke_endpoint(
        EndpointName=endpoint,
        Body=payload,
        ContentType=content_type,
        Accept=getattr(serving, "accept", None) or ACCEPT,
    )
    raw = out["Body"].read(MAX_RESPONSE_BYTES)
    try:
        answer = serving.decode(raw)
    except (ValueError, KeyError, TypeError, json.JSONDecodeError) as err:
        raise ModelUnavailable(f"the endpoint answered something unexpected ({_short(err)})") from None
    score = answer.get("score")
    return Prediction(
        label=str(answer.get("label", "")),
        score=None if score is None else float(score),
        detail=str(answer.get("detail", "")),
    )
