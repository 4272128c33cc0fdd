"""Rainfall data: daily precipitation and temperature.

Sources, in order of preference:
- default: the Seattle daily weather that ``vega_datasets`` bundles (offline), feature = average of
  ``temp_max`` and ``temp_min``, label = ``precipitation`` (mm);
- the lesson's pair (``x_austin_final.csv`` with a ``TempAvgF`` column, ``y_austin_final.csv`` one value
  per line, no header), given three ways: both files (``--data rainfall=x_… --data rainfall=y_…``, in
  either order), the folder holding them, or the x file alone (its ``y_`` twin is found beside it);
- ``--data FILE.csv``: one weather table with named feature / label columns (e.g. Kaggle's
  ``austin_weather.csv``). ``T`` (trace of rain) reads as 0.0 and ``-`` (missing) drops the row; both
  are counted for the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from jobs.data import existing
from kitcore.errors import KitError

TRACE = "T"
MISSING = ("-", "")
KNOWN_FEATURES = ("TempAvgF", "temp_avg")
KNOWN_LABELS = ("PrecipitationSumInches", "precipitation")
MIN_ROWS = 10


@dataclass
class RainfallData:
    """Features (n × d), label (n), and what was cleaned on the way."""

    x: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    label_name: str
    source: str
    unit: str = ""
    counts: dict[str, int] = field(default_factory=dict)


def load(
    data: str | Path | list | tuple | None = None,
    features: list[str] | None = None,
    label: str | None = None,
) -> RainfallData:
    """Load and clean the rainfall table; one clear KitError for anything ill-formed.

    ``data`` is a path (a folder, an x file, one weather CSV) or the pair of paths ``[x, y]``."""
    if data is None:
        return _seattle(features, label)
    if isinstance(data, (list, tuple)):
        return _pair(*pair_of(data), features=features, label=label)
    path = existing(data, "rainfall data")
    pair = _find_pair(path)
    if pair:
        return _pair(*pair, features=features, label=label)
    if path.is_dir():
        csvs = sorted(path.glob("*.csv"))
        if len(csvs) != 1:
            raise KitError(
                f"rainfall data: {path} must hold x_*.csv + y_*.csv or exactly one weather CSV "
                f"(found {len(csvs)} CSV files)"
            )
        path = csvs[0]
    return _single(path, features, label)


def _seattle(features: list[str] | None, label: str | None) -> RainfallData:
    from vega_datasets import local_data

    table = local_data.seattle_weather()
    table["temp_avg"] = (table["temp_max"] + table["temp_min"]) / 2
    return _clean(
        table.astype({"date": str}),
        features or ["temp_avg"],
        label or "precipitation",
        source="vega_datasets seattle-weather.csv (Seattle, 2012-2015)",
        unit="mm",
    )


def pair_of(paths: list | tuple) -> tuple[Path, Path]:
    """Two ``--data`` values for rainfall: the lesson's ``x_*.csv`` and ``y_*.csv``, in either order.
    Anything else (one file twice, two x files, a folder, a third value) is one clear error."""
    usage = (
        "give the lesson's pair as x_….csv and y_….csv (e.g. --data rainfall=x_austin_final.csv "
        "--data rainfall=y_austin_final.csv), or the folder holding them, or the x file alone"
    )
    if len(paths) != 2:
        raise KitError(f"rainfall data: {len(paths)} --data values given; {usage}")
    ps = [existing(p, "rainfall data") for p in paths]
    xs = [p for p in ps if p.is_file() and p.name.startswith("x_")]
    ys = [p for p in ps if p.is_file() and p.name.startswith("y_")]
    if len(xs) != 1 or len(ys) != 1:
        names = " and ".join(p.name for p in ps)
        raise KitError(f"rainfall data: {names} are not an x_*.csv + y_*.csv pair; {usage}")
    return xs[0], ys[0]


def _find_pair(path: Path) -> tuple[Path, Path] | None:
    if path.is_dir():
        xs, ys = sorted(path.glob("x_*.csv")), sorted(path.glob("y_*.csv"))
        if len(xs) == 1 and len(ys) == 1:
            return xs[0], ys[0]
        if xs or ys:
            raise KitError(
                f"rainfall data: {path} must hold exactly one x_*.csv and one y_*.csv "
                f"(found {len(xs)} and {len(ys)})"
            )
        return None
    if path.name.startswith("x_"):
        y = path.with_name("y_" + path.name[2:])
        if not y.exists():
            raise KitError(f"rainfall data: {path.name} needs its label file {y.name} beside it")
        return path, y
    return None


def _read_csv(path: Path, **kw) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, **kw)
    except pd.errors.EmptyDataError:
        raise KitError(f"rainfall data: {path} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise KitError(f"rainfall data: {path} is not a readable CSV ({str(err).splitlines()[0]})") from None


def _pair(x_path: Path, y_path: Path, features: list[str] | None, label: str | None) -> RainfallData:
    x = _read_csv(x_path)
    y = _read_csv(y_path, header=None)
    if y.shape[1] != 1:
        raise KitError(
            f"rainfall data: {y_path.name} must hold one value per line (found {y.shape[1]} columns)"
        )
    if len(y) and _bad_cell(y.iloc[0, 0]):  # a header line
        y = y.iloc[1:]
    if len(x) != len(y):
        raise KitError(
            f"rainfall data: {x_path.name} has {len(x)} rows but {y_path.name} has {len(y)} values"
        )
    name = label or "PrecipitationSumInches"
    table = x.reset_index(drop=True)
    table[name] = y.iloc[:, 0].to_numpy()
    feats = features or [c for c in KNOWN_FEATURES if c in table.columns][:1] or ["TempAvgF"]
    return _clean(table, feats, name, source=f"{x_path.name} + {y_path.name}", unit="in")


def _single(path: Path, features: list[str] | None, label: str | None) -> RainfallData:
    table = _read_csv(path)
    feats = features or [c for c in KNOWN_FEATURES if c in table.columns][:1]
    if not feats and {"temp_max", "temp_min"} <= set(table.columns):
        table["temp_avg"] = [_avg(a, b) for a, b in zip(table["temp_max"], table["temp_min"], strict=True)]
        feats = ["temp_avg"]
    lab = label or next((c for c in KNOWN_LABELS if c in table.columns), None)
    if not feats or not lab:
        raise KitError(
            f"rainfall data: {path.name} has no known feature/label columns "
            f"(columns: {', '.join(table.columns[:12])}); name them with --feature / --label"
        )
    unit = "in" if lab.endswith("Inches") else ("mm" if lab == "precipitation" else "")
    return _clean(table, feats, lab, source=path.name, unit=unit)


def _avg(a: str, b: str) -> str:
    try:
        return str((float(a) + float(b)) / 2)
    except ValueError:
        return "-"


def _bad_cell(value: str) -> bool:
    v = str(value).strip()
    if v == TRACE or v in MISSING:
        return False
    try:
        float(v)
    except ValueError:
        return True
    return False


def _clean(table: pd.DataFrame, features: list[str], label: str, source: str, unit: str) -> RainfallData:
    missing = [c for c in [*features, label] if c not in table.columns]
    if missing:
        raise KitError(
            f"rainfall data: no column {', '.join(repr(c) for c in missing)} in {source} "
            f"(columns: {', '.join(map(str, table.columns[:12]))})"
        )
    cols = [*features, label]
    cells = table[cols].astype(str).apply(lambda s: s.str.strip())
    trace = cells == TRACE
    gone = cells.isin(MISSING) | cells.isin(["nan", "NaN", "NA"])
    for c in cols:
        bad = cells[c][~trace[c] & ~gone[c]].map(_bad_cell)
        if bad.any():
            row = bad.idxmax()
            raise KitError(
                f"rainfall data: column {c!r} row {row + 1} holds {cells.at[row, c]!r}, "
                f"not a number (T = trace and - = missing are understood)"
            )
    values = cells.mask(trace, "0").mask(gone, "nan").astype(float)
    keep = ~values.isna().any(axis=1)
    counts = {
        "rows_read": int(len(table)),
        "trace_cells": int(trace.to_numpy().sum()),
        "missing_cells": int(gone.to_numpy().sum()),
        "rows_dropped": int((~keep).sum()),
    }
    values = values[keep]
    if len(values) < MIN_ROWS:
        raise KitError(
            f"rainfall data: only {len(values)} usable rows in {source} (need at least {MIN_ROWS})"
        )
    y = values[label].to_numpy()
    if np.ptp(y) == 0:
        raise KitError(f"rainfall data: the label {label!r} has one value only ({y[0]:g}); nothing to learn")
    return RainfallData(
        x=values[features].to_numpy(),
        y=y,
        feature_names=list(features),
        label_name=label,
        source=source,
        unit=unit,
        counts=counts,
    )
