"""rainfall — linear-learner regressor: precipitation from the day's average temperature.

The lesson's protocol: ``train_test_split(X, y, random_state=1)`` (25 % test), hyperparameters
``feature_dim=1, mini_batch_size=100, epochs=10, num_models=32, loss=absolute_loss``; RMSE, MAE, R²
and a predicted-vs-actual plot. Options: ``data``, ``feature`` (comma-separated column names),
``label``, ``feature_dim``, ``epochs``, ``loss`` (e.g. squared_loss instead of the lesson's absolute_loss).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

from jobs import evaluate, features
from jobs.data import rainfall as data
from jobs.lifecycle import JobResult, LinearLearnerJob, Prepared
from kitcore.errors import KitError

HYPERPARAMETERS = {
    "predictor_type": "regressor",
    "feature_dim": 1,
    "mini_batch_size": 100,
    "epochs": 10,
    "num_models": 32,
    "loss": "absolute_loss",
}


class Rainfall(LinearLearnerJob):
    name = "rainfall"
    algorithm = "linear-learner"
    accept = "application/json"
    title = "Rainfall from temperature (linear learner, regression)"
    known_options = (
        "data",
        "feature",
        "label",
        "feature_dim",
        "epochs",
        "mini_batch_size",
        "num_models",
        "loss",
    )

    def hyperparameters(self) -> dict:
        hp = dict(HYPERPARAMETERS)
        for key in ("feature_dim", "epochs", "mini_batch_size", "num_models"):
            if key in self.options:
                hp[key] = int(self.options[key])
        if "loss" in self.options:
            hp["loss"] = str(self.options["loss"])
        return hp

    def prepare(self) -> Prepared:
        feats = self.options.get("feature")
        if isinstance(feats, str):
            feats = [f.strip() for f in feats.split(",") if f.strip()]
        d = data.load(self.options.get("data"), features=feats, label=self.options.get("label"))
        hp = self.hyperparameters()
        if d.x.shape[1] != hp["feature_dim"]:
            raise KitError(
                f"rainfall: {d.x.shape[1]} feature column(s) ({', '.join(d.feature_names)}) but "
                f"feature_dim={hp['feature_dim']}; give one feature or set feature_dim to match"
            )
        x_tr, x_te, y_tr, y_te = train_test_split(d.x, d.y, random_state=1)
        ref = evaluate.reference_regression(x_tr, y_tr, x_te, y_te)
        pipeline = {"kind": "identity", "features": d.feature_names, "label": d.label_name, "unit": d.unit}
        return Prepared(
            channels={"train": features.to_csv(x_tr, y_tr), "test": features.to_csv(x_te, y_te)},
            test_rows=features.csv_rows(x_te),
            y_test=y_te,
            pipeline=pipeline,
            info={
                "source": d.source,
                "cleaning": d.counts,
                "features": d.feature_names,
                "label": d.label_name,
                "unit": d.unit,
                "split": {"train": len(y_tr), "test": len(y_te)},
                "reference": ref,
                "hyperparameters": hp,
            },
            extra={"x_test": x_te},
        )

    def evaluate(
        self, prepared: Prepared, scores: list[float], labels: list[int] | None, result: JobResult
    ) -> None:
        result.metrics = evaluate.regression(prepared.y_test, scores)
        result.predictions = {
            "x": np.asarray(prepared.extra["x_test"])[:, 0].tolist(),
            "y_true": np.asarray(prepared.y_test).tolist(),
            "y_pred": list(scores),
        }

    def headline(self, result: JobResult) -> str:
        m = result.metrics
        return f"RMSE {m['rmse']:.3f}  MAE {m['mae']:.3f}  R² {m['r2']:.3f}"

    @classmethod
    def plots(cls, result: JobResult, out: Path) -> list[Path]:
        from jobs import report

        return [report.plot_predicted_vs_actual(result, out / "rainfall-predicted-vs-actual.png")]

    @classmethod
    def data_value(cls, paths: list[str]) -> str | list[str]:
        """One file or folder, or the lesson's pair given as two values (x_*.csv and y_*.csv)."""
        if len(paths) == 1:
            return paths[0]
        return [str(p) for p in data.pair_of(paths)]

    # serving
    def form_fields(self, pipeline) -> list[dict]:
        return [
            {
                "name": f,
                "label": f"{f} (average temperature)" if "temp" in f.lower() else f,
                "type": "number",
                "choices": None,
            }
            for f in pipeline["features"]
        ]

    def encode_form(self, pipeline, form: dict) -> str:
        row = []
        for f in pipeline["features"]:
            try:
                row.append(float(form[f]))
            except (KeyError, TypeError, ValueError):
                raise KitError(f"{f} must be a number") from None
        return features.to_csv([row])

    def decode_answer(self, pipeline, body: bytes) -> dict:
        scores, _ = evaluate.parse_scores(body)
        unit = pipeline.get("unit", "")
        return {"label": f"{scores[0]:.2f} {unit} of rain".replace("  ", " "), "score": scores[0]}
