"""Pieces that need no AWS: CSV encoding, payload batches, answer parsing, features, report, CLI input."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.sparse as sp

from jobs import evaluate, features, report
from jobs.lifecycle import JobResult
from jobs.runner import check_instance_type, make_jobs, summary_table
from kitcore.errors import KitError


def test_csv_label_first_no_header_dense_and_sparse():
    x = np.array([[1.5, 0.0], [2.0, 3.25]])
    assert features.to_csv(x, [1, 0]) == "1,1.5,0\n0,2,3.25\n"
    assert features.csv_rows(sp.csr_matrix(x)) == ["1.5,0", "2,3.25"]
    assert features.csv_rows(sp.csr_matrix(x), [0, 1])[1] == "1,2,3.25"


def test_csv_cells_are_six_significant_digits_whatever_the_layout():
    """The vectorised writer gives each cell as ``f"{v:.6g}"`` ("0" for any zero) in every layout:
    dense, sparse with unsorted or duplicate entries (summed, as scipy reads them), empty rows."""

    def cell(v: float) -> str:
        return "0" if v == 0 else f"{v:.6g}"

    x = np.array([[-0.0, 1234567.0, 1e-9], [np.nan, -np.inf, 0.5], [0.0, 0.0, 0.0]])
    expected = [",".join(cell(v) for v in row) for row in x]
    assert features.csv_rows(x) == expected
    assert features.csv_rows(sp.csr_matrix(x)) == expected
    assert features.csv_rows(x, [-0.0, 2.5, 1])[0] == "0," + expected[0]
    unsorted = sp.csr_matrix(
        (np.array([3.0, 1.0, 2.0]), np.array([2, 0, 0]), np.array([0, 3, 3])), shape=(2, 4)
    )
    assert not unsorted.has_canonical_format
    assert features.csv_rows(unsorted, [1, 0]) == ["1,3,0,3,0", "0,0,0,0,0"]


def test_batches_stay_under_the_payload_limit():
    lines = ["x" * 99] * 25  # 100 bytes each with the newline
    out = features.batches(lines, limit=1000)
    assert [len(b) for b in out] == [10, 10, 5]
    assert sum(len("\n".join(b)) + 1 for b in out) == 2500
    with pytest.raises(ValueError, match="payload limit"):
        features.batches(["y" * 2000], limit=1000)


@pytest.mark.parametrize(
    "body, scores, labels",
    [
        (b"0.1,0.2,0.9", [0.1, 0.2, 0.9], None),  # XGBoost <= 1.2-1
        (b"0.1\n0.2\n0.9\n", [0.1, 0.2, 0.9], None),  # XGBoost >= 1.2-2
        (json.dumps({"predictions": [{"score": 1.5}, {"score": -2}]}).encode(), [1.5, -2.0], None),
        (
            json.dumps(
                {"predictions": [{"score": 0.8, "predicted_label": 1}, {"score": 0.3, "predicted_label": 0}]}
            ).encode(),
            [0.8, 0.3],
            [1, 0],
        ),
        (b'{"score": 0.4}\n{"score": 0.6}\n', [0.4, 0.6], None),  # JSON lines
    ],
)
def test_parse_scores_all_forms(body, scores, labels):
    s, lab = evaluate.parse_scores(body)
    assert s == pytest.approx(scores) and lab == labels


def test_word_index_features_pad_and_length():
    f = features.WordIndexFeatures(vocab_size=3, length=4).fit(["aa aa aa bb bb cc dd", "aa bb"])
    x = f.transform(["aa bb zz cc aa", ""])
    assert x.shape == (2, 5)
    assert x[0].tolist() == [1, 2, 3, 1, 5]  # aa=1, bb=2, cc=3; zz unknown; 5 words
    assert x[1].tolist() == [0, 0, 0, 0, 0]


def test_classification_metrics():
    m = evaluate.classification([0, 0, 1, 1], [0.1, 0.6, 0.7, 0.9])
    assert m["accuracy"] == 0.75 and m["precision"] == pytest.approx(2 / 3) and m["recall"] == 1.0
    assert m["confusion_matrix"] == [[1, 1], [0, 2]] and m["roc_auc"] == 1.0


def test_reference_regression_beats_nothing():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 1))
    y = 3 * x[:, 0] + rng.normal(scale=0.1, size=200)
    ref = evaluate.reference_regression(x[:150], y[:150], x[150:], y[150:])
    assert ref["ols_rmse"] < 0.2 and ref["lad_mae"] < 0.2


def test_report_is_self_contained(tmp_path):
    rain = JobResult(
        job="rainfall",
        status="ok",
        metrics={"rmse": 1.0, "mae": 0.5, "r2": 0.1, "n": 3},
        info={
            "source": "fixture",
            "features": ["t"],
            "label": "rain",
            "unit": "mm",
            "reference": {"ols_rmse": 0.9},
        },
        predictions={"x": [1, 2, 3], "y_true": [1, 2, 3], "y_pred": [1.1, 1.9, 3.2]},
        headline="RMSE 1.000",
    )
    credit = JobResult(
        job="credit",
        status="ok",
        metrics=evaluate.classification([0, 1, 1, 0], [0.2, 0.9, 0.4, 0.1], labels=("bad", "good")),
        predictions={"y_true": [0, 1, 1, 0], "scores": [0.2, 0.9, 0.4, 0.1], "y_pred": [0, 1, 0, 0]},
    )
    spam = JobResult(job="spam", status="failed", error="training job x failed: boom")
    page = report.write([rain, credit, spam], tmp_path / "r1", "r1", "local")
    html = page.read_text()
    assert page.name == "index.html" and html.count("data:image/png;base64,") == 3
    assert 'src="http' not in html and "<link" not in html  # nothing to fetch: projectable offline
    assert "training job x failed: boom" in html and "classification" not in html.split("credit")[0]
    pngs = sorted(p.name for p in (tmp_path / "r1").glob("*.png"))
    assert pngs == ["credit-confusion-matrix.png", "credit-roc.png", "rainfall-predicted-vs-actual.png"]
    doc = json.loads((tmp_path / "r1" / "metrics.json").read_text())
    assert doc["jobs"]["rainfall"]["metrics"]["rmse"] == 1.0 and doc["jobs"]["spam"]["status"] == "failed"
    assert "predictions" not in doc["jobs"]["rainfall"]


def test_job_names_options_and_instance_types():
    assert [j.name for j in make_jobs([])] == ["rainfall", "credit", "spam"]
    with pytest.raises(KitError, match="unknown job 'weather'"):
        make_jobs(["weather"])
    with pytest.raises(KitError, match="listed twice"):
        make_jobs(["credit", "credit"])
    with pytest.raises(KitError, match="not run: spam"):
        make_jobs(["credit"], {"spam": {"limit": "3"}})
    with pytest.raises(KitError, match="unknown option spam.colour"):
        make_jobs(["spam"], {"spam": {"colour": "red"}})
    with pytest.raises(KitError, match="spam.max_jobs must be a positive whole number"):
        make_jobs(["spam"], {"spam": {"max_jobs": "many"}})
    assert check_instance_type("ml.t3.medium") == "ml.t3.medium"
    with pytest.raises(KitError, match="not a SageMaker instance type"):
        check_instance_type("m5.xlarge")


def test_rainfall_more_features_than_feature_dim(lesson_layout):
    job = make_jobs(
        ["rainfall"],
        {"rainfall": {"data": str(lesson_layout / "x_austin_final.csv"), "feature": "TempAvgF,TempHighF"}},
    )[0]
    with pytest.raises(KitError, match="2 feature column.*feature_dim=1"):
        job.prepare()
    job = make_jobs(
        ["rainfall"],
        {
            "rainfall": {
                "data": str(lesson_layout / "x_austin_final.csv"),
                "feature": "TempAvgF,TempHighF",
                "feature_dim": "2",
            }
        },
    )[0]
    assert job.prepare().info["hyperparameters"]["feature_dim"] == 2


def test_summary_table():
    rows = summary_table(
        [
            JobResult(job="credit", status="ok", elapsed_s=12, headline="accuracy 0.750"),
            JobResult(job="spam", status="failed", elapsed_s=3, error="boom"),
        ]
    )
    assert rows.splitlines()[1].split() == ["credit", "ok", "12", "s", "accuracy", "0.750"]
    assert rows.splitlines()[2].endswith("boom")


def test_rainfall_serving_form_without_aws():
    from jobs.rainfall import Rainfall

    job = Rainfall()
    pipeline = {"kind": "identity", "features": ["temp_avg"], "label": "precipitation", "unit": "mm"}
    assert job.form_fields(pipeline) == [
        {"name": "temp_avg", "label": "temp_avg (average temperature)", "type": "number", "choices": None}
    ]
    assert job.encode_form(pipeline, {"temp_avg": "12.5"}) == "12.5\n"
    with pytest.raises(KitError, match="temp_avg must be a number"):
        job.encode_form(pipeline, {"temp_avg": "warm"})
    out = job.decode_answer(pipeline, b'{"predictions": [{"score": 1.234}]}')
    assert out == {"label": "1.23 mm of rain", "score": 1.234}


def test_the_registry_is_the_one_list_of_jobs():
    """Every registered job is a Job named like its key that owns its title, labels, plots and form."""
    from jobs import JOB_NAMES, JOBS, job_class
    from jobs.lifecycle import Job

    assert JOB_NAMES == tuple(JOBS) == ("rainfall", "credit", "spam")
    for name in JOB_NAMES:
        cls = job_class(name)
        assert issubclass(cls, Job) and cls.name == name and cls.title
        for method in ("prepare", "evaluate", "headline", "form_fields", "encode_form", "decode_answer"):
            assert getattr(cls, method) is not getattr(Job, method), f"{name} does not define {method}"
    assert job_class("credit").labels == ("bad", "good") and job_class("spam").labels == ("ham", "spam")
    with pytest.raises(KitError, match="unknown job 'weather': choose from rainfall, credit, spam"):
        job_class("weather")


def test_waits_poll_fast_first_then_back_off_to_the_interval(monkeypatch):
    """A job that ends within a second is seen within tenths of one; a long one costs one Describe
    per poll interval."""
    import threading

    from jobs.sdk import FIRST_POLL_S, Cancelled, SageMaker

    sm = SageMaker.__new__(SageMaker)  # the backoff needs no AWS session
    sm.poll, sm.cancel = 1.0, threading.Event()
    waited: list[float] = []
    monkeypatch.setattr(sm, "sleep", lambda seconds=None: waited.append(seconds))
    sleep = sm.backoff()
    for _ in range(6):
        sleep()
    assert waited == [FIRST_POLL_S, 0.2, 0.4, 0.8, 1.0, 1.0]
    sm.poll = 0.05  # an interval below the first step is used as it is
    waited.clear()
    sm.backoff()()
    assert waited == [0.05]
    real = SageMaker.__new__(SageMaker)
    real.poll, real.cancel = 5.0, threading.Event()
    real.cancel.set()
    with pytest.raises(Cancelled):
        real.backoff()()
