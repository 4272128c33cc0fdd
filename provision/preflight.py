"""Checks made before Terraform creates anything.

The account-level S3 Block Public Access overrides every bucket's own setting: with
BlockPublicPolicy on, the share bucket's public-read policy is refused (AccessDenied), and with
RestrictPublicBuckets on it would be ignored. Say so in one line before the apply starts
(trussworks/terraform-aws-s3-private-bucket#252).
"""

from __future__ import annotations

import os
import re

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from kitcore.aws import short
from kitcore.errors import KitError

ACCOUNT_HOST_PREFIX = re.compile(r"^(https?://)[0-9]{12}\.(?=(127\.|localhost|\[::1\]))")
FIX = "turn those two off for the account (S3 console → Block Public Access settings for this account)"


def _strip_account_host_prefix(request, **_kwargs) -> None:
    """``http://<account>.127.0.0.1:port/...`` → ``http://127.0.0.1:port/...`` (local endpoints only)."""
    request.url = ACCOUNT_HOST_PREFIX.sub(r"\1", request.url)


def s3control_client(region: str):
    """An S3 Control client that also works against a local endpoint (AWS_ENDPOINT_URL).

    S3 Control's endpoint rules prefix the host with the account id (``<account>.s3-control...``),
    even for a custom endpoint; a local endpoint such as ``127.0.0.1:port`` has no such names, so
    the prefix is removed again before the request is signed.
    """
    client = boto3.client("s3control", region_name=region, config=Config(retries={"max_attempts": 2}))
    if os.environ.get("AWS_ENDPOINT_URL_S3_CONTROL") or os.environ.get("AWS_ENDPOINT_URL"):
        client.meta.events.register("before-sign.s3-control.*", _strip_account_host_prefix)
    return client


def check_public_access_block(s3control_client, account_id: str) -> None:
    """Raise KitError if the account-level public access block would break the public bucket."""
    try:
        answer = s3control_client.get_public_access_block(AccountId=account_id)
        config = answer["PublicAccessBlockConfiguration"]
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "")
        if code == "NoSuchPublicAccessBlockConfiguration":
            return
        raise KitError(
            f"cannot read the account's S3 Block Public Access settings ({code or err}); "
            "the public share bucket needs them off"
        ) from None
    except BotoCoreError as err:
        raise KitError(f"cannot read the account's S3 Block Public Access settings ({err})") from None
    blocking = [flag for flag in ("BlockPublicPolicy", "RestrictPublicBuckets") if config.get(flag)]
    if blocking:
        raise KitError(
            f"account {account_id} has S3 Block Public Access {' and '.join(blocking)} on, so the public "
            f"share bucket's read policy would fail; {FIX}"
        )


def check_region_enabled(ec2_client, region: str, account_id: str) -> None:
    """Raise KitError unless ``region`` is enabled for the account (before anything is created).

    Regions launched after 2019-03-20 are opt-in (AWS Account Management Reference Guide, "Enable or
    disable AWS Regions in your account"); EC2 DescribeRegions with AllRegions gives each region's
    OptInStatus: "opt-in-not-required" or "opted-in" is usable, "not-opted-in" is not.
    """
    try:
        regions = ec2_client.describe_regions(AllRegions=True, RegionNames=[region])["Regions"]
    except Exception as err:  # noqa: BLE001 - botocore ClientError or a connection error
        raise KitError(
            f"cannot check whether region {region} is enabled for account {account_id} "
            f"(ec2:DescribeRegions: {short(err)})"
        ) from None
    status = regions[0].get("OptInStatus", "") if regions else ""
    if status not in ("opt-in-not-required", "opted-in"):
        raise KitError(
            f"region {region} is not enabled for account {account_id} (opt-in status "
            f"{status or 'unknown'}): enable it (Account → AWS Regions) or pick another region"
        )
