"""Benchmark of the lesson's jobs on their default data, on the embedded AWS.

The three jobs run as ``make train`` runs them (in parallel, full 20-job tuner for spam); rainfall runs
once more with ``loss=squared_loss`` so that each of its two bars compares like with like:
- MAE of the lesson's absolute-loss model within 2 % of a least-absolute-deviation fit;
- RMSE of the squared-loss model within 2 % of scikit-learn LinearRegression.
Quality bars: credit accuracy >= 0.74 and ROC AUC >= 0.77; spam tuned accuracy >= 0.97 (the capstone's
word-index features reached 0.8839). Also measured: wall time per job and what stayed deployed (0).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

REGION = "us-east-1"


def _row(name: str, value, unit: str, goal: str, ok: bool | None) -> dict:
    return {"name": name, "value": value, "unit": unit, "goal": goal, "ok": ok}


def run() -> list[dict]:
    from provision import embedded

    os.environ.setdefault("SAGEMAKER_VALIDATE_ROLE", "false")
    emu = embedded.start()
    os.environ.update(emu.env(REGION))
    os.environ.setdefault("CLASSROOM_POLL_SECONDS", "0.5")
    import boto3

    from jobs.lifecycle import Context
    from jobs.lifecycle import run as run_job
    from jobs.runner import make_jobs, run_all
    from testkit.aws import lesson_account

    s3, iam, sm = boto3.client("s3"), boto3.client("iam"), boto3.client("sagemaker")
    account = lesson_account(s3, iam, prefix="bench-")
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as tmp:
        started = time.monotonic()
        results, page = run_all(
            make_jobs([]), account, Path(tmp) / "class", Path(tmp) / "reports", progress=lambda _j, _m: None
        )
        total = time.monotonic() - started
        by = {r.job: r for r in results}
        for r in results:
            rows.append(_row(f"{r.job} status", r.status, "", "ok", r.status == "ok"))
            rows.append(_row(f"{r.job} wall time", round(r.elapsed_s, 1), "s", "", None))
        rows.append(_row("make train (3 jobs in parallel) wall time", round(total, 1), "s", "", None))

        rain = by["rainfall"]
        if rain.status == "ok":
            ref = rain.info["reference"]
            gap = rain.metrics["mae"] / ref["lad_mae"] - 1
            rows.append(
                _row(
                    "rainfall MAE (absolute_loss, lesson)",
                    round(rain.metrics["mae"], 4),
                    "mm",
                    f"<= 1.02 x LAD {ref['lad_mae']:.4f}",
                    gap <= 0.02,
                )
            )
            rows.append(
                _row(
                    "rainfall RMSE (absolute_loss, lesson)",
                    round(rain.metrics["rmse"], 4),
                    "mm",
                    f"info; OLS {ref['ols_rmse']:.4f}",
                    None,
                )
            )
        sq = run_job(
            make_jobs(["rainfall"], {"rainfall": {"loss": "squared_loss"}})[0],
            Context(account=account, class_dir=Path(tmp) / "class-sq", run_id="bench-sq"),
        )
        if sq.status == "ok":
            ref = sq.info["reference"]
            gap = sq.metrics["rmse"] / ref["ols_rmse"] - 1
            rows.append(
                _row(
                    "rainfall RMSE (squared_loss)",
                    round(sq.metrics["rmse"], 4),
                    "mm",
                    f"<= 1.02 x OLS {ref['ols_rmse']:.4f}",
                    gap <= 0.02,
                )
            )
        else:
            rows.append(_row("rainfall squared_loss status", sq.status + " " + sq.error, "", "ok", False))

        credit = by["credit"]
        if credit.status == "ok":
            m, ref = credit.metrics, credit.info["reference"]
            rows.append(
                _row("credit accuracy", round(m["accuracy"], 4), "", ">= 0.74", m["accuracy"] >= 0.74)
            )
            rows.append(_row("credit ROC AUC", round(m["roc_auc"], 4), "", ">= 0.77", m["roc_auc"] >= 0.77))
            rows.append(
                _row(
                    "credit reference LogisticRegression accuracy / AUC",
                    f"{ref['logreg_accuracy']:.4f} / {ref['logreg_roc_auc']:.4f}",
                    "",
                    "info",
                    None,
                )
            )

        spam = by["spam"]
        if spam.status == "ok":
            m = spam.metrics
            rows.append(
                _row(
                    "spam tuned accuracy (TF-IDF, endpoint)",
                    round(m["accuracy"], 4),
                    "",
                    ">= 0.97",
                    m["accuracy"] >= 0.97,
                )
            )
            for c in spam.training.get("comparison", []):
                rows.append(
                    _row(
                        f"spam accuracy: {c['model']} (batch transform)",
                        round(c["accuracy"], 4),
                        "",
                        "info; capstone 0.8839",
                        None,
                    )
                )
            rows.append(_row("spam tuning jobs", len(spam.training["tuning"]["jobs"]), "", "20", None))

        left = (
            len(sm.list_endpoints()["Endpoints"])
            + len(sm.list_endpoint_configs()["EndpointConfigs"])
            + len(sm.list_models()["Models"])
        )
        rows.append(_row("endpoints + configs + models left after the run", left, "", "0", left == 0))
        rows.append(_row("report page bytes", page.stat().st_size, "B", "", None))
    return rows
