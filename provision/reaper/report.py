"""What ``classroom status`` says about the reaper: when it last ran and what it removed.

Each run prints one line ``{"kit-reaper": {...}}`` (``handler.REPORT_KEY``); the newest of those in the
function's log group (``/aws/lambda/<class>-reaper``, read with FilterLogEvents) is the last run. Works
the same on AWS and on the embedded AWS.
"""

from __future__ import annotations

import datetime as dt
import json

from kitcore.times import parse_utc
from provision.reaper.handler import REPORT_KEY


def function_name(settings) -> str:
    return f"{settings.class_name}-reaper"


def last_run(logs, group: str, lookback_hours: float = 24) -> dict | None:
    """The newest run summary in ``group`` (None: no run in the last ``lookback_hours`` or no group)."""
    start = int((dt.datetime.now(dt.UTC) - dt.timedelta(hours=lookback_hours)).timestamp() * 1000)
    newest: tuple[int, dict] | None = None
    kwargs = {"logGroupName": group, "startTime": start, "filterPattern": f'"{REPORT_KEY}"'}
    try:
        while True:
            page = logs.filter_log_events(**kwargs)
            for event in page.get("events", []):
                try:
                    summary = json.loads(event["message"])[REPORT_KEY]
                except (ValueError, KeyError, TypeError):
                    continue
                if newest is None or event["timestamp"] >= newest[0]:
                    newest = (event["timestamp"], summary)
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
    except Exception as err:  # noqa: BLE001 - no group (reaper off or destroyed): nothing to show
        if "ResourceNotFound" in type(err).__name__ or "ResourceNotFound" in str(err):
            return None
        raise
    return newest[1] if newest else None


def status_lines(settings, logs, deployed: bool, now: dt.datetime | None = None) -> list[str]:
    """The reaper's lines for ``classroom status``."""
    if not settings.reaper_enabled:
        return ["reaper: off ([reaper] enabled = false): only kit commands remove expired endpoints"]
    if not deployed:
        return ["reaper: not deployed yet (`classroom up` deploys it)"]
    summary = last_run(logs, f"/aws/lambda/{function_name(settings)}")
    if summary is None:
        return ["reaper: deployed, no run in the last 24 h yet (it runs every 5 minutes)"]
    now = now or dt.datetime.now(dt.UTC)
    ran = parse_utc(summary.get("ran_at"))
    ago = f"{int((now - ran).total_seconds() // 60)} min ago" if ran else "at an unknown time"
    lines = [f"reaper: last ran {summary.get('ran_at')} ({ago}); class ends {summary.get('ends_at')}"]
    done = [f"removed {x}" for x in summary.get("removed", [])] + [
        f"stopped {x}" for x in summary.get("stopped", [])
    ]
    lines.append("  last run: " + ("; ".join(done) if done else "nothing to remove"))
    lines += [f"  could not remove: {e}" for e in summary.get("errors", [])]
    return lines
