"""Fixtures for the job runners: lesson files, small data folders, an account on the emulator."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from jobhelpers import HAM_WORDS, SPAM_WORDS, write_message

LESSON = Path(__file__).resolve().parents[3] / "shared" / "data" / "lesson"


@pytest.fixture
def lesson() -> Path:
    if not LESSON.is_dir():
        pytest.fail(f"the lesson's data files are missing: {LESSON}")
    return LESSON


@pytest.fixture
def spam_folder(tmp_path) -> Path:
    """A small corpus: 200 ham and 100 spam messages with clearly different words."""
    import random

    rnd = random.Random(7)
    root = tmp_path / "corpus"
    for i in range(200):
        words = " ".join(rnd.choices(HAM_WORDS, k=30))
        write_message(root / "easy_ham", i, f"re: {rnd.choice(HAM_WORDS)}", words)
    for i in range(100):
        words = " ".join(rnd.choices(SPAM_WORDS, k=30))
        write_message(root / "spam", i, f"{rnd.choice(SPAM_WORDS)} now", f"<p>{words}</p>", html=True)
    return root


@pytest.fixture
def account(client, reset_emulator):
    """A models bucket and an execution role on the emulator (what `make up` makes)."""
    from jobs.sdk import Account

    s3, iam = client("s3"), client("iam")
    bucket = f"models-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    role = iam.create_role(
        RoleName=f"sm-{uuid.uuid4().hex[:6]}",
        AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[]}',
    )["Role"]["Arn"]
    return Account(bucket=bucket, role_arn=role, region="us-east-1")
