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

from provision.web.endpoints import ClassEndpoint, class_endpoints, class_scope, now_utc

log = logging.getLogger(__name__)


def _not_found(err: Exception) -> bool:
    code = getattr(err, "response", {}).get("Error", {}).get("Code", "")
    text = str(err)
    return code in ("ResourceNotFound", "ValidationException") and (
        "not found" in text.lower() or "could not find" in text.lower() or "does not exist" in text.lower())


def delete_endpoint_and_parts(sm, name: str) -> list[str]:
    """Delete the endpoint, then its config and model(s) unless another endpoint still uses them.

    Returns what was deleted (``"endpoint NAME"``, ``"endpoint-config NAME"``, ``"model NAME"``)."""
    done: list[str] = []
    try:
        config = sm.describe_endpoint(EndpointName=name)["EndpointConfigName"]
    except Exception as err:  # noqa: BLE001 - botocore ClientError
        if _not_found(err):
            return done
        raise
    models: list[str] = []
    try:
        variants = sm.describe_endpoint_config(EndpointConfigName=config).get("ProductionVariants", [])
        models = [v["ModelName"] for v in variants if v.get("ModelName")]
    except Exception as err:  # noqa: BLE001
        if not _not_found(err):
            raise
    sm.delete_endpoint(EndpointName=name)
    done.append(f"endpoint {name}")
    still_used = _configs_in_use(sm, exclude=name)
    if config not in still_used:
        try:
            sm.delete_endpoint_config(EndpointConfigName=config)
            done.append(f"endpoint-config {config}")
        except Exception as err:  # noqa: BLE001
            if not _not_found(err):
                raise
    for model in models:
        try:
            sm.delete_model(ModelName=model)
            done.append(f"model {model}")
        except Exception as err:  # noqa: BLE001
            if not _not_found(err):
                raise
    return done


def _configs_in_use(sm, exclude: str) -> set[str]:
    """Endpoint configs still referenced by other endpoints (only called when something expired)."""
    used: set[str] = set()
    token = None
    while True:
        page = sm.list_endpoints(MaxResults=100, **({"NextToken": token} if token else {}))
        for e in page.get("Endpoints", []):
            if e["EndpointName"] != exclude and e.get("EndpointStatus") != "Deleting":
                try:
                    used.add(sm.describe_endpoint(EndpointName=e["EndpointName"])["EndpointConfigName"])
                except Exception as err:  # noqa: BLE001
                    if not _not_found(err):
                        raise
        token = page.get("NextToken")
        if not token:
            return used


def expired(endpoints: list[ClassEndpoint], now: dt.datetime | None = None) -> list[ClassEndpoint]:
    now = now or now_utc()
    return [e for e in endpoints if e.expired(now) and e.status != "Deleting"]


def remove_expired(settings, sm=None, now: dt.datetime | None = None) -> list[str]:
    """Delete the class's endpoints whose ``expires-at`` has passed; returns their names.

    ``sm`` is a boto3 SageMaker client (default: one for the settings' region, from the environment
    that ``provision.classroom.activate`` prepared)."""
    sm = sm or boto3.client("sagemaker", region_name=settings.region)
    removed = []
    for endpoint in expired(class_endpoints(sm, class_scope(settings)), now):
        parts = delete_endpoint_and_parts(sm, endpoint.name)
        if parts:
            log.info("removed expired endpoint: %s", ", ".join(parts))
            removed.append(endpoint.name)
    return removed
