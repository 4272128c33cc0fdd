"""Helpers shared by the web tests (a module, so test files can import them)."""

from __future__ import annotations

import boto3

from provision.settings import Settings

REGION = "us-east-1"
ROLE_ARN = "arn:aws:iam::123456789012:role/classroom-web-tests"


def web_settings(class_name: str = "webclass") -> Settings:
    """The class's settings as the kit builds them (the real Settings class, not a stand-in)."""
    return Settings(class_name=class_name, region=REGION, target="local")


def boto(service: str, emulator):
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=emulator.url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def sagemaker_names(sm) -> dict[str, set[str]]:
    """Every endpoint, endpoint config and model in the region (to assert what is left)."""
    return {
        "endpoints": {e["EndpointName"] for e in sm.list_endpoints(MaxResults=100)["Endpoints"]},
        "configs": {
            c["EndpointConfigName"] for c in sm.list_endpoint_configs(MaxResults=100)["EndpointConfigs"]
        },
        "models": {m["ModelName"] for m in sm.list_models(MaxResults=100)["Models"]},
    }
