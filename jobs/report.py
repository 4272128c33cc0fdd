"""``reports/<run-id>/``: ``metrics.json``, one PNG per plot, and one self-contained ``index.html``
(the plots are embedded as data URIs, so the page can be copied or projected as a single file)."""

from __future__ import annotations

import base64
import json
import math
from dataclasses import asdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from jinja2 import Environment, FileSystemLoader, select_autoescape  # noqa: E402

from jobs import job_class  # noqa: E402
from jobs.lifecycle import JobResult  # noqa: E402

TEMPLATES = Path(__file__).parent / "templates"


def _clean(value):
    """JSON-safe: NaN → None, numpy scalars → Python."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def plot_predicted_vs_actual(result: JobResult, path: Path) -> Path:
    p = result.predictions
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    unit = result.info.get("unit", "")
    ax1.scatter(p["y_true"], p["y_pred"], s=10, alpha=0.6)
    lim = [min(min(p["y_true"]), min(p["y_pred"])), max(max(p["y_true"]), max(p["y_pred"]))]
    ax1.plot(lim, lim, "k--", lw=1, label="perfect prediction")
    ax1.set_xlabel(f"actual {result.info.get('label', '')} {unit}")
    ax1.set_ylabel(f"predicted {unit}")
    ax1.set_title("Predicted vs actual (test set)")
    ax1.legend()
    ax2.scatter(p["x"], p["y_true"], s=10, alpha=0.5, label="actual")
    order = sorted(range(len(p["x"])), key=lambda i: p["x"][i])
    ax2.plot([p["x"][i] for i in order], [p["y_pred"][i] for i in order], "r-", lw=2, label="model")
    ax2.set_xlabel(", ".join(result.info.get("features", [])))
    ax2.set_ylabel(f"{result.info.get('label', '')} {unit}")
    ax2.set_title("Model line over the test days")
    ax2.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_confusion(
    matrix: list[list[int]], labels: tuple[str, str] | list[str], title: str, path: Path
) -> Path:
    fig, ax = plt.subplots(figsize=(4.6, 4))
    ax.imshow(matrix, cmap="Blues")
    for i in range(2):
        for j in range(2):
            ax.text(
                j,
                i,
                str(matrix[i][j]),
                ha="center",
                va="center",
                fontsize=14,
                color="white" if matrix[i][j] > max(map(max, matrix)) / 2 else "black",
            )
    ax.set_xticks([0, 1], labels)
    ax.set_yticks([0, 1], labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("actual")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_roc(result: JobResult, path: Path) -> Path:
    from sklearn.metrics import roc_curve

    p = result.predictions
    fpr, tpr, _ = roc_curve(p["y_true"], p["scores"])
    fig, ax = plt.subplots(figsize=(4.6, 4))
    ax.plot(fpr, tpr, lw=2, label=f"AUC {result.metrics.get('roc_auc', float('nan')):.3f}")
    ax.plot([0, 1], [0, 1], "k--", lw=1)
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title("ROC curve (test set)")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plots_for(result: JobResult, out: Path) -> list[Path]:
    """The job's own figures (``Job.plots``) for a run that succeeded."""
    if result.status != "ok" or not result.predictions:
        return []
    return job_class(result.job).plots(result, out)


def write(results: list[JobResult], out: Path, run_id: str, target: str = "") -> Path:
    """Write the run's report; returns the HTML page's path."""
    out.mkdir(parents=True, exist_ok=True)
    doc = {"run_id": run_id, "target": target, "jobs": {r.job: _clean(_public(r)) for r in results}}
    (out / "metrics.json").write_text(json.dumps(doc, indent=2, sort_keys=True, default=str) + "\n")
    sections = []
    for r in results:
        images = [
            {"name": p.name, "data": base64.b64encode(p.read_bytes()).decode()} for p in plots_for(r, out)
        ]
        sections.append({"r": _clean(_public(r)), "images": images})
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    env.filters["num"] = _num
    html = env.get_template("report.html.j2").render(run_id=run_id, target=target, sections=sections)
    page = out / "index.html"
    page.write_text(html)
    return page


def _public(r: JobResult) -> dict:
    d = asdict(r)
    d.pop("predictions", None)
    return d


def _num(value, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)
