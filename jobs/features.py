"""Feature pipelines (fitted on the training split only) and the CSV encoding SageMaker reads.

Every pipeline is a plain scikit-learn object or a small class of our own, saved with joblib next
to the job's ``last.json`` so that the web page can encode one form input exactly like training did.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from jobs.data.credit import CATEGORICAL, NUMERIC

WORD_RE = re.compile(r"[a-z][a-z]+")
PAYLOAD_LIMIT = 5 * 1024 * 1024  # InvokeEndpoint accepts 6 MB; keep a margin


# -- credit ----------------------------------------------------------------------------------------


def credit_encoder() -> ColumnTransformer:
    """One-hot for the categorical columns, standard scaling for the numeric ones."""
    return ColumnTransformer(
        [
            ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False), list(CATEGORICAL)),
            ("scale", StandardScaler(), list(NUMERIC)),
        ],
        sparse_threshold=0.0,
    )


# -- spam ------------------------------------------------------------------------------------------


def tfidf_features(max_features: int = 3000) -> TfidfVectorizer:
    """The "proper" text features: word TF-IDF (sublinear tf, words seen in at least 2 messages)."""
    return TfidfVectorizer(
        max_features=max_features,
        sublinear_tf=True,
        min_df=2,
        lowercase=True,
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b",
        dtype=np.float32,
    )


def tokens(text: str) -> list[str]:
    return WORD_RE.findall(text.lower())


class WordIndexFeatures:
    """The capstone's representation: the first ``length`` vocabulary indices of a message, padded with
    0, plus the message's word count. The vocabulary is the ``vocab_size`` most frequent training words
    (index 1 = most frequent); unknown words are skipped. (No stemming: the kit has no NLTK.)"""

    def __init__(self, vocab_size: int = 10000, length: int = 500) -> None:
        self.vocab_size = vocab_size
        self.length = length
        self.vocabulary_: dict[str, int] = {}

    def fit(self, texts: Iterable[str], y=None) -> WordIndexFeatures:
        counts = Counter(w for t in texts for w in tokens(t))
        self.vocabulary_ = {w: i + 1 for i, (w, _) in enumerate(counts.most_common(self.vocab_size))}
        return self

    def transform(self, texts: Iterable[str]) -> np.ndarray:
        rows = []
        for t in texts:
            words = tokens(t)
            idx = [self.vocabulary_[w] for w in words if w in self.vocabulary_][: self.length]
            rows.append(idx + [0] * (self.length - len(idx)) + [len(words)])
        return np.asarray(rows, dtype=np.float32).reshape(-1, self.length + 1)

    def fit_transform(self, texts: Sequence[str], y=None) -> np.ndarray:
        return self.fit(texts).transform(texts)


# -- persistence -----------------------------------------------------------------------------------


def save(pipeline, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline, path)
    return path


def load(path: Path):
    return joblib.load(path)


# -- CSV -------------------------------------------------------------------------------------------


def _fmt(v: float) -> str:
    return "0" if v == 0 else f"{v:.6g}"


_FMT6 = "{:.6g}".format


def _fmt_all(values) -> list[str]:
    """``_fmt`` of every value (a bound str.format over Python floats; -0.0 + 0.0 is 0.0, so "0")."""
    return list(map(_FMT6, (np.asarray(values, dtype=float).ravel() + 0.0).tolist()))


def csv_rows(x, y: Sequence[float] | None = None) -> list[str]:
    """One CSV line per row: the label first (if given), then the features; no header."""
    labels = None if y is None else _fmt_all(y)
    if sp.issparse(x):
        x = x.tocsr()
        if not x.has_canonical_format:  # sorted column indices, no duplicates (summed, as scipy reads them)
            x = x.copy()
            x.sum_duplicates()
        n_cols = x.shape[1]
        data = _fmt_all(x.data)
        indices = x.indices.tolist()
        indptr = x.indptr.tolist()
        zeros = "0," * n_cols  # a run of g zero cells is zeros[: 2 * g]
        lines = []
        for i in range(x.shape[0]):
            parts = [] if labels is None else [labels[i], ","]
            prev = 0
            for k in range(indptr[i], indptr[i + 1]):
                j = indices[k]
                parts += (zeros[: 2 * (j - prev)], data[k], ",")
                prev = j + 1
            parts.append(zeros[: 2 * (n_cols - prev)])
            lines.append("".join(parts)[:-1])
        return lines
    arr = np.asarray(x, dtype=float)
    arr = arr.reshape(1, -1) if arr.ndim == 1 else arr
    flat = _fmt_all(arr)
    width = arr.shape[1]
    rows = [",".join(flat[i * width : (i + 1) * width]) for i in range(arr.shape[0])]
    return rows if labels is None else [f"{label},{row}" for label, row in zip(labels, rows, strict=True)]


def to_csv(x, y: Sequence[float] | None = None) -> str:
    return "\n".join(csv_rows(x, y)) + "\n"


def batches(lines: Sequence[str], limit: int = PAYLOAD_LIMIT) -> list[list[str]]:
    """Split CSV lines into request bodies under the InvokeEndpoint payload limit."""
    out: list[list[str]] = []
    cur: list[str] = []
    size = 0
    for line in lines:
        n = len(line.encode()) + 1
        if n > limit:
            raise ValueError(f"one row is {n} bytes, more than the {limit}-byte payload limit")
        if cur and size + n > limit:
            out.append(cur)
            cur, size = [], 0
        cur.append(line)
        size += n
    if cur:
        out.append(cur)
    return out
