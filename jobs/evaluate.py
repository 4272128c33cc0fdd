"""Metrics on the held-out test set, and local scikit-learn references for the same split."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import numpy as np
from sklearn import metrics as skm


def regression(y_true: Sequence[float], y_pred: Sequence[float]) -> dict[str, float]:
    yt, yp = np.asarray(y_true, float), np.asarray(y_pred, float)
    return {
        "rmse": float(np.sqrt(skm.mean_squared_error(yt, yp))),
        "mae": float(skm.mean_absolute_error(yt, yp)),
        "r2": float(skm.r2_score(yt, yp)),
        "n": int(len(yt)),
    }


def classification(
    y_true: Sequence[int],
    scores: Sequence[float],
    threshold: float = 0.5,
    labels: tuple[str, str] = ("0", "1"),
    predicted: Sequence[int] | None = None,
) -> dict:
    """Accuracy, precision, recall, F1 (positive class = 1), ROC AUC, confusion matrix, report."""
    yt = np.asarray(y_true, int)
    s = np.asarray(scores, float)
    yp = np.asarray(predicted, int) if predicted is not None else (s >= threshold).astype(int)
    try:
        auc = float(skm.roc_auc_score(yt, s))
    except ValueError:  # one class only in the test split
        auc = float("nan")
    return {
        "accuracy": float(skm.accuracy_score(yt, yp)),
        "precision": float(skm.precision_score(yt, yp, zero_division=0)),
        "recall": float(skm.recall_score(yt, yp, zero_division=0)),
        "f1": float(skm.f1_score(yt, yp, zero_division=0)),
        "roc_auc": auc,
        "confusion_matrix": skm.confusion_matrix(yt, yp, labels=[0, 1]).tolist(),
        "classification_report": skm.classification_report(
            yt, yp, labels=[0, 1], target_names=list(labels), zero_division=0
        ),
        "n": int(len(yt)),
    }


# -- references (local, for the quality bars) -----------------------------------------------------


def reference_regression(x_train, y_train, x_test, y_test) -> dict[str, float]:
    """Least squares (RMSE reference) and least absolute deviation (MAE reference)."""
    from sklearn.linear_model import LinearRegression, QuantileRegressor

    ols = LinearRegression().fit(x_train, y_train)
    lad = QuantileRegressor(quantile=0.5, alpha=0.0, solver="highs").fit(x_train, y_train)
    a, b = regression(y_test, ols.predict(x_test)), regression(y_test, lad.predict(x_test))
    return {
        "ols_rmse": a["rmse"],
        "ols_mae": a["mae"],
        "ols_r2": a["r2"],
        "lad_rmse": b["rmse"],
        "lad_mae": b["mae"],
    }


def reference_logistic(x_train, y_train, x_test, y_test) -> dict[str, float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(max_iter=2000).fit(x_train, y_train)
    m = classification(y_test, model.predict_proba(x_test)[:, 1])
    return {"logreg_accuracy": m["accuracy"], "logreg_roc_auc": m["roc_auc"]}


# -- parsing endpoint / transform answers -----------------------------------------------------------


def parse_scores(body: bytes | str, content_type: str = "") -> tuple[list[float], list[int] | None]:
    """Scores (and predicted labels, if the algorithm sent them) from a SageMaker answer.

    Understands linear-learner's JSON ``{"predictions":[{"score":…,"predicted_label":…}]}``, JSON
    lines, and XGBoost's CSV in both forms: ``"0.1,0.2"`` (≤1.2-1) and ``"0.1\\n0.2\\n"`` (≥1.2-2).
    """
    text = body.decode() if isinstance(body, bytes | bytearray) else body
    text = text.strip()
    if not text:
        return [], None
    if text[0] in "{[":
        try:
            docs = [json.loads(text)]
        except json.JSONDecodeError:  # JSON lines
            docs = [json.loads(line) for line in text.splitlines() if line.strip()]
        preds = []
        for doc in docs:
            if isinstance(doc, dict) and "predictions" in doc:
                preds.extend(doc["predictions"])
            elif isinstance(doc, list):
                preds.extend(doc)
            else:
                preds.append(doc)
        scores = [float(p["score"] if isinstance(p, dict) else p) for p in preds]
        labels = [int(p["predicted_label"]) for p in preds if isinstance(p, dict) and "predicted_label" in p]
        return scores, (labels if len(labels) == len(scores) else None)
    cells = [c for c in re.split(r"[,\n\r]+", text) if c.strip()]
    return [float(c) for c in cells], None
