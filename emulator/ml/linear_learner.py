"""A stand-in for SageMaker's built-in linear-learner, in plain numpy.

AWS publishes no source for linear-learner; this follows its documented behaviour
(``ll_hyperparameters.md``, ``ll_how-it-works.md``, ``linear-learner-tuning.md``):

- ``normalize_data`` / ``normalize_label``: mean and standard deviation learned from a sample of
  ``num_point_for_scaler`` training rows; the scaler is stored in the model and applied (and undone for
  the label) at inference, so clients send raw features and get scores in label units;
- mini-batch training for ``epochs`` passes with ``mini_batch_size`` rows per step, optimiser adam (auto),
  sgd (with momentum) or rmsprop, optional step-decay learning-rate scheduler, L2 (``wd``) and L1;
- ``num_models`` variants trained together: variant 0 uses the given settings, the others nearby
  learning rates and regularisation; the winner is picked on validation data (or a training sample): the
  lowest objective loss for regression, the best ``binary_classifier_model_selection_criteria`` (after
  calibrating each variant's decision threshold) for binary classification;
- early stopping on the selection metric with ``early_stopping_patience`` / ``early_stopping_tolerance``;
- losses: squared, absolute, huber, quantile, eps-insensitive squared/absolute (regressor), logistic and
  hinge (binary), softmax (multiclass).

Metric names and log lines follow the ones the service's metric definitions match, e.g.
``#quality_metric: host=algo-1, epoch=3, validation absolute_loss_objective <loss>=0.41``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from emulator.ml import hyperparams as H
from emulator.ml.errors import AlgorithmError, hyperparameter_error

PREDICTOR_TYPES = ["regressor", "binary_classifier", "multiclass_classifier"]
REGRESSION_LOSSES = [
    "squared_loss",
    "absolute_loss",
    "eps_insensitive_squared_loss",
    "eps_insensitive_absolute_loss",
    "quantile_loss",
    "huber_loss",
]
BINARY_LOSSES = ["logistic", "hinge_loss"]
MULTICLASS_LOSSES = ["softmax_loss"]
ALL_LOSSES = ["auto", *REGRESSION_LOSSES, *BINARY_LOSSES, *MULTICLASS_LOSSES]
SELECTION_CRITERIA = [
    "accuracy",
    "f_beta",
    "f1",
    "precision_at_target_recall",
    "recall_at_target_precision",
    "loss_function",
    "cross_entropy_loss",
]
KNOWN = {
    "predictor_type",
    "num_classes",
    "feature_dim",
    "mini_batch_size",
    "epochs",
    "num_models",
    "loss",
    "optimizer",
    "learning_rate",
    "wd",
    "l1",
    "momentum",
    "beta_1",
    "beta_2",
    "bias_lr_mult",
    "bias_wd_mult",
    "use_bias",
    "use_lr_scheduler",
    "lr_scheduler_step",
    "lr_scheduler_factor",
    "lr_scheduler_minimum_lr",
    "init_method",
    "init_scale",
    "init_sigma",
    "init_bias",
    "normalize_data",
    "normalize_label",
    "unbias_data",
    "unbias_label",
    "num_point_for_scaler",
    "margin",
    "quantile",
    "loss_insensitivity",
    "huber_delta",
    "binary_classifier_model_selection_criteria",
    "target_recall",
    "target_precision",
    "f_beta",
    "positive_example_weight_mult",
    "early_stopping_patience",
    "early_stopping_tolerance",
    "num_calibration_samples",
    "accuracy_top_k",
    "balance_multiclass_weights",
}
AUTO_NUM_MODELS = 8
EPS = 1e-12

Log = Callable[[str], None]
Checkpoint = Callable[[int, dict[str, float]], None]


@dataclass
class Dataset:
    """Features and labels of one channel (label first column in the file, split off)."""

    X: np.ndarray
    y: np.ndarray


@dataclass
class Config:
    predictor_type: str
    num_classes: int
    feature_dim: int | str
    mini_batch_size: int
    epochs: int
    num_models: int
    loss: str
    optimizer: str
    learning_rate: float | str
    wd: float | str
    l1: float | str
    momentum: float
    beta_1: float
    beta_2: float
    bias_lr_mult: float
    bias_wd_mult: float
    use_bias: bool
    use_lr_scheduler: bool
    lr_scheduler_step: int | str
    lr_scheduler_factor: float
    lr_scheduler_minimum_lr: float
    init_method: str
    init_scale: float
    init_sigma: float
    init_bias: float
    normalize_data: bool
    normalize_label: bool
    unbias_data: bool
    unbias_label: bool
    num_point_for_scaler: int
    margin: float
    quantile: float
    loss_insensitivity: float
    huber_delta: float
    selection: str
    target_recall: float
    target_precision: float
    f_beta: float
    positive_weight: float | str
    patience: int
    tolerance: float
    num_calibration_samples: int | str
    accuracy_top_k: int
    balance_multiclass_weights: bool
    tuning: bool = False
    selection_explicit: bool = False


def parse_hyperparameters(hp: Mapping[str, str]) -> Config:
    """Validate the job's hyperparameters like the algorithm does; raise AlgorithmError on bad ones."""
    unknown = sorted(k for k in hp if k not in KNOWN and not k.startswith(("_", "sagemaker_")))
    if unknown:
        raise hyperparameter_error(f"Additional properties are not allowed ({unknown[0]!r} was unexpected)")
    if "predictor_type" not in hp:
        raise hyperparameter_error("'predictor_type' is a required property")
    ptype = H.as_choice(hp, "predictor_type", None, PREDICTOR_TYPES)
    if ptype == "multiclass_classifier" and "num_classes" not in hp:
        raise hyperparameter_error(
            "'num_classes' is a required property for predictor_type 'multiclass_classifier'"
        )
    num_classes = H.as_int(hp, "num_classes", 2, lo=3 if ptype == "multiclass_classifier" else 2, hi=1000000)
    loss = H.as_choice(hp, "loss", "auto", ALL_LOSSES)
    allowed = {
        "regressor": REGRESSION_LOSSES,
        "binary_classifier": BINARY_LOSSES,
        "multiclass_classifier": MULTICLASS_LOSSES,
    }[ptype]
    if loss == "auto":
        loss = allowed[0]
    elif loss not in allowed:
        raise hyperparameter_error(
            f"loss '{loss}' is not compatible with predictor_type '{ptype}' (valid: {allowed})"
        )
    selection = H.as_choice(hp, "binary_classifier_model_selection_criteria", "accuracy", SELECTION_CRITERIA)
    selection = {"f1": "f_beta", "cross_entropy_loss": "loss_function"}.get(selection, selection)
    pos_raw = str(hp.get("positive_example_weight_mult", "1.0")).strip().lower()
    positive_weight: float | str
    if pos_raw in ("auto", "balanced"):
        positive_weight = "balanced"
    else:
        positive_weight = H.as_float(hp, "positive_example_weight_mult", 1.0, lo=0, lo_open=True)
    normalize_label = H.as_bool(hp, "normalize_label", "auto", allow_auto=True)
    if normalize_label == "auto":
        normalize_label = ptype == "regressor"
    unbias_label = H.as_bool(hp, "unbias_label", "auto", allow_auto=True)
    if unbias_label == "auto":
        unbias_label = ptype == "regressor"
    unbias_data = H.as_bool(hp, "unbias_data", "auto", allow_auto=True)
    normalize_data = H.as_bool(hp, "normalize_data", True)
    if unbias_data == "auto":
        unbias_data = bool(normalize_data)
    tuning = "_tuning_objective_metric" in hp
    num_models = H.as_int(hp, "num_models", "auto", lo=1, allow_auto=True)
    if tuning or num_models == "auto":
        # under automatic model tuning num_models is forced to 1 (linear-learner-tuning.md)
        num_models = 1 if tuning else AUTO_NUM_MODELS
    return Config(
        predictor_type=ptype,
        num_classes=int(num_classes) if ptype == "multiclass_classifier" else 2,
        feature_dim=H.as_int(hp, "feature_dim", "auto", lo=1, allow_auto=True),
        mini_batch_size=H.as_int(hp, "mini_batch_size", 1000, lo=1),
        epochs=H.as_int(hp, "epochs", 15, lo=1),
        num_models=int(num_models),
        loss=loss,
        optimizer=_auto(H.as_choice(hp, "optimizer", "auto", ["auto", "adam", "sgd", "rmsprop"]), "adam"),
        learning_rate=H.as_float(hp, "learning_rate", "auto", lo=0, lo_open=True, allow_auto=True),
        wd=H.as_float(hp, "wd", "auto", lo=0, allow_auto=True),
        l1=H.as_float(hp, "l1", "auto", lo=0, allow_auto=True),
        momentum=_auto(H.as_float(hp, "momentum", "auto", lo=0, hi=1, hi_open=True, allow_auto=True), 0.9),
        beta_1=_auto(H.as_float(hp, "beta_1", "auto", lo=0, hi=1, hi_open=True, allow_auto=True), 0.9),
        beta_2=_auto(H.as_float(hp, "beta_2", "auto", lo=0, hi=1, hi_open=True, allow_auto=True), 0.999),
        bias_lr_mult=_auto(H.as_float(hp, "bias_lr_mult", "auto", lo=0, lo_open=True, allow_auto=True), 1.0),
        bias_wd_mult=_auto(H.as_float(hp, "bias_wd_mult", "auto", lo=0, allow_auto=True), 0.0),
        use_bias=H.as_bool(hp, "use_bias", True),
        use_lr_scheduler=H.as_bool(hp, "use_lr_scheduler", True),
        lr_scheduler_step=H.as_int(hp, "lr_scheduler_step", "auto", lo=1, allow_auto=True),
        lr_scheduler_factor=_auto(
            H.as_float(
                hp, "lr_scheduler_factor", "auto", lo=0, hi=1, lo_open=True, hi_open=True, allow_auto=True
            ),
            0.99,
        ),
        lr_scheduler_minimum_lr=_auto(
            H.as_float(hp, "lr_scheduler_minimum_lr", "auto", lo=0, lo_open=True, allow_auto=True), 1e-5
        ),
        init_method=H.as_choice(hp, "init_method", "uniform", ["uniform", "normal"]),
        init_scale=H.as_float(hp, "init_scale", 0.07, lo=0, lo_open=True),
        init_sigma=H.as_float(hp, "init_sigma", 0.01, lo=0, lo_open=True),
        init_bias=H.as_float(hp, "init_bias", 0.0),
        normalize_data=bool(normalize_data),
        normalize_label=bool(normalize_label),
        unbias_data=bool(unbias_data),
        unbias_label=bool(unbias_label),
        num_point_for_scaler=H.as_int(hp, "num_point_for_scaler", 10000, lo=1),
        margin=H.as_float(hp, "margin", 1.0, lo=0),
        quantile=H.as_float(hp, "quantile", 0.5, lo=0, hi=1, lo_open=True, hi_open=True),
        loss_insensitivity=H.as_float(hp, "loss_insensitivity", 0.01, lo=0, lo_open=True),
        huber_delta=H.as_float(hp, "huber_delta", 1.0, lo=0, lo_open=True),
        selection=selection,
        target_recall=H.as_float(hp, "target_recall", 0.8, lo=0, hi=1, lo_open=True),
        target_precision=H.as_float(hp, "target_precision", 0.8, lo=0, hi=1, lo_open=True),
        f_beta=H.as_float(hp, "f_beta", 1.0, lo=0, lo_open=True),
        positive_weight=positive_weight,
        patience=H.as_int(hp, "early_stopping_patience", 3, lo=1),
        tolerance=H.as_float(hp, "early_stopping_tolerance", 0.001, lo=0, lo_open=True),
        num_calibration_samples=H.as_int(hp, "num_calibration_samples", "auto", lo=1, allow_auto=True),
        accuracy_top_k=H.as_int(hp, "accuracy_top_k", 3, lo=1),
        balance_multiclass_weights=H.as_bool(hp, "balance_multiclass_weights", False),
        tuning=tuning,
        selection_explicit="binary_classifier_model_selection_criteria" in hp,
    )


def _auto(value, default):
    return default if value == "auto" else value


# --------------------------------------------------------------------------------------------- model
@dataclass
class LinearModel:
    """The trained model: weights in the normalised space plus the scaler to get there and back."""

    predictor_type: str
    loss: str
    num_classes: int
    x_mean: np.ndarray
    x_std: np.ndarray
    y_mean: float
    y_std: float
    weights: np.ndarray  # (d,) or (d, K)
    bias: np.ndarray  # () or (K,)
    threshold: float = 0.5
    hyperparameters: dict = field(default_factory=dict)

    def raw(self, X: np.ndarray) -> np.ndarray:
        Xs = (np.asarray(X, dtype=np.float64) - self.x_mean) / self.x_std
        return Xs @ self.weights + self.bias

    def predict(self, X: np.ndarray) -> list[dict]:
        """The records of the JSON response, one per row."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.shape[1] != self.x_mean.shape[0]:
            raise ValueError(f"expected {self.x_mean.shape[0]} features per record, got {X.shape[1]}")
        z = self.raw(X)
        if self.predictor_type == "regressor":
            return [{"score": float(v)} for v in z * self.y_std + self.y_mean]
        if self.predictor_type == "binary_classifier":
            scores = _sigmoid(z) if self.loss == "logistic" else z
            return [{"score": float(s), "predicted_label": int(s > self.threshold)} for s in scores]
        probs = _softmax(z)
        return [{"score": [float(p) for p in row], "predicted_label": int(np.argmax(row))} for row in probs]

    def to_bytes(self) -> bytes:
        doc = {
            "format": "classroom-kit/linear-learner/1",
            "predictor_type": self.predictor_type,
            "loss": self.loss,
            "num_classes": self.num_classes,
            "x_mean": self.x_mean.tolist(),
            "x_std": self.x_std.tolist(),
            "y_mean": self.y_mean,
            "y_std": self.y_std,
            "weights": self.weights.tolist(),
            "bias": np.asarray(self.bias).tolist(),
            "threshold": self.threshold,
            "hyperparameters": self.hyperparameters,
        }
        return json.dumps(doc).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> LinearModel:
        doc = json.loads(data)
        if doc.get("format") != "classroom-kit/linear-learner/1":
            raise ValueError("not a linear-learner model written by the embedded AWS")
        return cls(
            predictor_type=doc["predictor_type"],
            loss=doc["loss"],
            num_classes=doc["num_classes"],
            x_mean=np.array(doc["x_mean"]),
            x_std=np.array(doc["x_std"]),
            y_mean=doc["y_mean"],
            y_std=doc["y_std"],
            weights=np.array(doc["weights"]),
            bias=np.array(doc["bias"]),
            threshold=doc["threshold"],
            hyperparameters=doc.get("hyperparameters", {}),
        )


@dataclass
class TrainResult:
    model: LinearModel
    metrics: dict[str, float]
    epochs_run: int


# ----------------------------------------------------------------------------------------- helpers
def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _loss_and_grad(
    cfg: Config, z: np.ndarray, y: np.ndarray, w: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Per-row loss and d loss / d z for every variant. z: (B, M) or (M, B, K); y: (B,)."""
    loss = cfg.loss
    if loss == "softmax_loss":
        p = _softmax(z)
        onehot = np.eye(cfg.num_classes)[y.astype(int)]  # (B, K)
        values = -np.log(np.take_along_axis(p, y.astype(int)[None, :, None], axis=2)[..., 0] + EPS)
        grad = p - onehot[None]
        if w is not None:
            values = values * w[None]
            grad = grad * w[None, :, None]
        return values, grad
    r = z - y[:, None]
    if loss == "squared_loss":
        values, grad = r**2, 2 * r
    elif loss == "absolute_loss":
        values, grad = np.abs(r), np.sign(r)
    elif loss == "huber_loss":
        d = cfg.huber_delta
        a = np.abs(r)
        values = np.where(a <= d, 0.5 * r**2, d * (a - 0.5 * d))
        grad = np.clip(r, -d, d)
    elif loss == "quantile_loss":
        q = cfg.quantile
        values = np.where(r >= 0, (1 - q) * r, -q * r)
        grad = np.where(r >= 0, 1 - q, -q)
    elif loss == "eps_insensitive_squared_loss":
        e = cfg.loss_insensitivity
        m = np.maximum(np.abs(r) - e, 0)
        values, grad = m**2, 2 * m * np.sign(r)
    elif loss == "eps_insensitive_absolute_loss":
        e = cfg.loss_insensitivity
        values = np.maximum(np.abs(r) - e, 0)
        grad = np.where(np.abs(r) > e, np.sign(r), 0.0)
    elif loss == "logistic":
        p = _sigmoid(z)
        yy = y[:, None]
        values = -(yy * np.log(p + EPS) + (1 - yy) * np.log(1 - p + EPS))
        grad = p - yy
    elif loss == "hinge_loss":
        s = (2 * y - 1)[:, None]
        m = s * z
        values = np.maximum(cfg.margin - m, 0)
        grad = np.where(m < cfg.margin, -s, 0.0)
    else:  # pragma: no cover - parse_hyperparameters rejects anything else
        raise AlgorithmError(f"unsupported loss {loss}", client=False)
    if w is not None:
        values = values * w[:, None]
        grad = grad * w[:, None]
    return values, grad


def _variants(cfg: Config, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Learning rate, wd and l1 of each variant: variant 0 the given settings, the rest nearby ones."""
    m = cfg.num_models
    base_lr = {"adam": 0.02, "rmsprop": 0.01, "sgd": 0.05}[cfg.optimizer]
    lr0 = base_lr if cfg.learning_rate == "auto" else float(cfg.learning_rate)
    wd0 = 1e-6 if cfg.wd == "auto" else float(cfg.wd)
    l10 = 0.0 if cfg.l1 == "auto" else float(cfg.l1)
    lrs, wds, l1s = [lr0], [wd0], [l10]
    lr_factors = [1.0, 3.0, 0.3, 10.0, 0.1, 30.0, 0.03]
    for i in range(1, m):
        f = lr_factors[i % len(lr_factors)] * (1.0 if i < len(lr_factors) else float(rng.uniform(0.6, 1.6)))
        lrs.append(min(lr0 * f, 1.0) if cfg.learning_rate == "auto" or i % 2 == 0 else lr0)
        wd_choices = [wd0, wd0 * 10 + 1e-5, wd0 * 100 + 1e-4, 1e-3] if cfg.wd == "auto" else [wd0]
        wds.append(wd_choices[(i // 2) % len(wd_choices)])
        l1_choices = [l10, l10 + 1e-4] if cfg.l1 == "auto" else [l10]
        l1s.append(l1_choices[(i // 4) % len(l1_choices)])
    return np.array(lrs), np.array(wds), np.array(l1s)


def _scaler(cfg: Config, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    sample = slice(0, min(cfg.num_point_for_scaler, X.shape[0]))
    d = X.shape[1]
    x_mean, x_std = np.zeros(d), np.ones(d)
    if cfg.normalize_data:
        xs = X[sample]
        std = xs.std(axis=0)
        x_std = np.where(std > 0, std, 1.0)
        if cfg.unbias_data:
            x_mean = xs.mean(axis=0)
    y_mean, y_std = 0.0, 1.0
    if cfg.predictor_type == "regressor":
        ys = y[sample]
        if cfg.unbias_label:
            y_mean = float(ys.mean())
        if cfg.normalize_label:
            s = float(ys.std())
            y_std = s if s > 0 else 1.0
    return x_mean, x_std, y_mean, y_std


def _class_weights(cfg: Config, y: np.ndarray) -> np.ndarray | None:
    if cfg.predictor_type == "binary_classifier":
        if cfg.positive_weight == "balanced":
            pos = max(float((y == 1).sum()), 1.0)
            neg = max(float((y == 0).sum()), 1.0)
            return np.where(y == 1, neg / pos, 1.0)
        if float(cfg.positive_weight) != 1.0:
            return np.where(y == 1, float(cfg.positive_weight), 1.0)
    if cfg.predictor_type == "multiclass_classifier" and cfg.balance_multiclass_weights:
        counts = np.bincount(y.astype(int), minlength=cfg.num_classes).astype(float)
        per_class = len(y) / (cfg.num_classes * np.maximum(counts, 1.0))
        return per_class[y.astype(int)]
    return None


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
        values, _ = _loss_and_grad(cfg, pred[:, None], y, None)
        out["objective_loss"] = float(values.mean())
    elif cfg.predictor_type == "binary_classifier":
        scores = _sigmoid(z) if cfg.loss == "logistic" else z
        values, _ = _loss_and_grad(cfg, z[:, None], y, None)
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
        probs = _softmax(z)
        yi = y.astype(int)
        values, _ = _loss_and_grad(cfg, z[None], y, None)
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


def _check_labels(cfg: Config, data: Dataset, channel: str) -> None:
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


# ----------------------------------------------------------------------------------------- training
def train(
    hp: Mapping[str, str],
    train_data: Dataset,
    validation: Dataset | None = None,
    test: Dataset | None = None,
    log: Log | None = None,
    checkpoint: Checkpoint | None = None,
    seed: int = 0,
) -> TrainResult:
    """Train like linear-learner. ``checkpoint(epoch, metrics)`` may raise StopRequested to stop."""
    log = log or (lambda line: None)
    cfg = parse_hyperparameters(hp)
    X, y = np.asarray(train_data.X, dtype=np.float64), np.asarray(train_data.y, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0:
        raise AlgorithmError("No training data: the train channel holds no records.")
    n, d = X.shape
    if cfg.feature_dim != "auto" and cfg.feature_dim != d:
        raise AlgorithmError(
            f"Customer Error: The feature_dim hyperparameter ({cfg.feature_dim}) does not "
            f"match the number of features in the train channel ({d})."
        )
    for name, ds in (("train", train_data), ("validation", validation), ("test", test)):
        if ds is not None:
            if ds is not train_data and np.asarray(ds.X).shape[1] != d:
                raise AlgorithmError(
                    f"The {name} channel has {np.asarray(ds.X).shape[1]} features, the train channel {d}."
                )
            _check_labels(cfg, Dataset(np.asarray(ds.X, float), np.asarray(ds.y, float)), name)
    rng = np.random.default_rng(seed)
    log(
        f"#set_hyperparameters: predictor_type={cfg.predictor_type}, loss={cfg.loss}, "
        f"optimizer={cfg.optimizer}, num_models={cfg.num_models}, epochs={cfg.epochs}, "
        f"mini_batch_size={cfg.mini_batch_size}, feature_dim={d}"
    )
    x_mean, x_std, y_mean, y_std = _scaler(cfg, X, y)
    log(
        f"Scaler algo-1: {'normalize_data' if cfg.normalize_data else 'no normalisation'} from "
        f"{min(cfg.num_point_for_scaler, n)} records"
    )
    Xs = (X - x_mean) / x_std
    ys = (y - y_mean) / y_std if cfg.predictor_type == "regressor" else y
    weights = _class_weights(cfg, y)

    # selection / calibration data: the validation channel, else a sample of the training data
    if validation is not None:
        sel = Dataset(np.asarray(validation.X, float), np.asarray(validation.y, float))
        sel_name = "validation"
    else:
        k = n if cfg.num_calibration_samples == "auto" else min(int(cfg.num_calibration_samples), n)
        idx = rng.choice(n, size=min(k, n), replace=False) if k < n else np.arange(n)
        sel = Dataset(X[idx], y[idx])
        sel_name = "train"
    sel_s = Dataset(
        (sel.X - x_mean) / x_std, (sel.y - y_mean) / y_std if cfg.predictor_type == "regressor" else sel.y
    )

    M, K = cfg.num_models, cfg.num_classes
    multi = cfg.predictor_type == "multiclass_classifier"
    shape_w = (M, d, K) if multi else (d, M)
    shape_b = (M, 1, K) if multi else (M,)
    if cfg.init_method == "uniform":
        W = rng.uniform(-cfg.init_scale, cfg.init_scale, size=shape_w)
    else:
        W = rng.normal(0.0, cfg.init_sigma, size=shape_w)
    b = np.full(shape_b, cfg.init_bias, dtype=np.float64)
    lrs, wds, l1s = _variants(cfg, rng)
    lr_w = lrs.reshape(M, 1, 1) if multi else lrs.reshape(1, M)
    wd_w = wds.reshape(M, 1, 1) if multi else wds.reshape(1, M)
    l1_w = l1s.reshape(M, 1, 1) if multi else l1s.reshape(1, M)
    lr_b = (lrs * cfg.bias_lr_mult).reshape(M, 1, 1) if multi else lrs * cfg.bias_lr_mult
    state = {"mW": np.zeros_like(W), "vW": np.zeros_like(W), "mb": np.zeros_like(b), "vb": np.zeros_like(b)}
    batch = min(cfg.mini_batch_size, n)
    steps_per_epoch = math.ceil(n / batch)
    sched_step = steps_per_epoch if cfg.lr_scheduler_step == "auto" else int(cfg.lr_scheduler_step)
    t = 0
    # early stopping watches the selection criterion when one was given, else the loss (ll_hyperparameters)
    criterion_stops = (
        cfg.predictor_type == "binary_classifier"
        and cfg.selection != "loss_function"
        and cfg.selection_explicit
    )
    minimize = not criterion_stops
    best_score = math.inf if minimize else -math.inf
    best_epoch, bad_epochs = -1, 0
    best_state: tuple[np.ndarray, np.ndarray, int, float, np.ndarray] | None = None
    epochs_run = 0
    for epoch in range(cfg.epochs):
        order = rng.permutation(n)
        epoch_loss = np.zeros(M)
        for start in range(0, n, batch):
            rows = order[start : start + batch]
            xb, yb = Xs[rows], ys[rows]
            wb = weights[rows] if weights is not None else None
            if multi:
                z = np.einsum("bd,mdk->mbk", xb, W) + b
            else:
                z = xb @ W + b
            values, g = _loss_and_grad(cfg, z, yb, wb)
            epoch_loss += values.reshape(M, -1).sum(axis=1) if multi else values.sum(axis=0)
            B = len(rows)
            if multi:
                gW = np.einsum("bd,mbk->mdk", xb, g) / B
                gb = g.mean(axis=1, keepdims=True)
            else:
                gW = xb.T @ g / B
                gb = g.mean(axis=0)
            gW = gW + wd_w * W
            gb = gb + cfg.bias_wd_mult * wds.reshape(gb.shape if not multi else (M, 1, 1)) * b
            t += 1
            decay = 1.0
            if cfg.use_lr_scheduler:
                decay = cfg.lr_scheduler_factor ** (t // sched_step)
            lrw = np.maximum(lr_w * decay, cfg.lr_scheduler_minimum_lr)
            lrb = np.maximum(lr_b * decay, cfg.lr_scheduler_minimum_lr)
            W = W - _step(cfg, state, "W", gW, t) * lrw
            if cfg.use_bias:
                b = b - _step(cfg, state, "b", gb, t) * lrb
            if np.any(l1s > 0):
                W = np.sign(W) * np.maximum(np.abs(W) - lrw * l1_w, 0.0)
        epochs_run = epoch + 1
        if not np.all(np.isfinite(W)):
            raise AlgorithmError(
                "The training diverged (non-finite weights); lower the learning_rate.", client=True
            )
        # per-variant selection metric on the selection data
        losses = _variant_losses(cfg, W, b, sel_s)
        thresholds = np.full(M, 0.5 if cfg.loss == "logistic" else 0.0)
        if cfg.predictor_type == "binary_classifier" and cfg.selection != "loss_function":
            crit, thresholds = _variant_criteria(cfg, W, b, sel_s)
            best_m = int(np.argmax(crit))
        else:
            crit, best_m = None, int(np.argmin(losses))
        score = float(crit[best_m]) if criterion_stops and crit is not None else float(losses.min())
        train_obj = float(epoch_loss[best_m] / n)
        if cfg.predictor_type == "regressor" and cfg.loss in ("squared_loss", "eps_insensitive_squared_loss"):
            train_obj *= y_std**2
        elif cfg.predictor_type == "regressor" and cfg.loss != "squared_loss":
            train_obj *= y_std
        log(
            f"#quality_metric: host=algo-1, epoch={epoch}, batch={steps_per_epoch}, train "
            f"{cfg.loss}_objective <loss>={train_obj:.6f}"
        )
        model = _model(cfg, W, b, best_m, thresholds, x_mean, x_std, y_mean, y_std, hp)
        epoch_metrics = {"train:objective_loss": train_obj}
        if validation is not None:
            vm = evaluate(model, cfg, sel)
            log(
                f"#quality_metric: host=algo-1, epoch={epoch}, validation {cfg.loss}_objective "
                f"<loss>={vm['objective_loss']:.6f}"
            )
            epoch_metrics.update({f"validation:{k}": v for k, v in vm.items()})
        log(f"#progress_metric: host=algo-1, completed {100 * epochs_run / cfg.epochs:.0f} % of epochs")
        improved = (
            score < best_score - cfg.tolerance * abs(best_score)
            if minimize
            else score > best_score + cfg.tolerance * abs(best_score)
        )
        if best_state is None or improved:
            best_score, best_epoch, bad_epochs = score, epoch, 0
        else:
            bad_epochs += 1
        if best_state is None or (score <= best_state[3] if minimize else score >= best_state[3]):
            best_state = (W.copy(), b.copy(), best_m, score, thresholds.copy())
        if checkpoint is not None:
            checkpoint(epoch, epoch_metrics)
        if bad_epochs >= cfg.patience and epochs_run < cfg.epochs:
            log(
                f"Early stop condition met. Stopping training at epoch {epoch} (best epoch {best_epoch}, "
                f"{sel_name} metric {best_score:.6f})"
            )
            break
    assert best_state is not None
    W, b, best_m, _, thresholds = best_state
    model = _model(cfg, W, b, best_m, thresholds, x_mean, x_std, y_mean, y_std, hp)
    if cfg.predictor_type == "binary_classifier":
        log(
            f"#calibration: host=algo-1, threshold={model.threshold:.6f} ({cfg.selection} on {sel_name} data)"
        )
    log(
        f"Selected model {best_m} of {M} "
        f"(learning_rate={lrs[best_m]:g}, wd={wds[best_m]:g}, l1={l1s[best_m]:g})"
    )
    metrics = {
        "train:objective_loss": float(
            np.mean(
                _loss_and_grad(
                    cfg, _norm_pred(model, X)[None] if multi else _norm_pred(model, X)[:, None], ys, None
                )[0]
            )
        )
        * _loss_unit(cfg, y_std)
    }
    for name, ds in (("validation", validation), ("test", test)):
        if ds is None:
            continue
        values = evaluate(model, cfg, Dataset(np.asarray(ds.X, float), np.asarray(ds.y, float)))
        for key, value in values.items():
            if name == "test" and key == "rmse":
                continue  # not a documented linear-learner test metric
            metrics[f"{name}:{key}"] = value
            kind = "<loss>" if key in ("mse", "rmse", "absolute_loss", "objective_loss") else "<score>"
            label = f"{cfg.loss}_objective" if key == "objective_loss" else key
            log(f"#quality_metric: host=algo-1, {name} {label} {kind}={value}")
    return TrainResult(model=model, metrics=metrics, epochs_run=epochs_run)


def _loss_unit(cfg: Config, y_std: float) -> float:
    if cfg.predictor_type != "regressor":
        return 1.0
    return y_std**2 if cfg.loss in ("squared_loss", "eps_insensitive_squared_loss") else y_std


def _norm_pred(model: LinearModel, X: np.ndarray) -> np.ndarray:
    return model.raw(X)


def _step(cfg: Config, state: dict, key: str, g: np.ndarray, t: int) -> np.ndarray:
    """The optimiser's update direction (to be multiplied by the learning rate)."""
    m, v = state["m" + key], state["v" + key]
    if cfg.optimizer == "adam":
        m *= cfg.beta_1
        m += (1 - cfg.beta_1) * g
        v *= cfg.beta_2
        v += (1 - cfg.beta_2) * g * g
        mh = m / (1 - cfg.beta_1**t)
        vh = v / (1 - cfg.beta_2**t)
        return mh / (np.sqrt(vh) + 1e-8)
    if cfg.optimizer == "rmsprop":
        v *= 0.9
        v += 0.1 * g * g
        return g / (np.sqrt(v) + 1e-8)
    m *= cfg.momentum
    m += g
    return m


def _variant_losses(cfg: Config, W: np.ndarray, b: np.ndarray, sel: Dataset) -> np.ndarray:
    """Mean objective loss of every variant on the selection data (lower is better)."""
    if cfg.predictor_type == "multiclass_classifier":
        z = np.einsum("bd,mdk->mbk", sel.X, W) + b
        values, _ = _loss_and_grad(cfg, z, sel.y, None)
        return values.mean(axis=1)
    values, _ = _loss_and_grad(cfg, sel.X @ W + b, sel.y, None)
    return values.mean(axis=0)


def _variant_criteria(
    cfg: Config, W: np.ndarray, b: np.ndarray, sel: Dataset
) -> tuple[np.ndarray, np.ndarray]:
    """Binary selection criterion of every variant after calibrating its threshold (higher is better)."""
    z = sel.X @ W + b
    scores = _sigmoid(z) if cfg.loss == "logistic" else z
    crit = np.empty(cfg.num_models)
    thresholds = np.empty(cfg.num_models)
    for m in range(cfg.num_models):
        thresholds[m], crit[m] = calibrate_threshold(cfg, scores[:, m], sel.y)
    return crit, thresholds


def _model(
    cfg: Config,
    W: np.ndarray,
    b: np.ndarray,
    m: int,
    thresholds: np.ndarray,
    x_mean: np.ndarray,
    x_std: np.ndarray,
    y_mean: float,
    y_std: float,
    hp: Mapping[str, str],
) -> LinearModel:
    if cfg.predictor_type == "multiclass_classifier":
        weights, bias = W[m].copy(), b[m, 0].copy()
    else:
        weights, bias = W[:, m].copy(), np.asarray(float(b[m]))
    return LinearModel(
        predictor_type=cfg.predictor_type,
        loss=cfg.loss,
        num_classes=cfg.num_classes,
        x_mean=x_mean,
        x_std=x_std,
        y_mean=y_mean,
        y_std=y_std,
        weights=weights,
        bias=bias,
        threshold=float(thresholds[m]),
        hyperparameters=dict(hp),
    )
