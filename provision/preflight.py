"""Checks made before Terraform creates anything.

The account-level S3 Block Public Access overrides every bucket's own setting: with
BlockPublicPolicy on, the share bucket's public-read policy is refused (AccessDenied), and with
RestrictPublicBuckets on it would be ignored. Say so in one line before the apply starts
(trussworks/terraform-aws-s3-private-bucket#252).
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from provision.errors import KitError

FIX = "turn those two off for the account (S3 console → Block Public Access settings for this account)"


def check_public_access_block(s3control_client, account_id: str) -> None:
    """Raise KitError if the account-level public access block would break the public bucket."""
    try:
        answer = s3control_client.get_public_access_block(AccountId=account_id)
        config = answer["PublicAccessBlockConfiguration"]
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "")
        if code == "NoSuchPublicAccessBlockConfiguration":
            return
        raise KitError(f"cannot read the account's S3 Block Public Access settings ({code or err}); "
                       "the public share bucket needs them off") from None
    except BotoCoreError as err:
        raise KitError(f"cannot read the account's S3 Block Public Access settings ({err})") from None
    blocking = [flag for flag in ("BlockPublicPolicy", "RestrictPublicBuckets") if config.get(flag)]
    if blocking:
        raise KitError(
            f"account {account_id} has S3 Block Public Access {' and '.join(blocking)} on, so the public "
            f"share bucket's read policy would fail; {FIX}"
        )
