"""`classroom doctor`: is this account ready for the class? One line per check: ok / warning / blocking,
each not-ok line with its fix. TARGET=local asks the embedded AWS the same questions.

The fast part (``fast=True``, run by ``make up`` before the apply) skips the Service Quotas and free
tier look-ups.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from kitcore.errors import KitError
from provision import quotas

OK, WARNING, BLOCKING = "ok", "warning", "blocking"
CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"})
MIN_TERRAFORM = (1, 6)
#: what the default run asks for at most at once (make train: three jobs in parallel — rainfall 1 and
#: credit 1 training instance while spam's tuner runs 3 — three endpoints, one batch transform):
#: one source, provision/quotas.py, also printed by `make up` and said in the README
NEEDS = quotas.needs_by_usage()
DEFAULT_INSTANCE_TYPE = "ml.m5.xlarge"


@dataclass
class Line:
    level: str
    check: str
    detail: str
    fix: str = ""


def _terraform() -> list[Line]:
    from provision import tfrunner

    try:
        binary = tfrunner.terraform_binary()
    except KitError as err:
        return [
            Line(
                BLOCKING,
                "terraform",
                str(err).split(";")[0],
                "install Terraform >= 1.6 or set CLASSROOM_TERRAFORM to its path",
            )
        ]
    try:
        out = subprocess.run(
            [binary, "version", "-json"], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
        )
        version = json.loads(out.stdout)["terraform_version"]
    except (OSError, ValueError, KeyError, subprocess.TimeoutExpired) as err:
        return [
            Line(
                BLOCKING,
                "terraform",
                f"{binary} does not answer `terraform version` ({err})",
                "install Terraform >= 1.6 or set CLASSROOM_TERRAFORM to its path",
            )
        ]
    parts = tuple(int(p) for p in re.findall(r"\d+", version)[:2])
    if parts < MIN_TERRAFORM:
        return [
            Line(BLOCKING, "terraform", f"Terraform {version} is older than 1.6", "install Terraform >= 1.6")
        ]
    return [Line(OK, "terraform", f"Terraform {version} ({binary})")]


def _provider(settings) -> Line:
    from provision import tfrunner

    try:
        mirror = tfrunner.find_mirror(settings.provider_mirror or None)
    except KitError as err:
        return Line(
            BLOCKING, "aws provider", str(err), "point CLASSROOM_PROVIDER_MIRROR at a provider mirror"
        )
    if mirror is not None:
        return Line(OK, "aws provider", f"hashicorp/aws from the mirror {mirror}")
    return Line(
        WARNING,
        "aws provider",
        "no local provider mirror: `terraform init` downloads hashicorp/aws",
        "offline, set CLASSROOM_PROVIDER_MIRROR to a mirror directory",
    )


def _account(settings) -> tuple[Line, str | None]:
    from provision import classroom

    try:
        account = classroom.caller_account()
    except KitError as err:
        return Line(
            BLOCKING, "account", str(err), "configure credentials (AWS_PROFILE or AWS_* variables)"
        ), None
    expected = settings.expected_account_id or classroom.class_state(settings).get("account_id")
    if expected and account != expected:
        return Line(
            BLOCKING,
            "account",
            f"these credentials are for account {account}, the class is in {expected}",
            "use the class's account's credentials (or another class name)",
        ), account
    return Line(OK, "account", f"account {account}" + (" (the class's)" if expected else "")), account


def _region(settings) -> list[Line]:
    region = settings.region
    ec2 = boto3.client("ec2", region_name=region, config=CONFIG)
    try:
        regions = ec2.describe_regions(AllRegions=True, RegionNames=[region])["Regions"]
    except ClientError as err:
        return [
            Line(
                BLOCKING,
                "region",
                f"{region}: {err.response['Error'].get('Message', err)}",
                "choose an AWS region in [class] region",
            )
        ]
    status = regions[0].get("OptInStatus", "opt-in-not-required") if regions else "unknown"
    if status == "not-opted-in":
        return [
            Line(
                BLOCKING,
                "region",
                f"{region} is not enabled for this account",
                f"enable it (console: Account → AWS Regions → {region} → Enable) or choose another region",
            )
        ]
    lines = [Line(OK, "region", f"{region} ({status})")]
    try:
        from sagemaker.core import image_uris

        for algorithm, version in (("linear-learner", None), ("xgboost", "1.7-1")):
            image_uris.retrieve(framework=algorithm, region=region, version=version)
        lines.append(Line(OK, "lesson algorithms", f"linear-learner and XGBoost images exist in {region}"))
    except Exception as err:  # noqa: BLE001 - the SDK raises ValueError and others for unknown regions
        lines.append(
            Line(
                BLOCKING,
                "lesson algorithms",
                f"no linear-learner/XGBoost image in {region} ({err})",
                "choose a region where SageMaker offers the built-in algorithms",
            )
        )
    return lines


def _public_access_block(settings, account: str) -> Line:
    from provision import preflight

    try:
        preflight.check_public_access_block(preflight.s3control_client(settings.region), account)
    except KitError as err:
        text = str(err)
        fix = preflight.FIX if preflight.FIX in text else "allow reading the account's S3 Block Public Access"
        return Line(BLOCKING, "S3 block public access", text.replace(f"; {preflight.FIX}", ""), fix)
    return Line(OK, "S3 block public access", "the account-level settings let the public share bucket work")


def _quotas(settings) -> list[Line]:
    sq = boto3.client("service-quotas", region_name=settings.region, config=CONFIG)
    try:
        values = {}
        for page in sq.get_paginator("list_service_quotas").paginate(ServiceCode="sagemaker"):
            values.update({q["QuotaName"]: q["Value"] for q in page["Quotas"]})
    except (ClientError, BotoCoreError) as err:
        return [
            Line(
                WARNING,
                "service quotas",
                f"cannot read SageMaker's quotas ({err})",
                "check them in the Service Quotas console (Amazon SageMaker)",
            )
        ]
    lines = []
    wanted = [(f"{DEFAULT_INSTANCE_TYPE} for {usage}", need) for usage, need in NEEDS.items()]
    app_type = settings.notebook_instance_types[0]
    wanted.append((f"Studio JupyterLab Apps running on {app_type} instance", len(settings.students()) + 1))
    for name, need in wanted:
        value = values.get(name)
        fix = f'request an increase: Service Quotas → Amazon SageMaker → "{name}" (at least {need})'
        if value is None:
            lines.append(Line(WARNING, "quota", f"{name}: not listed", fix))
        elif value <= 0:
            lines.append(Line(BLOCKING, "quota", f"{name} is 0: the default run needs {need}", fix))
        elif value < need:
            lines.append(
                Line(
                    WARNING,
                    "quota",
                    f"{name} is {value:g}: the default run asks for up to {need} "
                    "at once (jobs will fail or wait)",
                    fix + " or run fewer in parallel",
                )
            )
        else:
            lines.append(Line(OK, "quota", f"{name}: {value:g} (needs {need})"))
    return lines


def _billing() -> Line:
    return Line(
        WARNING,
        "billing access",
        "IAM users' access to Billing cannot be read by any API",
        "as the root user: Account → IAM user and role access to Billing information → Activate "
        "(`classroom up` prints the checklist)",
    )


def _free_tier(settings) -> Line:
    try:
        # one attempt: an account (or the embedded AWS) that cannot answer should not slow the doctor down
        client = boto3.client("freetier", region_name="us-east-1", config=Config(retries={"max_attempts": 1}))
        usage = client.get_free_tier_usage()["freeTierUsages"]
    except (ClientError, BotoCoreError, KeyError) as err:
        return Line(
            WARNING, "free tier", f"not readable ({str(err)[:80]})", "see Billing → Free Tier in the console"
        )
    near = [u for u in usage if u.get("limit") and u.get("forecastedUsageAmount", 0) >= u["limit"]]
    if near:
        return Line(
            WARNING,
            "free tier",
            f"{len(near)} free-tier offers forecast over their limit",
            "see Billing → Free Tier",
        )
    return Line(OK, "free tier", f"{len(usage)} free-tier offers, none forecast over its limit")


def run(settings, fast: bool = False) -> list[Line]:
    """Every check, in order; the embedded AWS is started for TARGET=local."""
    from provision import classroom

    lines = _terraform()
    lines.append(_provider(settings))
    classroom.activate(settings, start_emulator=True)
    account_line, account = _account(settings)
    lines.append(account_line)
    if account is None:
        return lines
    lines += _region(settings)
    lines.append(_public_access_block(settings, account))
    if not fast:
        lines += _quotas(settings)
        lines.append(_free_tier(settings))
    lines.append(_billing())
    return lines


def format_lines(lines: list[Line]) -> str:
    width = max(len(ln.check) for ln in lines)
    out = []
    for ln in lines:
        out.append(f"{ln.level:<8}  {ln.check:<{width}}  {ln.detail}")
        if ln.fix and ln.level != OK:
            out.append(f"{'':<8}  {'':<{width}}  fix: {ln.fix}")
    return "\n".join(out)
