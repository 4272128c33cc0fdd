"""Issue 12 item 9: the quotas the default run needs at once, said by `make up` and the README."""

from __future__ import annotations

import re
from pathlib import Path

from provision import quotas

ROOT = Path(__file__).resolve().parents[1]


def test_the_needs_follow_the_jobs_defaults():
    # spam's tuner default is what the count is built from (jobs/spam.py)
    spam = (ROOT / "jobs" / "spam.py").read_text()
    assert re.search(r'"max_parallel": int\(self\.options\.get\("max_parallel", (\d+)\)\)', spam).group(
        1
    ) == str(quotas.SPAM_MAX_PARALLEL)
    needs = {n.use: n.instances for n in quotas.default_run_needs()}
    assert needs == {"training": 5, "hosting": 3, "transform": 1}


def test_up_prints_them_and_the_readme_says_them():
    text = "\n".join(quotas.lines())
    assert "ml.m5.xlarge for training job usage: 5" in text
    assert "ml.m5.xlarge for endpoint usage: 3" in text
    assert "ml.m5.xlarge for transform job usage: 1" in text
    readme = (ROOT / "README.md").read_text()
    for line in (
        "ml.m5.xlarge for training job usage: 5",
        "ml.m5.xlarge for endpoint usage: 3",
        "ml.m5.xlarge for transform job usage: 1",
    ):
        assert line in readme
    up = (ROOT / "provision" / "commands" / "up.py").read_text()
    assert "quotas.lines()" in up


def test_doctor_checks_the_same_needs():
    from provision import doctor

    assert doctor.NEEDS == {"training job usage": 5, "endpoint usage": 3, "transform job usage": 1}
