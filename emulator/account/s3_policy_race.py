"""AWS's PutBucketPolicy race, on demand: right after a bucket's block-public-access flags are relaxed,
S3 can refuse a public bucket policy with AccessDenied for a short while (AWS's known advice: wait and
retry). The emulator is consistent at once, so the refusal is a test knob, off by default:

    POST /__classroom/knobs  {"s3_policy_refusal_s": 3}

makes PutBucketPolicy answer 403 AccessDenied for 3 s after a PutPublicAccessBlock that turns
BlockPublicPolicy off on that bucket. ``{"s3_policy_refusal_s": 0}`` turns it off again.
"""

from __future__ import annotations

import threading
import time
from typing import Any

KNOBS: dict[str, float] = {"s3_policy_refusal_s": 0.0}
_relaxed: dict[str, float] = {}  # bucket -> when BlockPublicPolicy was turned off (monotonic)
_lock = threading.Lock()


def set_knobs(values: dict[str, Any]) -> dict[str, float]:
    with _lock:
        for key, value in values.items():
            if key not in KNOBS:
                raise KeyError(key)
            KNOBS[key] = float(value)
        if not KNOBS["s3_policy_refusal_s"]:
            _relaxed.clear()
        return dict(KNOBS)


def _off(value: Any) -> bool:
    return str(value).lower() in ("false", "0", "")


def install() -> None:
    from moto.s3.exceptions import S3AccessDeniedError
    from moto.s3.models import S3Backend

    put_block = S3Backend.put_public_access_block
    put_policy = S3Backend.put_bucket_policy

    def put_public_access_block(self, bucket_name: str, pub_block_config: dict | None) -> None:
        put_block(self, bucket_name, pub_block_config)
        relaxed = pub_block_config and _off(pub_block_config.get("BlockPublicPolicy"))
        if KNOBS["s3_policy_refusal_s"] and relaxed:
            with _lock:
                _relaxed[bucket_name] = time.monotonic()

    def put_bucket_policy(self, bucket_name: str, policy: bytes) -> None:
        window = KNOBS["s3_policy_refusal_s"]
        with _lock:
            since = _relaxed.get(bucket_name)
        if window and since is not None and time.monotonic() - since < window:
            raise S3AccessDeniedError()
        put_policy(self, bucket_name, policy)

    S3Backend.put_public_access_block = put_public_access_block  # type: ignore[method-assign]
    S3Backend.put_bucket_policy = put_bucket_policy  # type: ignore[method-assign]
