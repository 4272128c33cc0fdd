"""Helpers shared by the web tests (a module, so test files can import them)."""

from __future__ import annotations

from dataclasses import dataclass, field

import boto3

REGION = "us-east-1"
ROLE_ARN = "arn:aws:iam::123456789012:role/classroom-web-tests"


@dataclass(frozen=True)
class WebSettings:
    """The settings attributes the page, deploy and expiry read (provision.settings has the same)."""

    class_name: str = "webclass"
    region: str = REGION
    target: str = "local"
    tags: dict[str, str] = field(default_factory=lambda: {"classroom": "webclass"})
    emulator_port: int = 0
    expected_account_id: str | None = None


def boto(service: str, emulator):
    return boto3.client(service, region_name=REGION, endpoint_url=emulator.url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def sagemaker_names(sm) -> dict[str, set[str]]:
    """Every endpoint, endpoint config and model in the region (to assert what is left)."""
    return {
        "endpoints": {e["EndpointName"] for e in sm.list_endpoints(MaxResults=100)["Endpoints"]},
        "configs": {c["EndpointConfigName"]
                    for c in sm.list_endpoint_configs(MaxResults=100)["EndpointConfigs"]},
        "models": {m["ModelName"] for m in sm.list_models(MaxResults=100)["Models"]},
    }
