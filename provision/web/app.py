"""The Flask app behind ``classroom serve``: the class's in-service endpoints, one form per model.

Safety, by design:
- served on 127.0.0.1 only (``serve.py``) and only for Host 127.0.0.1 / localhost (no DNS rebinding);
- AWS credentials stay in this process: pages show endpoint names, jobs, predictions and short error
  codes, never the environment, the emulator URL or an exception's text with request details;
- every POST carries the session's CSRF token (``csrf.py``); the session cookie is HttpOnly and
  SameSite=Strict, and the signing key is random per process;
- a request body over ``MAX_REQUEST_BYTES`` gets a friendly 413 page; a malformed field a friendly
  400 with the form filled in again; an endpoint that is not the class's is never invoked.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from flask import Flask, abort, render_template, request
from werkzeug.exceptions import HTTPException

from jobs import JOB_NAMES, job_class
from kitcore.times import now_utc
from provision.endpoints import ClassEndpoint, class_endpoints, class_scope
from provision.expiry import remove_from
from provision.web import csrf
from provision.web.forms import Field, InputError
from provision.web.models import Models, ModelUnavailable, Prediction, predict

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 256 * 1024
DEPLOY_HINT = "classroom deploy spam --minutes 30"


@dataclass
class Card:
    """One endpoint on the page, with its form (or why there is none) and the last answer."""

    endpoint: ClassEndpoint
    title: str
    time_left: str
    fields: list[Field] = field(default_factory=list)
    unavailable: str = ""
    values: dict[str, str] = field(default_factory=dict)
    error: str = ""
    prediction: Prediction | None = None

    @property
    def slug(self) -> str:
        return re.sub(r"[^A-Za-z0-9_-]", "-", self.endpoint.name)


def _error_code(err: Exception) -> str:
    resp = getattr(err, "response", None) or {}
    return resp.get("Error", {}).get("Code", "") or type(err).__name__


def create_app(
    settings, class_dir: Path, sm: Any = None, runtime: Any = None, models: Models | None = None
) -> Flask:
    """The app for one class. ``sm`` / ``runtime`` default to boto3 clients from the environment."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_REQUEST_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_NAME="classroom_session",
        TRUSTED_HOSTS=["127.0.0.1", "localhost"],
        TEMPLATES_AUTO_RELOAD=False,
    )
    sm = sm or boto3.client("sagemaker", region_name=settings.region)
    runtime = runtime or boto3.client("sagemaker-runtime", region_name=settings.region)
    models = models or Models(class_dir)
    scope = class_scope(settings)

    def live_endpoints() -> list[ClassEndpoint]:
        """The class's endpoints; expired ones are removed on the way (the kit's expiry sweep)."""
        endpoints = class_endpoints(sm, scope)
        now = now_utc()
        try:
            remove_from(sm, endpoints, now)
        except Exception as err:  # noqa: BLE001 - the next command retries; the page still works
            log.warning("could not remove an expired endpoint: %s", _error_code(err))
        return [e for e in endpoints if not e.expired(now) and e.status != "Deleting"]

    def card(e: ClassEndpoint) -> Card:
        title = job_class(e.job).title if e.job in JOB_NAMES else (e.job or "unknown job")
        c = Card(endpoint=e, title=title, time_left=e.time_left())
        if e.status in ("Failed", "OutOfService"):
            c.unavailable = (
                f"the endpoint is {e.status}: deploy it again with "
                f"`classroom deploy {e.job or 'JOB'}` (`classroom down` removes this one)"
            )
            return c
        if e.status != "InService":
            c.unavailable = f"the endpoint is {e.status or 'not ready'}; reload in a moment"
            return c
        try:
            c.fields = models.fields(e.job)
        except ModelUnavailable as err:
            c.unavailable = str(err)
        return c

    def page(cards: list[Card], status: int = 200):
        if not cards:
            return render_template("none.html", settings=settings, hint=DEPLOY_HINT, jobs=JOB_NAMES), status
        return render_template(
            "index.html", settings=settings, cards=cards, csrf_field=csrf.FIELD, csrf_token=csrf.token()
        ), status

    @app.after_request
    def headers(resp):
        resp.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'"
        )
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @app.get("/")
    def index():
        return page([card(e) for e in live_endpoints()])

    @app.post("/predict/<name>")
    def ask(name: str):
        if not csrf.valid(request.form.get(csrf.FIELD)):
            abort(
                400,
                description="This form has expired or did not come from this page. "
                "Reload the page and try again.",
            )
        cards = [card(e) for e in live_endpoints()]
        target = next((c for c in cards if c.endpoint.name == name), None)
        if target is None:
            abort(
                404,
                description=f"No endpoint called “{name[:64]}” is running for this class "
                "(it may have expired). Reload the page.",
            )
        if target.unavailable:
            target.error = target.unavailable
            return page(cards, 409)
        target.values = {f.name: request.form.get(f.name, "")[:200_000] for f in target.fields}
        try:
            serving = models.get(target.endpoint.job)
            target.prediction = predict(runtime, name, serving, target.fields, request.form)
        except InputError as err:
            target.error = str(err)
            return page(cards, 400)
        except ModelUnavailable as err:
            target.error = str(err)
            return page(cards, 502)
        except Exception as err:  # noqa: BLE001 - botocore errors: a code for the page, details in the log
            log.warning("InvokeEndpoint %s failed: %s", name, err)
            target.error = f"the model could not answer ({_error_code(err)}); try again or check the endpoint"
            return page(cards, 502)
        return page(cards)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        messages = {
            413: f"That input is too large: the page accepts at most {MAX_REQUEST_BYTES // 1024} KB. "
            "Shorten it and try again.",
            405: "That address only answers the form on the main page.",
        }
        message = messages.get(err.code or 500) or err.description or err.name
        return render_template("error.html", code=err.code, title=err.name, message=message), err.code

    @app.errorhandler(Exception)
    def crash(err: Exception):
        log.exception("unexpected error while serving the page")
        return render_template(
            "error.html",
            code=500,
            title="Something went wrong",
            message="The page hit an unexpected error; the details are in the "
            "terminal that runs `classroom serve`.",
        ), 500

    return app
