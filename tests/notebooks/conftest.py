"""Fixtures for running the lesson's notebooks: a class folder shaped like `make up`'s (outputs.json
with an execution role, a student's handout) and the lab environment (`provision.lab.prepare`)."""

from __future__ import annotations

import csv
import json
import sys
import uuid
from pathlib import Path

import pytest
from nbhelpers import STUDENT

from provision import lab
from provision.handout import HEADER

# jobhelpers (the spam corpus writer, leftovers()) for the notebook tests, also when run alone
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "jobs"))


@pytest.fixture
def lesson_class(client, reset_emulator, tmp_path):
    """What `make up` leaves for `classroom lab`: outputs.json (execution role) and handouts."""
    iam = client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
            }
        ],
    }
    role = iam.create_role(
        RoleName=f"classroom-sm-exec-{uuid.uuid4().hex[:6]}", AssumeRolePolicyDocument=json.dumps(trust)
    )["Role"]["Arn"]
    cdir = tmp_path / "class"
    (cdir / "handouts").mkdir(parents=True)
    (cdir / "outputs.json").write_text(json.dumps({"execution_role_arn": role}))
    with (cdir / "handouts" / f"{STUDENT}.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerow([STUDENT, "x", "", "", "", STUDENT, "", "Ada", "no"])
    return cdir


@pytest.fixture
def lab_env(lesson_class, aws_env):
    """The kernels' environment of `classroom lab` for this class (and its AWS proxy, stopped after)."""
    outputs = json.loads((lesson_class / "outputs.json").read_text())
    the_lab = lab.prepare(lesson_class, outputs, aws_env.url, "us-east-1", None)
    yield the_lab
    the_lab.proxy.stop()
