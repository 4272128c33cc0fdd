"""Fixtures for the job runners: lesson-layout files, small data folders, an account on the emulator.

``lesson_layout`` is the committed fixture folder (tests/fixtures/lesson: small tables in the
lesson's exact layouts) and always there. ``lesson`` is the lesson's real data folder, which only the
project's own machines have: tests that use it are skipped, with the reason, when it is missing.
``CLASSROOM_TEST_LESSON_DIR`` points it elsewhere (set it to a missing path to see the skips).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from jobhelpers import HAM_WORDS, SPAM_WORDS, write_message

# the execution role the jobs run as: one definition, shared with `make bench`'s job runs
from testkit.aws import lesson_account

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lesson"
REAL_LESSON = Path(
    os.environ.get("CLASSROOM_TEST_LESSON_DIR")
    or Path(__file__).resolve().parents[3] / "shared" / "data" / "lesson"
)


@pytest.fixture
def lesson_layout() -> Path:
    """Small tables in the lesson's exact layouts (committed under tests/fixtures/lesson)."""
    return FIXTURES


@pytest.fixture
def lesson() -> Path:
    """The lesson's real data files; the test is skipped when they are not beside the checkout."""
    if not (REAL_LESSON / "x_austin_final.csv").is_file():
        pytest.skip(
            f"the lesson's real data files are not here ({REAL_LESSON}); "
            "the fixture-layout tests cover the formats"
        )
    return REAL_LESSON


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
    return lesson_account(client("s3"), client("iam"))
