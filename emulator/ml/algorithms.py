"""Which built-in algorithm an image URI names, its metric definitions, and model.tar.gz handling."""

from __future__ import annotations

import io
import tarfile

from emulator.ml import xgboost_algo

LINEAR_LEARNER = "linear-learner"
XGBOOST = "xgboost"

LL_METRICS = {
    # name: (log label, kind)
    **{f"{ch}:{m}": (m, "loss") for ch in ("test", "validation") for m in ("mse", "absolute_loss")},
    "validation:rmse": ("rmse", "loss"),
    **{f"{ch}:objective_loss": ("objective", "loss") for ch in ("test", "validation", "train")},
    **{
        f"{ch}:{m}": (m, "score")
        for ch in ("test", "validation")
        for m in (
            "binary_classification_accuracy",
            "binary_f_beta",
            "precision",
            "recall",
            "roc_auc_score",
            "multiclass_accuracy",
            "multiclass_top_k_accuracy",
            "macro_f_beta",
            "macro_precision",
            "macro_recall",
            "dcg",
        )
    },
}
XGB_METRIC_NAMES = [
    "rmse",
    "mae",
    "mape",
    "rmsle",
    "logloss",
    "error",
    "auc",
    "aucpr",
    "merror",
    "mlogloss",
    "map",
    "ndcg",
    "poisson-nloglik",
    "gamma-nloglik",
    "tweedie-nloglik",
    "cox-nloglik",
    "gamma-deviance",
    "mphe",
    "aft-nloglik",
]


def algorithm_of(image: str | None) -> str | None:
    """'linear-learner' / 'xgboost' for the regions' built-in images, else None."""
    if not image:
        return None
    repo = image.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]
    if repo == "linear-learner":
        return LINEAR_LEARNER
    if repo in ("sagemaker-xgboost", "xgboost"):
        return XGBOOST
    return None


def metric_definitions(algorithm: str) -> list[dict[str, str]]:
    """The MetricDefinitions the service injects for a built-in algorithm."""
    if algorithm == LINEAR_LEARNER:
        out = []
        for name, (label, kind) in sorted(LL_METRICS.items()):
            channel = name.split(":")[0]
            if label == "objective":
                epoch = "epoch=\\S+, " if channel == "train" else ""
                regex = f"#quality_metric: host=\\S+, {epoch}{channel} \\S+_objective <loss>=(\\S+)"
            else:
                regex = f"#quality_metric: host=\\S+, {channel} {label} <{kind}>=(\\S+)"
            out.append({"Name": name, "Regex": regex})
        return out
    return [
        {"Name": f"{ch}:{m}", "Regex": f".*\\[[0-9]+\\].*#011{ch}-{m}:(\\S+).*"}
        for ch in ("train", "validation")
        for m in XGB_METRIC_NAMES
    ]


def objective_supported(algorithm: str, metric: str) -> bool:
    if algorithm == LINEAR_LEARNER:
        return metric in LL_METRICS and not metric.startswith("train:")
    channel, _, name = metric.partition(":")
    return channel in ("validation", "train") and name.split("@")[0] in xgboost_algo.NATIVE_METRICS


def direction(algorithm: str, metric: str) -> str:
    if algorithm == LINEAR_LEARNER:
        return "Minimize" if LL_METRICS.get(metric, ("", "loss"))[1] == "loss" else "Maximize"
    return xgboost_algo.metric_direction(metric)


def model_file(algorithm: str) -> str:
    return "model_algo-1" if algorithm == LINEAR_LEARNER else xgboost_algo.MODEL_NAME


def pack(name: str, data: bytes) -> bytes:
    """A model.tar.gz holding one file."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def unpack(archive: bytes, name: str) -> bytes:
    """One file out of a model.tar.gz; ValueError when it is not there."""
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
            for member in tar.getmembers():
                if member.isfile() and member.name.lstrip("./") == name:
                    fh = tar.extractfile(member)
                    assert fh is not None
                    return fh.read()
    except (tarfile.TarError, OSError, EOFError) as err:
        raise ValueError(f"model.tar.gz is not a gzipped tar archive ({err})") from None
    raise ValueError(f"model.tar.gz holds no file named {name}")
