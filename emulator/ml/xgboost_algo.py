"""SageMaker's built-in XGBoost, run with the real xgboost library.

Follows aws/sagemaker-xgboost-container (``algorithm_mode/hyperparameter_validation.py``, ``train.py``,
``metrics.py``, ``serve_utils.py``): the container's hyperparameter names, ranges and aliases;
``num_round`` required; unknown names rejected ("Extraneous hyperparameter found"); the tuning
objective ``_tuning_objective_metric=validation:<m>`` added to ``eval_metric`` (last, so
``early_stopping_rounds`` watches it); per-round log lines ``[3]#011train-rmse:…#011validation-rmse:…``
(``#011`` is how the tab shows in CloudWatch); ``xgboost-model`` (UBJSON, as the 3.x images write it)
inside model.tar.gz.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from emulator.ml import hyperparams as H
from emulator.ml.errors import AlgorithmError, StopRequested, hyperparameter_error

MODEL_NAME = "xgboost-model"
OBJECTIVES = [
    "reg:linear",
    "reg:squarederror",
    "reg:squaredlogerror",
    "reg:logistic",
    "reg:pseudohubererror",
    "reg:absoluteerror",
    "reg:quantileerror",
    "reg:gamma",
    "reg:tweedie",
    "binary:logistic",
    "binary:logitraw",
    "binary:hinge",
    "count:poisson",
    "survival:cox",
    "survival:aft",
    "multi:softmax",
    "multi:softprob",
    "rank:pairwise",
    "rank:ndcg",
    "rank:map",
]
MAXIMIZE = {
    "accuracy",
    "auc",
    "aucpr",
    "balanced_accuracy",
    "f1",
    "f1_binary",
    "f1_macro",
    "map",
    "ndcg",
    "precision",
    "precision_macro",
    "precision_micro",
    "r2",
    "recall",
    "recall_macro",
    "recall_micro",
}
NATIVE_METRICS = {
    "rmse",
    "rmsle",
    "mae",
    "mape",
    "mphe",
    "logloss",
    "error",
    "merror",
    "mlogloss",
    "auc",
    "aucpr",
    "ndcg",
    "map",
    "poisson-nloglik",
    "gamma-nloglik",
    "cox-nloglik",
    "gamma-deviance",
    "tweedie-nloglik",
    "aft-nloglik",
    "interval-regression-accuracy",
    "pre",
}
# Metrics the container computes itself (not native xgboost): name -> (function, maximize)
ALIASES = {"eta": "learning_rate", "gamma": "min_split_loss", "lambda": "reg_lambda", "alpha": "reg_alpha"}

Log = Callable[[str], None]
Checkpoint = Callable[[int, dict[str, float]], None]


def _float_rule(lo=None, hi=None, lo_open=False, hi_open=False):
    return ("float", lo, hi, lo_open, hi_open)


def _int_rule(lo=None, hi=None):
    return ("int", lo, hi, False, False)


RULES: dict[str, tuple] = {
    "num_round": _int_rule(1),
    "csv_weights": _int_rule(0, 1),
    "early_stopping_rounds": _int_rule(1),
    "verbosity": _int_rule(0, 3),
    "silent": _int_rule(0, 1),
    "nthread": _int_rule(1),
    "eta": _float_rule(0, 1),
    "learning_rate": _float_rule(0, 1),
    "gamma": _float_rule(0),
    "min_split_loss": _float_rule(0),
    "max_depth": _int_rule(0),
    "min_child_weight": _float_rule(0),
    "max_delta_step": _float_rule(0),
    "subsample": _float_rule(0, 1, lo_open=True),
    "colsample_bytree": _float_rule(0, 1, lo_open=True),
    "colsample_bylevel": _float_rule(0, 1, lo_open=True),
    "colsample_bynode": _float_rule(0, 1, lo_open=True),
    "lambda": _float_rule(0),
    "reg_lambda": _float_rule(0),
    "alpha": _float_rule(0),
    "reg_alpha": _float_rule(0),
    "sketch_eps": _float_rule(0, 1, True, True),
    "scale_pos_weight": _float_rule(0, lo_open=True),
    "max_leaves": _int_rule(0),
    "max_bin": _int_rule(2),
    "num_parallel_tree": _int_rule(1),
    "rate_drop": _float_rule(0, 1),
    "skip_drop": _float_rule(0, 1),
    "tweedie_variance_power": _float_rule(1, 2, True, True),
    "base_score": _float_rule(),
    "seed": _int_rule(),
    "num_class": _int_rule(2),
    "huber_slope": _float_rule(0, lo_open=True),
    "quantile_alpha": _float_rule(0, 1, True, True),
    "aft_loss_distribution_scale": _float_rule(0, lo_open=True),
    "lambda_bias": _float_rule(0),
    "max_cat_to_onehot": _int_rule(1),
}
CHOICES: dict[str, list[str]] = {
    "booster": ["gbtree", "gblinear", "dart"],
    "tree_method": ["auto", "exact", "approx", "hist", "gpu_hist"],
    "grow_policy": ["depthwise", "lossguide"],
    "sample_type": ["uniform", "weighted"],
    "normalize_type": ["tree", "forest"],
    "objective": OBJECTIVES,
    "process_type": ["default", "update"],
    "sampling_method": ["uniform", "gradient_based"],
    "one_drop": ["0", "1"],
    "aft_loss_distribution": ["normal", "logistic", "extreme"],
    "save_model_on_termination": ["true", "false"],
    "deterministic_histogram": ["true", "false"],
    "single_precision_histogram": ["true", "false"],
}
FREE = {
    "eval_metric",
    "updater",
    "monotone_constraints",
    "interaction_constraints",
    "refresh_leaf",
    "dsplit",
    "prob_buffer_row",
    "seed_per_iteration",
    "use_dask_gpu_training",
    "kfold",
}
NOT_PARAMS = {
    "num_round",
    "csv_weights",
    "early_stopping_rounds",
    "silent",
    "save_model_on_termination",
    "kfold",
    "single_precision_histogram",
    "deterministic_histogram",
    "use_dask_gpu_training",
    "prob_buffer_row",
    "dsplit",
    "lambda_bias",
}


@dataclass
class Params:
    params: dict
    num_round: int
    early_stopping_rounds: int | None
    eval_metrics: list[str]
    tuning_metric: str | None
    csv_weights: bool


def parse_hyperparameters(hp: Mapping[str, str]) -> Params:
    """Validate like the container; raise AlgorithmError (ClientError) on bad values."""
    for name in sorted(hp):
        if name.startswith(("_", "sagemaker_")):
            continue
        if name not in RULES and name not in CHOICES and name not in FREE:
            raise hyperparameter_error(f"Extraneous hyperparameter found: {name}")
    if "num_round" not in hp:
        raise hyperparameter_error("Missing required hyperparameter: num_round")
    values: dict = {}
    for name, (kind, lo, hi, lo_open, hi_open) in RULES.items():
        if name in hp:
            if kind == "int":
                values[name] = H.as_int(hp, name, None, lo=lo, hi=hi)
            else:
                values[name] = H.as_float(hp, name, None, lo=lo, hi=hi, lo_open=lo_open, hi_open=hi_open)
    for name, choices in CHOICES.items():
        if name in hp:
            values[name] = H.as_choice(hp, name, None, choices)
    for name in FREE:
        if name in hp:
            values[name] = str(hp[name])
    objective = values.get("objective", "reg:squarederror")
    if objective == "reg:linear":
        objective = "reg:squarederror"  # removed from xgboost; same objective
    if objective.startswith("multi:") and "num_class" not in values:
        raise hyperparameter_error(f"Require input for parameter num_class for objective {objective}")
    metrics = [m.strip() for m in values.pop("eval_metric", "").split(",") if m.strip()]
    tuning = hp.get("_tuning_objective_metric")
    tuning_metric = None
    if tuning:
        channel, _, metric = str(tuning).partition(":")
        if channel not in ("validation", "train") or not metric:
            raise hyperparameter_error(f"Objective metric '{tuning}' is not of the form validation:<metric>")
        tuning_metric = metric
        if metric in metrics:
            metrics.remove(metric)
        metrics.append(metric)  # last: early stopping watches it
    for m in metrics:
        base = m.split("@")[0]
        if base not in NATIVE_METRICS:
            raise hyperparameter_error(
                f"Metric '{m}' is not supported. Supported metrics: {sorted(NATIVE_METRICS)}"
            )
    params = {k: v for k, v in values.items() if k not in NOT_PARAMS and k not in FREE}
    params = {ALIASES.get(k, k): v for k, v in params.items()}
    params["objective"] = objective
    params.setdefault("nthread", 1)
    params.setdefault("verbosity", 0)
    if "seed" in params:
        params["seed"] = int(params["seed"])
    for flag in ("one_drop",):
        if flag in params:
            params[flag] = int(params[flag])
    if metrics:
        params["eval_metric"] = metrics
    return Params(
        params=params,
        num_round=int(values["num_round"]),
        early_stopping_rounds=values.get("early_stopping_rounds"),
        eval_metrics=metrics,
        tuning_metric=tuning_metric,
        csv_weights=bool(values.get("csv_weights", 0)),
    )


@dataclass
class TrainResult:
    model_bytes: bytes
    metrics: dict[str, float]
    rounds: int


def _check_labels(objective: str, y: np.ndarray, num_class: int | None, channel: str) -> None:
    if not np.all(np.isfinite(y)):
        raise AlgorithmError(f"Label must be a finite number; found NaN or infinity in the {channel} data.")
    if objective.startswith("binary:") and not np.isin(y, (0.0, 1.0)).all():
        bad = y[~np.isin(y, (0.0, 1.0))][0]
        raise AlgorithmError(
            f"XGBoostError: label must be in [0,1] for logistic regression (found {bad:g} "
            f"in the {channel} channel)"
        )
    if objective.startswith("multi:"):
        ok = (y == np.round(y)) & (y >= 0) & (y < (num_class or 0))
        if not ok.all():
            raise AlgorithmError(
                f"XGBoostError: label must be in [0, num_class), num_class={num_class} "
                f"(found {y[~ok][0]:g} in the {channel} channel)"
            )


def train(
    hp: Mapping[str, str],
    train_xy: tuple[np.ndarray, np.ndarray],
    validation_xy: tuple[np.ndarray, np.ndarray] | None = None,
    log: Log | None = None,
    checkpoint: Checkpoint | None = None,
) -> TrainResult:
    """Train; ``checkpoint(round, {"validation:rmse": …})`` may raise StopRequested."""
    import xgboost as xgb

    log = log or (lambda line: None)
    p = parse_hyperparameters(hp)
    X, y = train_xy
    weights = None
    if p.csv_weights:
        weights, X = X[:, 0], X[:, 1:]
    if X.shape[0] == 0:
        raise AlgorithmError("No training data: the train channel holds no records.")
    _check_labels(p.params["objective"], y, p.params.get("num_class"), "train")
    dtrain = xgb.DMatrix(X, label=y, weight=weights, missing=np.nan)
    evals = [(dtrain, "train")]
    if validation_xy is not None:
        Xv, yv = validation_xy
        wv = None
        if p.csv_weights:
            wv, Xv = Xv[:, 0], Xv[:, 1:]
        if Xv.shape[1] != X.shape[1]:
            raise AlgorithmError(
                f"Feature shape mismatch: the train channel has {X.shape[1]} features, the "
                f"validation channel {Xv.shape[1]}."
            )
        _check_labels(p.params["objective"], yv, p.params.get("num_class"), "validation")
        evals.append((xgb.DMatrix(Xv, label=yv, weight=wv, missing=np.nan), "validation"))
    log(f"Train matrix has {X.shape[0]} rows and {X.shape[1]} columns")
    if validation_xy is not None:
        log(f"Validation matrix has {validation_xy[0].shape[0]} rows")
    last: dict[str, float] = {}

    class _Progress(xgb.callback.TrainingCallback):
        def after_iteration(self, model, epoch, evals_log):  # noqa: ARG002 - xgboost's signature
            parts = []
            for data_name, metrics in evals_log.items():
                for metric, history in metrics.items():
                    value = float(history[-1])
                    last[f"{data_name}:{metric}"] = value
                    parts.append(f"{data_name}-{metric}:{value:.5f}")
            log(f"[{epoch}]#011" + "#011".join(parts))
            if checkpoint is not None:
                checkpoint(epoch, dict(last))
            return False

    try:
        booster = xgb.train(
            p.params,
            dtrain,
            num_boost_round=p.num_round,
            evals=evals,
            early_stopping_rounds=p.early_stopping_rounds,
            callbacks=[_Progress()],
            verbose_eval=False,
        )
    except StopRequested:
        raise
    except xgb.core.XGBoostError as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else "XGBoostError"
        raise AlgorithmError(f"XGBoostError: {first}") from None
    rounds = booster.num_boosted_rounds()
    if p.early_stopping_rounds and hasattr(booster, "best_iteration"):
        log(
            f"Stopping. Best iteration: [{booster.best_iteration}] (early_stopping_rounds="
            f"{p.early_stopping_rounds})"
        )
    return TrainResult(model_bytes=bytes(booster.save_raw("ubj")), metrics=dict(last), rounds=rounds)


#: requests of up to this many rows are predicted on the calling thread alone
SINGLE_THREAD_ROWS = 1000


class XGBModel:
    """A loaded ``xgboost-model`` for inference."""

    def __init__(self, data: bytes) -> None:
        import xgboost as xgb

        self.booster = xgb.Booster()
        try:
            self.booster.load_model(bytearray(data))
        except xgb.core.XGBoostError as err:
            raise ValueError(f"Unable to load the xgboost-model file: {str(err).splitlines()[0]}") from None
        self.num_features = self.booster.num_features()
        # small requests (an endpoint's rows) on one thread: the server runs each request on a new
        # thread, where XGBoost's OpenMP team would be started anew for every call (~1 ms a row)
        self.single = xgb.Booster(params={"nthread": 1})
        self.single.load_model(bytearray(data))

    def predict(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.shape[1] != self.num_features:
            raise ValueError(
                f"Feature size mismatch: the model expects {self.num_features} features, the "
                f"request has {X.shape[1]}"
            )
        # inplace_predict: the same trees and answers as predict(DMatrix(X)) without building a
        # DMatrix, which costs a one-row request more than the prediction (and threads per call)
        booster = self.single if len(X) <= SINGLE_THREAD_ROWS else self.booster
        return booster.inplace_predict(X, missing=np.nan)


def metric_direction(metric: str) -> str:
    base = metric.split(":")[-1].split("@")[0]
    return "Maximize" if base in MAXIMIZE else "Minimize"
