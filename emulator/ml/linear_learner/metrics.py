"""Evaluating a linear-learner model: losses, accuracy, precision/recall/F1, ROC AUC, and the
decision threshold calibrated for ``binary_classifier_model_selection_criteria``."""

from __future__ import annotations

import math

import numpy as np

from emulator.ml.errors import AlgorithmError
from emulator.ml.linear_learner.config import EPS, Config, Dataset
from emulator.ml.linear_learner.model import LinearModel, loss_and_grad, sigmoid, softmax


# ------------------------------------------------------------------------------------------ metrics
def _binary_counts(scores: np.ndarray, y: np.ndarray, threshold: float) -> tuple[float, float, float, float]:
    pred = scores > threshold
    tp = float(np.sum(pred & (y == 1)))
    fp = float(np.sum(pred & (y == 0)))
    fn = float(np.sum(~pred & (y == 1)))
    tn = float(np.sum(~pred & (y == 0)))
    return tp, fp, fn, tn


def roc_auc(scores: np.ndarray, y: np.ndarray) -> float:
    """Area under the ROC curve by the rank-sum formula (ties get average ranks)."""
    pos = y == 1
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1
        i = j + 1
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _criterion(cfg: Config, tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, tn: np.ndarray) -> np.ndarray:
    """The binary selection criterion (higher is better) for arrays of confusion counts."""
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / np.maximum(tp + fp, EPS), 1.0)
        recall = np.where(tp + fn > 0, tp / np.maximum(tp + fn, EPS), 0.0)
        if cfg.selection == "accuracy":
            return (tp + tn) / np.maximum(tp + fp + fn + tn, EPS)
        if cfg.selection == "f_beta":
            b2 = cfg.f_beta**2
            return np.where(
                precision + recall > 0,
                (1 + b2) * precision * recall / np.maximum(b2 * precision + recall, EPS),
                0.0,
            )
        if cfg.selection == "precision_at_target_recall":
            return np.where(recall >= cfg.target_recall, precision, -1.0 + recall)
        # recall_at_target_precision
        return np.where(precision >= cfg.target_precision, recall, -1.0 + precision)


def calibrate_threshold(cfg: Config, scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The threshold that maximises the selection criterion on (scores, y), and that criterion."""
    default = 0.5 if cfg.loss == "logistic" else 0.0
    if cfg.selection == "loss_function" or len(scores) == 0:
        tp, fp, fn, tn = _binary_counts(scores, y, default)
        return default, float(_criterion(_acc_cfg(cfg), *map(np.asarray, (tp, fp, fn, tn))))
    order = np.argsort(-scores, kind="mergesort")
    s, yy = scores[order], y[order]
    # predict positive for the first k rows, k = 0..n
    tp = np.concatenate([[0.0], np.cumsum(yy == 1)])
    fp = np.concatenate([[0.0], np.cumsum(yy == 0)])
    total_pos, total_neg = tp[-1], fp[-1]
    fn, tn = total_pos - tp, total_neg - fp
    # only cut between distinct scores
    valid = np.ones(len(tp), dtype=bool)
    valid[1:-1] = s[:-1] != s[1:]
    crit = np.where(valid, _criterion(cfg, tp, fp, fn, tn), -np.inf)
    k = int(np.argmax(crit))
    if k == 0:
        threshold = float(s[0]) + 1e-6
    elif k == len(s):
        threshold = float(s[-1]) - 1e-6
    else:
        threshold = float((s[k - 1] + s[k]) / 2)
    return threshold, float(crit[k])


def _acc_cfg(cfg: Config) -> Config:
    from dataclasses import replace

    return replace(cfg, selection="accuracy")


def evaluate(model: LinearModel, cfg: Config, data: Dataset) -> dict[str, float]:
    """The documented metrics of one channel, in label units (without the channel prefix)."""
    z = model.raw(data.X)
    y = data.y
    out: dict[str, float] = {}
    if cfg.predictor_type == "regressor":
        pred = z * model.y_std + model.y_mean
        r = pred - y
        out["mse"] = float(np.mean(r**2))
        out["rmse"] = math.sqrt(out["mse"])
        out["absolute_loss"] = float(np.mean(np.abs(r)))
        values, _ = loss_and_grad(cfg, pred[:, None], y, None)
        out["objective_loss"] = float(values.mean())
    elif cfg.predictor_type == "binary_classifier":
        scores = sigmoid(z) if cfg.loss == "logistic" else z
        values, _ = loss_and_grad(cfg, z[:, None], y, None)
        out["objective_loss"] = float(values.mean())
        tp, fp, fn, tn = _binary_counts(scores, y, model.threshold)
        n = max(tp + fp + fn + tn, 1.0)
        precision = tp / (tp + fp) if tp + fp > 0 else 0.0
        recall = tp / (tp + fn) if tp + fn > 0 else 0.0
        b2 = cfg.f_beta**2
        out["binary_classification_accuracy"] = (tp + tn) / n
        out["precision"] = precision
        out["recall"] = recall
        out["binary_f_beta"] = (
            (1 + b2) * precision * recall / (b2 * precision + recall) if precision + recall > 0 else 0.0
        )
        auc = roc_auc(scores, y)
        if not math.isnan(auc):
            out["roc_auc_score"] = auc
    else:
        probs = softmax(z)
        yi = y.astype(int)
        values, _ = loss_and_grad(cfg, z[None], y, None)
        out["objective_loss"] = float(values.mean())
        pred = probs.argmax(axis=1)
        out["multiclass_accuracy"] = float(np.mean(pred == yi))
        k = min(cfg.accuracy_top_k, cfg.num_classes)
        topk = np.argsort(-probs, axis=1)[:, :k]
        out["multiclass_top_k_accuracy"] = float(np.mean((topk == yi[:, None]).any(axis=1)))
        rank = (probs > probs[np.arange(len(yi)), yi][:, None]).sum(axis=1) + 1
        out["dcg"] = float(np.mean(1.0 / np.log2(1 + rank)))
        precs, recs, fbs = [], [], []
        b2 = cfg.f_beta**2
        for c in range(cfg.num_classes):
            tp = float(np.sum((pred == c) & (yi == c)))
            fp = float(np.sum((pred == c) & (yi != c)))
            fn = float(np.sum((pred != c) & (yi == c)))
            p = tp / (tp + fp) if tp + fp > 0 else 0.0
            r = tp / (tp + fn) if tp + fn > 0 else 0.0
            precs.append(p)
            recs.append(r)
            fbs.append((1 + b2) * p * r / (b2 * p + r) if p + r > 0 else 0.0)
        out["macro_precision"] = float(np.mean(precs))
        out["macro_recall"] = float(np.mean(recs))
        out["macro_f_beta"] = float(np.mean(fbs))
    return out


def check_labels(cfg: Config, data: Dataset, channel: str) -> None:
    if not np.all(np.isfinite(data.y)) or not np.all(np.isfinite(data.X)):
        raise AlgorithmError(
            f"The {channel} data contains NaN or infinite values; linear-learner "
            "requires every feature and label to be a finite number."
        )
    if cfg.predictor_type == "binary_classifier":
        bad = ~np.isin(data.y, (0.0, 1.0))
        if bad.any():
            raise AlgorithmError(
                f"Label values in the {channel} channel must be 0 or 1 for "
                f"predictor_type 'binary_classifier'; found {data.y[bad][0]:g}."
            )
    if cfg.predictor_type == "multiclass_classifier":
        ok = (data.y == np.round(data.y)) & (data.y >= 0) & (data.y < cfg.num_classes)
        if not ok.all():
            raise AlgorithmError(
                f"Label values in the {channel} channel must be integers in "
                f"[0, {cfg.num_classes - 1}] for num_classes={cfg.num_classes}; "
                f"found {data.y[~ok][0]:g}."
            )
