"""Schedules fire in the embedded AWS: EventBridge rules and EventBridge Scheduler schedules with a
Lambda target (AWS docs: "Schedule expressions for rules" — rate() and the six-field cron() with
1 = Sunday; EventBridge Scheduler "Schedule types"). The expressions and the firing rules are checked
against the module with chosen times (``tick(now)``); a rule also fires for real in the emulator
process. The speed-up (KIT_EMULATOR_TIME_SCALE) is used by tests/test_reaper_e2e.py.
"""

from __future__ import annotations

import datetime as dt
import json
import time

import boto3
import pytest
from serverless_helpers import log_messages

from emulator.serverless import schedules
from testkit.data import zip_of


def _t(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp()


@pytest.mark.parametrize(
    "expr,after,expected",
    [
        ("rate(5 minutes)", "2026-12-06T10:00:00", "2026-12-06T10:05:00"),
        ("rate(1 hour)", "2026-12-06T10:00:00", "2026-12-06T11:00:00"),
        ("cron(0/15 * * * ? *)", "2026-12-06T10:07:00", "2026-12-06T10:15:00"),
        ("cron(0 18 ? * MON-FRI *)", "2026-12-05T19:00:00", "2026-12-07T18:00:00"),  # Saturday → Monday
        ("cron(30 9 1 * ? *)", "2026-12-06T10:00:00", "2027-01-01T09:30:00"),
        ("at(2026-12-06T12:00:00)", "2026-12-06T10:00:00", "2026-12-06T12:00:00"),
    ],
)
def test_next_firing(expr, after, expected):
    assert schedules.next_due(expr, _t(after), first=True) == _t(expected)


def test_unsupported_expressions_never_fire():
    for expr in ("rate(0 minutes)", "rate(5 weeks)", "cron(0 18 L * ? *)", "cron(* * *)", "every 5 minutes"):
        assert schedules.next_due(expr, _t("2026-12-06T10:00:00"), first=True) is None
    assert schedules.next_due("at(2026-12-06T12:00:00)", _t("2026-12-06T12:00:00"), first=False) is None


@pytest.mark.slow
def test_a_rule_runs_its_function_on_schedule(functions, clients):
    """The emulator process's own clock (scale 1 in the test session: about a minute) fires a
    rate(1 minute) rule, and the function receives AWS's Scheduled Event."""
    src = "import json\ndef handler(event, context):\n    print('EVENT', json.dumps(event, sort_keys=True))\n"
    name = functions("scheduled-fn", {"index.py": src})
    lam, events, logs = clients("lambda"), clients("events"), clients("logs")
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    rule = events.put_rule(Name="every-minute", ScheduleExpression="rate(1 minute)")["RuleArn"]
    events.put_targets(Rule="every-minute", Targets=[{"Id": "fn", "Arn": arn}])
    try:
        lam.add_permission(
            FunctionName=name,
            StatementId="events",
            Action="lambda:InvokeFunction",
            Principal="events.amazonaws.com",
            SourceArn=rule,
        )
        messages = log_messages(logs, f"/aws/lambda/{name}", want="EVENT", timeout=150)
        line = next(m for m in messages if m.startswith("EVENT"))
        event = json.loads(line[len("EVENT ") :])
        assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"
        assert event["resources"] == [rule] and event["detail"] == {}
    finally:
        events.remove_targets(Rule="every-minute", Ids=["fn"])
        events.delete_rule(Name="every-minute")
        assert events.list_rules(NamePrefix="every-minute")["Rules"] == []


def test_scheduler_schedule_and_the_permission_rule_in_process():
    """tick() with chosen times against moto's backends in this process: a Scheduler schedule fires
    with its Input; a rule whose function lacks the events.amazonaws.com permission is not invoked."""
    from moto import mock_aws

    from emulator.serverless import lambda_runtime

    fired: list[tuple[str, object]] = []
    original = lambda_runtime.invoke_event
    lambda_runtime.invoke_event = lambda fn, event: fired.append((fn.function_name, event))
    try:
        with mock_aws():
            iam = boto3.client("iam", region_name="us-east-1")
            role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
            lam = boto3.client("lambda", region_name="us-east-1")
            arns = {}
            for fn in ("sched-fn", "rule-fn"):
                arns[fn] = lam.create_function(
                    FunctionName=fn,
                    Runtime="python3.12",
                    Role=role,
                    Handler="index.handler",
                    Code={"ZipFile": zip_of({"index.py": "def handler(e, c): return e"})},
                )["FunctionArn"]
            boto3.client("scheduler", region_name="us-east-1").create_schedule(
                Name="s",
                ScheduleExpression="rate(5 minutes)",
                FlexibleTimeWindow={"Mode": "OFF"},
                Target={"Arn": arns["sched-fn"], "RoleArn": role, "Input": '{"from": "scheduler"}'},
            )
            events = boto3.client("events", region_name="us-east-1")
            events.put_rule(Name="r", ScheduleExpression="rate(5 minutes)")
            events.put_targets(Rule="r", Targets=[{"Id": "1", "Arn": arns["rule-fn"]}])
            start = time.time()
            assert schedules.tick(start) == 0  # first sight: the rate starts counting
            assert schedules.tick(start + 299) == 0
            assert schedules.tick(start + 300) == 2  # both are due...
            assert fired == [("sched-fn", {"from": "scheduler"})]  # ...the rule's function may not be invoked
            assert schedules.tick(start + 400) == 0 and schedules.tick(start + 600) == 2
    finally:
        lambda_runtime.invoke_event = original
