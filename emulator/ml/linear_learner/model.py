"""The trained linear-learner model: weights per variant winner, the stored scaler and threshold, and
prediction in label units (what hosting and batch transform load)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from emulator.ml.errors import AlgorithmError
from emulator.ml.linear_learner.config import EPS, Config


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
            scores = sigmoid(z) if self.loss == "logistic" else z
            return [{"score": float(s), "predicted_label": int(s > self.threshold)} for s in scores]
        probs = softmax(z)
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
def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def loss_and_grad(
    cfg: Config, z: np.ndarray, y: np.ndarray, w: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Per-row loss and d loss / d z for every variant. z: (B, M) or (M, B, K); y: (B,)."""
    loss = cfg.loss
    if loss == "softmax_loss":
        p = softmax(z)
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
        p = sigmoid(z)
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
