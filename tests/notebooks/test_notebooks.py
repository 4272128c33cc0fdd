"""The lesson's three notebooks run top to bottom in a real kernel (nbclient + ipykernel) under
`classroom lab`'s kernel environment against the embedded AWS, on small data in the lesson's
layouts; each metric cell's values equal the job runner's figures on the same data, and nothing is
left deployed or running afterwards. The kernel refuses non-loopback connections (first cell)."""

from __future__ import annotations

import math
import re

import pytest
from jobhelpers import HAM_WORDS, NOTHING, SPAM_WORDS, leftovers, write_message
from nbhelpers import FIXTURES, ROOT, RUNNER_BUCKET, cell_values, run_notebook, stdout_of

from jobs.lifecycle import Context, run
from jobs.runner import make_jobs
from jobs.sdk import Account

pytestmark = pytest.mark.slow
NOTEBOOKS = ROOT / "notebooks"


def _runner(job: str, options: dict, client, tmp_path, the_lab):
    """The kit's job runner on the same data, as `classroom train` runs it: the class's models bucket
    and execution role (the one the notebook's kernel runs as)."""
    ctx = Context(
        account=Account(bucket=RUNNER_BUCKET, role_arn=the_lab.role_arn, region="us-east-1"),
        class_dir=tmp_path / "runner",
        run_id="nb",
        poll=0.2,
    )
    result = run(make_jobs([job], {job: options})[0], ctx)
    assert result.status == "ok", result.error
    return result


def _nothing_running(client) -> None:
    sm = client("sagemaker")
    assert leftovers(client) == NOTHING
    for kind, key in (
        ("training_jobs", "TrainingJobSummaries"),
        ("transform_jobs", "TransformJobSummaries"),
        ("hyper_parameter_tuning_jobs", "HyperParameterTuningJobSummaries"),
    ):
        running = getattr(sm, f"list_{kind}")(StatusEquals="InProgress")[key]
        assert running == [], kind


def _identity_lines(nb, the_lab):
    out = stdout_of(nb)
    # the SDK's own default bucket and execution role, answered by the embedded AWS
    assert "sagemaker-us-east-1-123456789012" in out
    assert the_lab.role_arn in out
    return out


def test_rainfall_notebook_matches_the_runner(lab_env, client, tmp_path):
    nb = run_notebook(
        NOTEBOOKS / "rainfall.py",
        lab_env,
        tmp_path / "nb",
        {
            "X_FILE": str(FIXTURES / "x_austin_final.csv"),
            "Y_FILE": str(FIXTURES / "y_austin_final.csv"),
            "POLL": 1,
        },
    )
    _identity_lines(nb, lab_env)
    (metrics,) = cell_values(nb, "metrics")
    ref = _runner(
        "rainfall",
        {"data": [str(FIXTURES / "x_austin_final.csv"), str(FIXTURES / "y_austin_final.csv")]},
        client,
        tmp_path,
        lab_env,
    ).metrics
    assert metrics["n"] == ref["n"] == 15
    for key in ("rmse", "mae", "r2"):
        assert math.isclose(metrics[key], ref[key], rel_tol=1e-6, abs_tol=1e-9), (key, metrics, ref)
    _nothing_running(client)
    assert "sts.us-east-1.amazonaws.com" in lab_env.proxy.served and lab_env.proxy.refused == []


def test_credit_notebook_matches_the_runner(lab_env, client, tmp_path):
    data = FIXTURES / "german_credit_data.csv"
    nb = run_notebook(
        NOTEBOOKS / "credit.py", lab_env, tmp_path / "nb", {"DATA_FILE": str(data), "EPOCHS": 8, "POLL": 1}
    )
    _identity_lines(nb, lab_env)
    (metrics,) = cell_values(nb, "metrics")
    ref = _runner("credit", {"data": str(data), "epochs": "8"}, client, tmp_path, lab_env).metrics
    assert metrics["n"] == ref["n"] == 30
    for key in ("accuracy", "precision", "recall", "f1", "roc_auc"):
        assert math.isclose(metrics[key], ref[key], rel_tol=1e-6, abs_tol=1e-9), (key, metrics, ref)
    _nothing_running(client)


@pytest.fixture
def small_corpus(tmp_path):
    import random

    rnd = random.Random(7)
    root = tmp_path / "corpus"
    for i in range(80):
        write_message(
            root / "easy_ham", i, f"re: {rnd.choice(HAM_WORDS)}", " ".join(rnd.choices(HAM_WORDS, k=30))
        )
    for i in range(40):
        words = " ".join(rnd.choices(SPAM_WORDS, k=30))
        write_message(root / "spam", i, f"{rnd.choice(SPAM_WORDS)} now", f"<p>{words}</p>", html=True)
    return root


def test_spam_notebook_matches_the_runner(lab_env, client, tmp_path, small_corpus):
    nb = run_notebook(
        NOTEBOOKS / "spam.py",
        lab_env,
        tmp_path / "nb",
        {"CORPUS_DIR": str(small_corpus), "DOWNLOAD": False, "MAX_JOBS": 3, "MAX_PARALLEL": 3, "POLL": 1},
    )
    out = _identity_lines(nb, lab_env)
    fixed, tuned = cell_values(nb, "metrics")
    ref = _runner(
        "spam",
        {"data": str(small_corpus), "capstone": "false", "max_jobs": "2", "max_parallel": "2"},
        client,
        tmp_path,
        lab_env,
    )
    row = next(r for r in ref.training["comparison"] if r["model"] == "TF-IDF, fixed")
    assert fixed["n"] == tuned["n"] == ref.metrics["n"] == 36
    for key in ("accuracy", "precision", "recall"):
        assert math.isclose(fixed[key], row[key], rel_tol=1e-6), (key, fixed, row)
    # the tuned model: the tuner ran MAX_JOBS real jobs, and the notebook deployed the one with the
    # lowest validation:rmse (its accuracy depends on the tuner's random draws: no fixed figure)
    sm = client("sagemaker")
    (tuning,) = [
        t["HyperParameterTuningJobName"]
        for t in sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"]
        if t["HyperParameterTuningJobName"] != ref.training["tuning"]["name"]
    ]
    children = sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=tuning)[
        "TrainingJobSummaries"
    ]
    assert len(children) == 3 and {c["TrainingJobStatus"] for c in children} == {"Completed"}
    best = min(children, key=lambda c: c["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])
    assert tuned["training_job"] == best["TrainingJobName"]
    assert tuned["n"] == 36 and math.isclose(tuned["accuracy"] * 36, round(tuned["accuracy"] * 36))
    assert re.search(r"spam score [01]\.\d{3} → (spam|ham)\n", out)  # the web call answered
    _nothing_running(client)
