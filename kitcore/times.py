"""One UTC time format for tags (``expires-at``) and state files: ``2026-11-23T14:30:00Z``."""

from __future__ import annotations

import datetime as dt

UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def format_utc(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime(UTC_FORMAT)


def utc_in(minutes: float) -> str:
    """The moment ``minutes`` from now, formatted."""
    return format_utc(now_utc() + dt.timedelta(minutes=minutes))


def parse_utc(value: str | None) -> dt.datetime | None:
    """An aware UTC datetime from the format above (or any ISO 8601); None when missing or unreadable."""
    if not value:
        return None
    try:
        at = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)
