"""Load a model.tar.gz and answer inference requests in each algorithm's formats.

- linear-learner: text/csv (features only), application/json ``{"instances":[{"features":[...]}]}``,
  jsonlines or RecordIO in; application/json ``{"predictions":[{"score":…, "predicted_label":…}]}`` or
  jsonlines out.
- XGBoost (1.2-2 and later): text/csv, libsvm or RecordIO in; text/csv with **one value per line** (the
  default), application/json ``{"predictions":[{"score":…}]}`` or jsonlines out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from emulator.ml import algorithms, channels
from emulator.ml.linear_learner import LinearModel
from emulator.ml.xgboost_algo import XGBModel

JSON = "application/json"
JSONLINES = "application/jsonlines"


class RequestError(ValueError):
    """The request cannot be served (malformed body, unsupported content type): a ModelError."""


@dataclass
class LoadedModel:
    algorithm: str
    model: LinearModel | XGBModel
    source: str

    @property
    def default_accept(self) -> str:
        return JSON if self.algorithm == algorithms.LINEAR_LEARNER else channels.CSV

    def predict(self, body: bytes, content_type: str | None, accept: str | None) -> tuple[bytes, str]:
        """(response body, response content type) for one request."""
        accept_type = (accept or "").split(";")[0].strip().lower()
        if accept_type in ("", "*/*"):
            accept_type = self.default_accept
        ctype = (content_type or "").split(";")[0].strip().lower() or channels.CSV
        allowed_in = (
            (channels.CSV, JSON, JSONLINES, channels.RECORDIO)
            if self.algorithm == algorithms.LINEAR_LEARNER
            else (channels.CSV, "csv", channels.LIBSVM, "libsvm", channels.RECORDIO)
        )
        if ctype not in allowed_in:
            raise RequestError(
                f"Content type {ctype} is not supported by this algorithm "
                f"(supported: {', '.join(allowed_in)})"
            )
        try:
            X = channels.parse_request(body, ctype)
        except ValueError as err:
            raise RequestError(str(err)) from None
        if X.size == 0:
            raise RequestError("The request body holds no records")
        try:
            if self.algorithm == algorithms.LINEAR_LEARNER:
                return self._ll(X, accept_type)
            return self._xgb(X, accept_type)
        except ValueError as err:
            raise RequestError(str(err)) from None

    def _ll(self, X: np.ndarray, accept: str) -> tuple[bytes, str]:
        assert isinstance(self.model, LinearModel)
        records = self.model.predict(X)
        if accept == JSON:
            return json.dumps({"predictions": records}).encode(), JSON
        if accept == JSONLINES:
            return "".join(json.dumps(r) + "\n" for r in records).encode(), JSONLINES
        raise RequestError(
            f"Accept type {accept} is not supported by linear-learner (supported: {JSON}, {JSONLINES})"
        )

    def _xgb(self, X: np.ndarray, accept: str) -> tuple[bytes, str]:
        assert isinstance(self.model, XGBModel)
        preds = self.model.predict(X)
        scores = [row.tolist() if np.ndim(row) else float(row) for row in preds]
        if accept in (channels.CSV, "csv"):
            lines = [",".join(str(float(v)) for v in s) if isinstance(s, list) else str(s) for s in scores]
            return ("\n".join(lines) + "\n").encode(), channels.CSV
        if accept == JSON:
            return json.dumps({"predictions": [{"score": s} for s in scores]}).encode(), JSON
        if accept == JSONLINES:
            return "".join(json.dumps({"score": s}) + "\n" for s in scores).encode(), JSONLINES
        raise RequestError(
            f"Accept type {accept} is not supported by XGBoost (supported: text/csv, {JSON}, {JSONLINES})"
        )


def load(account_id: str, image: str | None, model_data_url: str | None) -> LoadedModel:
    """Load a model from its container definition; ValueError with a one-line reason on failure."""
    algorithm = algorithms.algorithm_of(image)
    if algorithm is None:
        raise ValueError(
            f"The image {image!r} is not one the embedded AWS can serve: it serves the built-in "
            "linear-learner and XGBoost images only."
        )
    if not model_data_url:
        raise ValueError("The model has no ModelDataUrl.")
    from emulator.iam import service_role

    try:
        service_role.check_image_pull(image)
    except service_role.RoleDenied as err:
        raise ValueError(f"{err} (AccessDenied)") from None
    try:
        archive = channels.get_object(account_id, model_data_url)
    except Exception as err:  # noqa: BLE001 - AlgorithmError or a moto error
        raise ValueError(f"Failed to download model data from {model_data_url}: {err}") from None
    data = algorithms.unpack(archive, algorithms.model_file(algorithm))
    model: LinearModel | XGBModel
    if algorithm == algorithms.LINEAR_LEARNER:
        model = LinearModel.from_bytes(data)
    else:
        model = XGBModel(data)
    return LoadedModel(algorithm=algorithm, model=model, source=model_data_url)


def container_of(model_obj) -> dict:
    """The container that serves a moto Model (PrimaryContainer, else the first of Containers)."""
    if model_obj.primary_container:
        return model_obj.primary_container
    if model_obj.containers:
        return model_obj.containers[0]
    return {}
