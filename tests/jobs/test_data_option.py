"""`classroom train --data`: the three documented ways to give rainfall the lesson's pair (both files,
the folder, the x file alone), and one `error:` line for a repeated --data that is not a pair.

Fixtures: tests/fixtures/lesson/ holds small files in the lesson's exact layouts (x with the pandas
index column and the lesson's 16 columns, y one value per line without a header)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from jobhelpers import NOTHING, class_dir_with_outputs, leftovers

from jobs.runner import make_jobs
from kitcore.errors import KitError
from provision.commands.train import _data, _options

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lesson"
X, Y = FIXTURES / "x_austin_final.csv", FIXTURES / "y_austin_final.csv"
CLASSROOM = [str(Path(sys.executable).parent / "classroom")]


def _prepared(values: tuple[str, ...], jobs=("rainfall",)):
    names = list(jobs)
    job = make_jobs(names, _options((), _data(values, names)))[0]
    return job.prepare()


@pytest.mark.parametrize(
    "values",
    [
        (f"rainfall={X}", f"rainfall={Y}"),  # the pair, as the README's first example
        (f"rainfall={Y}", f"rainfall={X}"),  # either order
        (str(X), str(Y)),  # bare paths: one job runs
        (f"rainfall={FIXTURES}",),  # the folder holding the pair (and a credit CSV, ignored)
        (f"rainfall={X}",),  # the x file alone: y_ is found beside it
    ],
    ids=["pair", "pair-reversed", "pair-bare", "folder", "x-alone"],
)
def test_each_data_form_reads_the_same_pair(values):
    p = _prepared(values)
    assert p.info["source"] == "x_austin_final.csv + y_austin_final.csv"
    assert p.info["features"] == ["TempAvgF"] and p.info["unit"] == "in"
    assert p.info["split"] == {"train": 45, "test": 15}  # 60 rows, the lesson's 25 % test split
    assert p.info["cleaning"]["rows_read"] == 60


def test_folder_with_only_the_pair(tmp_path):
    for f in (X, Y):
        shutil.copy(f, tmp_path / f.name)
    assert _prepared((f"rainfall={tmp_path}",)).info["split"]["test"] == 15


@pytest.mark.parametrize(
    "values, message",
    [
        ((f"rainfall={X}", f"rainfall={X}"), "are not an x_*.csv + y_*.csv pair"),
        ((f"rainfall={Y}", f"rainfall={FIXTURES}"), "are not an x_*.csv + y_*.csv pair"),
        ((f"rainfall={X}", f"rainfall={Y}", f"rainfall={X}"), "3 --data values given"),
        ((f"rainfall={X}", f"rainfall={FIXTURES / 'nope.csv'}"), "does not exist"),
    ],
)
def test_repeated_data_that_is_not_a_pair_fails(values, message):
    with pytest.raises(KitError, match=message.replace("*", r"\*").replace("+", r"\+")):
        _data(values, ["rainfall"])


def test_repeated_data_for_another_job_fails():
    credit = FIXTURES / "german_credit_data.csv"
    with pytest.raises(KitError, match="--data given 2 times for credit"):
        _data((f"credit={credit}", f"credit={credit}"), ["credit", "rainfall"])
    # one value each for two jobs stays fine
    assert _data((f"credit={credit}", f"rainfall={X}"), ["credit", "rainfall"]) == {
        "credit": str(credit),
        "rainfall": str(X),
    }


def test_y_alone_blames_the_layout_not_the_number():
    """Before: '--data x --data y' kept y only and said "y_austin_final.csv has no known feature/label
    columns (columns: 0.46)". y alone is still not enough, and the message says what to give."""
    with pytest.raises(KitError, match="no known feature/label columns"):
        _prepared((f"rainfall={Y}",))


@pytest.mark.parametrize(
    "args, message",
    [
        (["rainfall", "--data", f"rainfall={X}", "--data", f"rainfall={X}"], "not an x_*.csv + y_*.csv pair"),
        (["credit", "--data", f"credit={X}", "--data", f"credit={Y}"], "--data given 2 times for credit"),
    ],
)
def test_cli_one_error_line_before_anything(tmp_path, args, message):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["CLASSROOM_STATE_DIR"] = str(tmp_path)
    proc = subprocess.run(
        [*CLASSROOM, "train", *args, "--class-dir", str(tmp_path / "class")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 1 and len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and message in lines[0]
    assert not (tmp_path / "class").exists() and not (tmp_path / "reports").exists()


@pytest.mark.slow
def test_train_command_with_the_pair_end_to_end(client, account, tmp_path):
    """The documented pair form through `classroom train` on the embedded AWS: the report names both
    files and nothing stays deployed."""
    from provision.commands.train import command

    cdir = class_dir_with_outputs(tmp_path, account)
    reports = tmp_path / "reports"
    res = CliRunner().invoke(
        command,
        [
            "rainfall",
            "--data",
            f"rainfall={X}",
            "--data",
            f"rainfall={Y}",
            "--class-dir",
            str(cdir),
            "--reports",
            str(reports),
            "--option",
            "rainfall.epochs=4",
        ],
        env={"CLASSROOM_POLL_SECONDS": "0.2"},
    )
    assert res.exit_code == 0, (res.output, res.exception)
    doc = json.loads((next(reports.iterdir()) / "metrics.json").read_text())["jobs"]["rainfall"]
    assert doc["status"] == "ok" and doc["metrics"]["n"] == 15
    assert doc["info"]["source"] == "x_austin_final.csv + y_austin_final.csv"
    assert leftovers(client) == NOTHING
