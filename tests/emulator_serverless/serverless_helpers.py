"""Helpers shared by the serverless tests."""

from __future__ import annotations

import time

ROLE_POLICY = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
    '{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
)
LOGS_POLICY = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup",'
    '"logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}'
)


def log_messages(logs, group: str, want: str = "REPORT", timeout: float = 10.0) -> list[str]:
    """Every message of the group's streams, once a line containing ``want`` is there."""
    deadline = time.monotonic() + timeout
    while True:
        out: list[str] = []
        try:
            for stream in logs.describe_log_streams(logGroupName=group)["logStreams"]:
                events = logs.get_log_events(
                    logGroupName=group, logStreamName=stream["logStreamName"], startFromHead=True
                )["events"]
                out += [e["message"] for e in events]
        except logs.exceptions.ResourceNotFoundException:
            pass
        if any(want in m for m in out) or time.monotonic() > deadline:
            return out
        time.sleep(0.2)
