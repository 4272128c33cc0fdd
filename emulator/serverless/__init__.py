"""Serverless extensions: Lambda execution, HTTP API invocation, schedules.

- ``lambda_runtime`` — runs Python functions from their zip in worker processes (moto needs Docker);
- ``http_api`` — serves API Gateway v2 HTTP APIs (Lambda proxy, payload 2.0) at
  ``http://127.0.0.1:<port>/__execute-api/<api id>/...`` and makes ``ApiEndpoint`` say so;
- ``schedules`` — fires EventBridge rules (``rate()``/``cron()``) and EventBridge Scheduler schedules
  whose target is a Lambda function, on time (``KIT_EMULATOR_TIME_SCALE`` speeds the clock up for tests).
"""

from __future__ import annotations


def install() -> None:
    """Patch moto's Lambda / API Gateway v2 models and start the schedule clock. Idempotent."""
    from emulator.serverless import http_api, lambda_runtime, schedules

    lambda_runtime.install()
    http_api.install()
    schedules.install()


def set_server_address(host: str, port: int, loopback_only: bool = False) -> None:
    """Tell the extensions where this emulator listens (for AWS_ENDPOINT_URL and API URLs)."""
    from emulator.serverless import lambda_runtime

    lambda_runtime.set_base_url(f"http://{host}:{port}")
    lambda_runtime.set_loopback_only(loopback_only)
