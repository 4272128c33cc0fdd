"""Schedules that fire in the embedded AWS: EventBridge rules and EventBridge Scheduler schedules.

moto 5.2.5 stores rules with a ``ScheduleExpression`` and Scheduler schedules but never fires them.
A clock thread here does, for targets that are Lambda functions (invoked asynchronously, as both
services do):

- EventBridge rules (``rate(5 minutes)``, ``cron(0/5 * * * ? *)``) in state ENABLED on the default bus;
  the function gets AWS's "Scheduled Event" (``detail-type``, ``source: aws.events``, ``resources``:
  the rule's ARN) or the target's constant ``Input``; like AWS, the function's resource policy must
  allow ``events.amazonaws.com`` for the rule's ARN, else the invocation fails (logged, as AWS counts a
  FailedInvocation);
- Scheduler schedules (``rate()``, ``cron()``, ``at()``) in state ENABLED, inside their start/end
  dates; the function gets the target's ``Input`` (``{}`` without one).

Rates start counting when the rule or schedule is first seen (AWS: at creation); cron fields are
AWS's six (minutes hours day-of-month month day-of-week year; ``*``, ``?``, lists, ranges, steps,
names; ``L``/``W``/``#`` are not supported and such a schedule never fires). Times are UTC (a
schedule's time zone is ignored).

``KIT_EMULATOR_TIME_SCALE`` (read by the emulator process, default 1) makes the schedules' clock run
that many times faster than the wall clock — 60 turns ``rate(5 minutes)`` into every 5 s — for tests
and demos. Only the schedules' clock is scaled; functions still see the real time.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import threading
import time
import uuid
from typing import Any

log = logging.getLogger(__name__)
UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}
MONTHS = {m: i for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), 1)}
DAYS = {d: i for i, d in enumerate("SUN MON TUE WED THU FRI SAT".split(), 1)}  # AWS: 1 = Sunday
_clock: dict[str, Any] = {"thread": None, "start_real": None, "start_virtual": None}
_due: dict[str, float] = {}  # schedule key -> next firing (virtual epoch seconds)
_fired: dict[str, int] = {}
_lock = threading.Lock()


def time_scale() -> float:
    try:
        return max(1e-3, float(os.environ.get("KIT_EMULATOR_TIME_SCALE", "1") or 1))
    except ValueError:
        return 1.0


def virtual_now() -> float:
    """The schedules' clock (epoch seconds): the wall clock, sped up ``KIT_EMULATOR_TIME_SCALE`` times."""
    real = time.time()
    if _clock["start_real"] is None:
        _clock["start_real"] = _clock["start_virtual"] = real
    return _clock["start_virtual"] + (real - _clock["start_real"]) * time_scale()


# --- expressions -----------------------------------------------------------------------------------
def parse_rate(expr: str) -> float | None:
    m = re.fullmatch(r"\s*rate\(\s*(\d+)\s+([a-z]+)\s*\)\s*", expr or "")
    if not m or m.group(2) not in UNITS or int(m.group(1)) < 1:
        return None
    return int(m.group(1)) * UNITS[m.group(2)]


def _field(spec: str, lo: int, hi: int, names: dict[str, int] | None = None) -> set[int] | None:
    """One cron field → the set of values it allows (None: anything)."""
    if spec in ("*", "?"):
        return None
    out: set[int] = set()
    for part in spec.split(","):
        step = 1
        if "/" in part:
            part, step_s = part.split("/", 1)
            step = int(step_s)
        if part in ("*", ""):
            a, b = lo, hi
        elif "-" in part:
            a_s, b_s = part.split("-", 1)
            a, b = _value(a_s, names), _value(b_s, names)
        else:
            a = _value(part, names)
            b = hi if "/" in spec else a
        out.update(range(a, b + 1, step))
    return out


def _value(text: str, names: dict[str, int] | None) -> int:
    text = text.strip().upper()
    if names and text in names:
        return names[text]
    return int(text)


def parse_cron(expr: str):
    """``cron(min hour dom month dow year)`` → a predicate on a UTC datetime, or None if unsupported."""
    m = re.fullmatch(r"\s*cron\((.*)\)\s*", expr or "")
    if not m:
        return None
    fields = m.group(1).split()
    if len(fields) != 6 or any(c in m.group(1) for c in "LW#"):
        return None
    try:
        minute, hour = _field(fields[0], 0, 59), _field(fields[1], 0, 23)
        dom, month = _field(fields[2], 1, 31), _field(fields[3], 1, 12, MONTHS)
        dow, year = _field(fields[4], 1, 7, DAYS), _field(fields[5], 1970, 2199)
    except ValueError:
        return None

    def matches(t: dt.datetime) -> bool:
        aws_dow = (t.isoweekday() % 7) + 1  # Sunday → 1
        return (
            (minute is None or t.minute in minute)
            and (hour is None or t.hour in hour)
            and (dom is None or t.day in dom)
            and (month is None or t.month in month)
            and (dow is None or aws_dow in dow)
            and (year is None or t.year in year)
        )

    return matches


def next_cron(matches, after: float) -> float | None:
    t = dt.datetime.fromtimestamp(after, dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    for _ in range(366 * 24 * 60):
        if matches(t):
            return t.timestamp()
        t += dt.timedelta(minutes=1)
    return None


def parse_at(expr: str) -> float | None:
    m = re.fullmatch(r"\s*at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)\s*", expr or "")
    if not m:
        return None
    return dt.datetime.fromisoformat(m.group(1)).replace(tzinfo=dt.UTC).timestamp()


def next_due(expr: str, after: float, first: bool) -> float | None:
    """When a schedule fires next, in the schedules' clock; None: never (again)."""
    rate = parse_rate(expr)
    if rate is not None:
        return after + rate
    matches = parse_cron(expr)
    if matches is not None:
        return next_cron(matches, after)
    at = parse_at(expr)
    if at is not None:
        return at if first else None
    return None


# --- targets ---------------------------------------------------------------------------------------
def _lambda(arn: str):
    from moto.awslambda.utils import get_backend

    parts = arn.split(":")
    try:
        return get_backend(parts[4], parts[3]).get_function(arn, None)
    except Exception:  # noqa: BLE001 - a deleted function: the invocation fails, as on AWS
        return None


def _fire_rule(account_id: str, region: str, rule, when: float) -> None:
    from emulator.serverless import http_api, lambda_runtime

    for target in list(rule.targets):
        arn = target.get("Arn", "")
        if ":lambda:" not in arn:
            continue
        fn = _lambda(arn)
        if fn is None or not http_api.may_invoke(fn, "events.amazonaws.com", rule.arn):
            log.warning("rule %s: cannot invoke %s (missing function or permission)", rule.name, arn)
            continue
        if target.get("Input"):
            event = json.loads(target["Input"])
        else:
            event = {
                "version": "0",
                "id": str(uuid.uuid4()),
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "account": account_id,
                "time": dt.datetime.fromtimestamp(when, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "region": region,
                "resources": [rule.arn],
                "detail": {},
            }
        lambda_runtime.invoke_event(fn, event)


def _fire_schedule(schedule) -> None:
    from emulator.serverless import lambda_runtime

    target = schedule.target or {}
    arn = target.get("Arn", "")
    if ":lambda:" not in arn:
        return
    fn = _lambda(arn)
    if fn is None:
        log.warning("schedule %s: function %s not found", schedule.name, arn)
        return
    try:
        event = json.loads(target.get("Input") or "{}")
    except ValueError:
        event = target.get("Input")
    lambda_runtime.invoke_event(fn, event)


def _rules():
    from moto.events.models import events_backends

    for account_id, regions in list(events_backends.items()):
        for region, backend in list(regions.items()):
            for bus in list(backend.event_buses.values()):
                for rule in list(bus.rules.values()):
                    if rule.scheduled_expression:
                        yield account_id, region, rule


def _schedules():
    from moto.scheduler.models import scheduler_backends

    for _account_id, regions in list(scheduler_backends.items()):
        for _region, backend in list(regions.items()):
            for group in list(backend.schedule_groups.values()):
                yield from list(group.schedules.values())


def _iso(value) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def tick(now: float | None = None) -> int:
    """Fire what is due at ``now`` (the schedules' clock); returns how many fired."""
    now = virtual_now() if now is None else now
    fired = 0
    seen: set[str] = set()
    for account_id, region, rule in _rules():
        key = f"rule:{id(rule)}:{rule.scheduled_expression}"
        seen.add(key)
        if rule.state != "ENABLED":
            _due.pop(key, None)
            continue
        due = _due.get(key)
        if due is None:
            _due[key] = next_due(rule.scheduled_expression, now, True) or float("inf")
            continue
        if now >= due:
            _due[key] = next_due(rule.scheduled_expression, max(due, now - 1), False) or float("inf")
            _fired[rule.arn] = _fired.get(rule.arn, 0) + 1
            _fire_rule(account_id, region, rule, now)
            fired += 1
    for schedule in _schedules():
        key = f"schedule:{id(schedule)}:{schedule.schedule_expression}:{schedule.last_modified_date}"
        seen.add(key)
        if schedule.state != "ENABLED":
            continue
        start, end = _iso(schedule.start_date), _iso(schedule.end_date)
        due = _due.get(key)
        if due is None:
            _due[key] = next_due(schedule.schedule_expression, max(now, start or now), True) or float("inf")
            continue
        if now >= due and (end is None or now <= end):
            _due[key] = next_due(schedule.schedule_expression, max(due, now - 1), False) or float("inf")
            _fired[schedule.arn] = _fired.get(schedule.arn, 0) + 1
            _fire_schedule(schedule)
            fired += 1
    for key in [k for k in _due if k not in seen]:
        del _due[key]
    return fired


def fired_count(arn: str) -> int:
    return _fired.get(arn, 0)


def _loop() -> None:
    while True:
        time.sleep(max(0.05, min(1.0, 30.0 / time_scale())))
        try:
            with _lock:
                tick()
        except Exception:  # noqa: BLE001 - the clock must keep going
            log.exception("schedule tick failed")


def install() -> None:
    """Start the schedules' clock thread (daemon). Idempotent."""
    with _lock:
        if _clock["thread"] is not None:
            return
        virtual_now()
        t = threading.Thread(target=_loop, name="schedules", daemon=True)
        _clock["thread"] = t
        t.start()
