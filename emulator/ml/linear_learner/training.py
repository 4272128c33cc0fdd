"""Training linear-learner: mini-batch optimisers, ``num_models`` variants, the scaler, class weights,
early stopping and picking the winner on validation data."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from emulator.ml.errors import AlgorithmError
from emulator.ml.linear_learner.config import Checkpoint, Config, Dataset, Log, parse_hyperparameters
from emulator.ml.linear_learner.metrics import calibrate_threshold, check_labels, evaluate
from emulator.ml.linear_learner.model import LinearModel, TrainResult, loss_and_grad, sigmoid


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
            check_labels(cfg, Dataset(np.asarray(ds.X, float), np.asarray(ds.y, float)), name)
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
            values, g = loss_and_grad(cfg, z, yb, wb)
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
                loss_and_grad(
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
        values, _ = loss_and_grad(cfg, z, sel.y, None)
        return values.mean(axis=1)
    values, _ = loss_and_grad(cfg, sel.X @ W + b, sel.y, None)
    return values.mean(axis=0)


def _variant_criteria(
    cfg: Config, W: np.ndarray, b: np.ndarray, sel: Dataset
) -> tuple[np.ndarray, np.ndarray]:
    """Binary selection criterion of every variant after calibrating its threshold (higher is better)."""
    z = sel.X @ W + b
    scores = sigmoid(z) if cfg.loss == "logistic" else z
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
