"""The class's endpoints as the page and the expiry sweep see them.

An endpoint belongs to the class when its tags carry every tag of ``class_scope(settings)``: the
settings' ``tags`` plus ``classroom-class=<class name>`` (so an empty ``tags`` setting never widens the
scope to the whole account). ``classroom deploy`` tags the endpoint with that scope, the job it serves
(``classroom-job``) and the moment it expires (``expires-at``, ISO 8601 UTC, e.g. ``2026-11-23T14:30:00Z``).
Listing costs one paged ListEndpoints plus one ListTags per endpoint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

CLASS_TAG = "classroom-class"
EXPIRES_TAG = "expires-at"
JOB_TAG = "classroom-job"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
TAG_READERS = 4


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def format_expiry(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime(TIME_FORMAT)


def parse_expiry(value: str | None) -> dt.datetime | None:
    """The ``expires-at`` tag as an aware UTC datetime; None when missing or unreadable."""
    if not value:
        return None
    try:
        at = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


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


def _paged_endpoints(sm) -> Iterator[dict]:
    token = None
    while True:
        kwargs = {"MaxResults": 100, **({"NextToken": token} if token else {})}
        page = sm.list_endpoints(**kwargs)
        yield from page.get("Endpoints", [])
        token = page.get("NextToken")
        if not token:
            return


def _tags(sm, arn: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    token = None
    while True:
        page = sm.list_tags(ResourceArn=arn, **({"NextToken": token} if token else {}))
        tags.update({t["Key"]: t["Value"] for t in page.get("Tags", [])})
        token = page.get("NextToken")
        if not token:
            return tags


def class_scope(settings) -> dict[str, str]:
    """The tags every endpoint of the class carries (and the only ones the page and sweep touch)."""
    return {**(getattr(settings, "tags", None) or {}), CLASS_TAG: settings.class_name}


def belongs(tags: Mapping[str, str], class_tags: Mapping[str, str]) -> bool:
    return all(tags.get(k) == v for k, v in class_tags.items())


def class_endpoints(sm, class_tags: Mapping[str, str]) -> list[ClassEndpoint]:
    """Every endpoint in the client's region whose tags carry ``class_tags``, sorted by name.

    The tag reads run a few at a time (boto3 clients are thread-safe): this runs before every command."""
    endpoints = list(_paged_endpoints(sm))
    with ThreadPoolExecutor(max_workers=TAG_READERS) as pool:
        all_tags = list(pool.map(lambda e: _tags(sm, e["EndpointArn"]), endpoints))
    found = [
        ClassEndpoint(name=e["EndpointName"], arn=e["EndpointArn"], status=e.get("EndpointStatus", ""),
                      job=tags.get(JOB_TAG), expires_at=parse_expiry(tags.get(EXPIRES_TAG)), tags=tags)
        for e, tags in zip(endpoints, all_tags, strict=True) if belongs(tags, class_tags)
    ]
    return sorted(found, key=lambda c: c.name)
