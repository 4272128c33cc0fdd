"""Remove the class's expired endpoints: ``classroom deploy JOB --minutes N`` tags an endpoint with
``expires-at``; the next kit command that runs calls ``remove_expired`` and deletes it, with the
endpoint config and model that only it used.

Cheap on purpose (it runs before every command): one paged ListEndpoints, one ListTags per endpoint,
and Describe/Delete calls only for the expired ones.
"""

from __future__ import annotations

import datetime as dt
import logging

import boto3

from kitcore.aws import delete_endpoint_with_parts, ignore_not_found
from kitcore.times import now_utc
from provision.endpoints import ClassEndpoint, class_endpoints, class_scope

log = logging.getLogger(__name__)


def _configs_in_use(sm, endpoints: list[ClassEndpoint]) -> set[str]:
    """The configs of the class's endpoints that stay (one describe each, only when something expired).

    Endpoints the kit deploys each have their own config; this guards a config shared by hand."""
    used: set[str] = set()
    for e in endpoints:
        described = ignore_not_found(lambda e=e: sm.describe_endpoint(EndpointName=e.name))
        if described:
            used.add(described["EndpointConfigName"])
    return used


def expired(endpoints: list[ClassEndpoint], now: dt.datetime | None = None) -> list[ClassEndpoint]:
    now = now or now_utc()
    return [e for e in endpoints if e.expired(now) and e.status != "Deleting"]


def remove_from(sm, endpoints: list[ClassEndpoint], now: dt.datetime | None = None) -> list[str]:
    """Delete the expired ones among ``endpoints`` (one class's, as listed); returns their names."""
    gone = expired(endpoints, now)
    if not gone:
        return []
    names = {e.name for e in gone}
    keep = _configs_in_use(sm, [e for e in endpoints if e.name not in names and e.status != "Deleting"])
    removed = []
    for endpoint in gone:
        parts = delete_endpoint_with_parts(sm, endpoint.name, keep)
        if parts:
            log.info("removed expired endpoint: %s", ", ".join(parts))
            removed.append(endpoint.name)
    return removed


def remove_expired(settings, sm=None, now: dt.datetime | None = None) -> list[str]:
    """Delete the class's endpoints whose ``expires-at`` has passed; returns their names.

    Call it after ``provision.classroom.activate(settings)`` (it uses the AWS settings of the
    environment); ``sm`` is a boto3 SageMaker client to use instead."""
    sm = sm or boto3.client("sagemaker", region_name=settings.region)
    return remove_from(sm, class_endpoints(sm, class_scope(settings)), now)


def sweep_before_command(settings, now: dt.datetime | None = None) -> list[str]:
    """The sweep for the CLI group to run before a command: never raises, never starts anything.

    TARGET=local: only when the embedded AWS runs (``emulator start`` must not fail because of it);
    TARGET=aws: the standard credential chain. Any AWS error is logged and the command goes on — a
    failed sweep must never block ``down`` or ``status``. Returns the names it removed.

    It deletes, so the guards come first: TARGET=aws with an endpoint on this machine is refused
    (KitError), and nothing is swept unless the credentials' account is the class's (pinned and
    recorded); the command itself then refuses with its own check (issue 18 item 2)."""
    from provision import classroom

    classroom.check_endpoints(settings)
    try:
        if settings.target == "local":
            from provision import embedded

            emu = embedded.find()
            if emu is None:
                return []
            env = emu.env(settings.region)
            kw = {
                "region_name": settings.region,
                "endpoint_url": env["AWS_ENDPOINT_URL"],
                "aws_access_key_id": env["AWS_ACCESS_KEY_ID"],
                "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"],
            }
        else:
            kw = {"region_name": settings.region}
        account = boto3.client("sts", **kw).get_caller_identity()["Account"]
        try:
            classroom.check_account(settings, account)
        except Exception as err:  # noqa: BLE001 - the command refuses with the same check
            log.info("expired-endpoint sweep skipped: %s", err)
            return []
        return remove_expired(settings, boto3.client("sagemaker", **kw), now)
    except Exception as err:  # noqa: BLE001 - no credentials, throttling, network: next command retries
        log.warning("expired-endpoint sweep skipped: %s", str(err).splitlines()[0][:200] if str(err) else err)
        return []
