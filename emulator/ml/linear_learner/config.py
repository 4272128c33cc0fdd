"""linear-learner's hyperparameters: the documented names, defaults, ranges and the rules between
them (``parse_hyperparameters`` -> ``Config``), and the Dataset of one channel."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from emulator.ml import hyperparams as H
from emulator.ml.errors import hyperparameter_error

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
