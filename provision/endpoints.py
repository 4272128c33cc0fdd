"""The class's endpoints as the page and the expiry sweep see them.

An endpoint belongs to the class when its tags carry every tag of ``class_scope(settings)``: the
settings' ``tags`` plus ``classroom-class=<class name>`` (so an empty ``tags`` setting never widens the
scope to the whole account). ``classroom deploy`` tags the endpoint with that scope, the job it serves
(``classroom-job``) and the moment it expires (``expires-at``, ISO 8601 UTC, e.g. ``2026-11-23T14:30:00Z``).
Listing costs one paged ListEndpoints plus one ListTags per endpoint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from kitcore import tags as kit_tags
from kitcore.aws import paged
from kitcore.times import now_utc, parse_utc

TAG_READERS = 4


def describe_left(seconds: float) -> str:
    """``"12 min left"``, ``"1 h 05 min left"``, ``"expired"``."""
    if seconds <= 0:
        return "expired"
    minutes = int(seconds // 60)
    if minutes < 1:
        return "less than a minute left"
    if minutes < 60:
        return f"{minutes} min left"
    return f"{minutes // 60} h {minutes % 60:02d} min left"


@dataclass(frozen=True)
class ClassEndpoint:
    """One endpoint of the class: name, status, the job it serves and when it expires."""

    name: str
    arn: str
    status: str
    job: str | None
    expires_at: dt.datetime | None
    tags: Mapping[str, str] = field(default_factory=dict)

    def seconds_left(self, now: dt.datetime | None = None) -> float | None:
        if self.expires_at is None:
            return None
        return (self.expires_at - (now or now_utc())).total_seconds()

    def expired(self, now: dt.datetime | None = None) -> bool:
        left = self.seconds_left(now)
        return left is not None and left <= 0

    def time_left(self, now: dt.datetime | None = None) -> str:
        left = self.seconds_left(now)
        return "no expiry set" if left is None else describe_left(left)


def _tags(sm, arn: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in paged(sm, "list_tags", "Tags", ResourceArn=arn)}


def class_scope(settings) -> dict[str, str]:
    """The tags every endpoint of the class carries (and the only ones the page and sweep touch)."""
    return kit_tags.class_scope(settings.class_name)


def belongs(tags: Mapping[str, str], class_tags: Mapping[str, str]) -> bool:
    return all(tags.get(k) == v for k, v in class_tags.items())


def class_endpoints(sm, class_tags: Mapping[str, str]) -> list[ClassEndpoint]:
    """Every endpoint in the client's region whose tags carry ``class_tags``, sorted by name.

    The tag reads run a few at a time (boto3 clients are thread-safe): this runs before every command."""
    endpoints = paged(sm, "list_endpoints", "Endpoints", MaxResults=100)
    with ThreadPoolExecutor(max_workers=TAG_READERS) as pool:
        all_tags = list(pool.map(lambda e: _tags(sm, e["EndpointArn"]), endpoints))
    found = [
        ClassEndpoint(
            name=e["EndpointName"],
            arn=e["EndpointArn"],
            status=e.get("EndpointStatus", ""),
            job=tags.get(kit_tags.JOB),
            expires_at=parse_utc(tags.get(kit_tags.EXPIRES)),
            tags=tags,
        )
        for e, tags in zip(endpoints, all_tags, strict=True)
        if belongs(tags, class_tags)
    ]
    return sorted(found, key=lambda c: c.name)
