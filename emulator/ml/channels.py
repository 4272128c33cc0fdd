"""Read training channels and inference payloads: CSV (label first, no header), libsvm, RecordIO.

Objects come from the emulator's own S3 backend (same process), addressed by S3Prefix or S3Object URIs.

Parsed objects are kept (a few, by content): a tuning job's child jobs all read the same channels, and
parsing a wide CSV is most of a small training job's time. CSV is parsed by pandas' C reader with
Python's own float conversion (``float_precision="round_trip"``: the same numbers as ``float()``), and
by the plain Python reader, which words every error, whenever pandas declines.
"""

from __future__ import annotations

import csv
import hashlib
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from emulator.ml import recordio
from emulator.ml.errors import AlgorithmError, data_error

CSV = "text/csv"
LIBSVM = "text/libsvm"
RECORDIO = "application/x-recordio-protobuf"


@dataclass
class S3Object:
    bucket: str
    key: str
    body: bytes


def split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise AlgorithmError(f"Invalid S3 URI '{uri}': it must start with s3://")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def _as_role(action: str, resource: str, what: str, context: dict | None = None) -> None:
    """What the job's execution role must be allowed (emulator.iam.service_role): else a ClientError."""
    from emulator.iam import service_role

    try:
        service_role.check(action, resource, what, context)
    except service_role.RoleDenied as err:
        raise AlgorithmError(f"{err} (AccessDenied)") from None


def _s3(account_id: str):
    from moto.s3.models import s3_backends

    return s3_backends[account_id]["global"]


def list_objects(account_id: str, uri: str, data_type: str = "S3Prefix") -> list[S3Object]:
    """The objects of an S3 data source (every key under the prefix, sorted), with their bodies."""
    bucket_name, prefix = split_s3_uri(uri)
    backend = _s3(account_id)
    try:
        bucket = backend.get_bucket(bucket_name)
    except Exception:
        raise AlgorithmError(
            f"Unable to download data from S3: the bucket '{bucket_name}' does not exist (NoSuchBucket)"
        ) from None
    what = f'Unable to download data from S3 URL "{uri}"'
    if data_type == "S3Prefix":
        _as_role("s3:ListBucket", f"arn:aws:s3:::{bucket_name}", what, {"s3:prefix": [prefix]})
    if data_type == "S3Object":
        key = backend.get_object(bucket_name, prefix)
        keys = [key] if key is not None else []
    elif data_type == "S3Prefix":
        keys, _, _, _ = backend.list_objects(bucket, prefix or None, None, None, None)
    else:
        raise AlgorithmError(
            f"S3DataType '{data_type}' is not supported by the embedded AWS (use S3Prefix or S3Object)"
        )
    for k in keys:
        _as_role("s3:GetObject", f"arn:aws:s3:::{bucket_name}/{k.name}", what)
    out = [
        S3Object(bucket_name, k.name, bytes(k.value)) for k in keys if not k.name.endswith("/") and k.size > 0
    ]
    if not out:
        raise AlgorithmError(
            f'No S3 objects found under S3 URL "{uri}" given in input data source. '
            "Please ensure that the bucket exists in the selected region, that objects "
            "exist under that S3 prefix, and that the role has access."
        )
    return out


def put_object(account_id: str, uri: str, body: bytes) -> None:
    bucket_name, key = split_s3_uri(uri)
    backend = _s3(account_id)
    try:
        backend.get_bucket(bucket_name)
    except Exception:
        raise AlgorithmError(
            f"Unable to upload to S3: the bucket '{bucket_name}' does not exist (NoSuchBucket)"
        ) from None
    _as_role("s3:PutObject", f"arn:aws:s3:::{bucket_name}/{key}", f"Unable to upload to {uri}")
    backend.put_object(bucket_name, key, body)


def get_object(account_id: str, uri: str) -> bytes:
    bucket_name, key = split_s3_uri(uri)
    _as_role("s3:GetObject", f"arn:aws:s3:::{bucket_name}/{key}", f"Could not download {uri}")
    try:
        obj = _s3(account_id).get_object(bucket_name, key)
    except Exception:
        obj = None
    if obj is None:
        raise AlgorithmError(f"Could not download {uri}: the object does not exist (NoSuchKey)")
    return bytes(obj.value)


def normalise_content_type(content_type: str | None, default: str) -> tuple[str, dict[str, str]]:
    """('text/csv', {'label_size': '1'}) from 'text/csv;label_size=1' (None → default)."""
    if not content_type:
        return default, {}
    main, *params = [p.strip() for p in content_type.split(";")]
    main = main.lower()
    opts = {}
    for p in params:
        k, _, v = p.partition("=")
        opts[k.strip()] = v.strip()
    aliases = {
        "csv": CSV,
        "text/csv": CSV,
        "libsvm": LIBSVM,
        "text/libsvm": LIBSVM,
        "text/x-libsvm": LIBSVM,
        "application/x-recordio-protobuf": RECORDIO,
        "recordio-protobuf": RECORDIO,
    }
    return aliases.get(main, main), opts


_OTHER_DELIMITERS = frozenset(";\t| ")


def parse_csv(text: str, with_label: bool, channel: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Rows of numbers; the first column is the label when with_label. Delimiter sniffed like XGBoost."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return np.zeros((0, 0)), (np.zeros(0) if with_label else None)
    delimiter = ","
    if not _OTHER_DELIMITERS.intersection(lines[0]):
        pass  # the sniffer can only answer "," (or fail: ","): skip it (it costs a one-row request most)
    else:
        try:
            delimiter = csv.Sniffer().sniff(lines[0], delimiters=",;\t| ").delimiter
        except csv.Error:
            pass
    arr = _fast_csv(lines, delimiter) if len(text) >= LARGE_BODY else None
    if arr is not None:
        if with_label:
            if arr.shape[1] < 2:
                raise data_error(channel, CSV, "each row needs a label and at least one feature")
            return arr[:, 1:], arr[:, 0]
        return arr, None
    try:
        rows = [[float(c) if c.strip() != "" else np.nan for c in ln.split(delimiter)] for ln in lines]
    except ValueError as err:
        raise data_error(
            channel,
            CSV,
            f"ValueError: {err}; the CSV must hold numbers only, with the label in "
            "the first column and no header row",
        ) from None
    width = {len(r) for r in rows}
    if len(width) != 1:
        raise data_error(channel, CSV, f"the rows have different numbers of columns {sorted(width)}")
    arr = np.asarray(rows, dtype=np.float64)
    if with_label:
        if arr.shape[1] < 2:
            raise data_error(channel, CSV, "each row needs a label and at least one feature")
        return arr[:, 1:], arr[:, 0]
    return arr, None


def _fast_csv(lines: list[str], delimiter: str) -> np.ndarray | None:
    """The rows as a float64 array by pandas' C reader, or None to leave it to the Python reader
    (rows of different widths, empty cells, anything that is not a plain number)."""
    if delimiter == " " or len({ln.count(delimiter) for ln in lines}) != 1:
        return None
    import pandas as pd

    try:
        frame = pd.read_csv(
            io.StringIO("\n".join(lines)),
            header=None,
            sep=delimiter,
            dtype=np.float64,
            na_filter=False,
            engine="c",
            float_precision="round_trip",
        )
    except Exception:  # noqa: BLE001 - any refusal: the Python reader says what is wrong
        return None
    if frame.shape[0] != len(lines):
        return None
    return frame.to_numpy(dtype=np.float64, copy=False)


def parse_libsvm(text: str, with_label: bool, channel: str) -> tuple[np.ndarray, np.ndarray | None]:
    rows: list[dict[int, float]] = []
    labels: list[float] = []
    try:
        for ln in text.splitlines():
            parts = ln.split("#")[0].split()
            if not parts:
                continue
            if with_label:
                labels.append(float(parts[0]))
                parts = parts[1:]
            row = {}
            for p in parts:
                idx, _, val = p.partition(":")
                if not _:
                    raise ValueError(f"'{p}' is not index:value")
                row[int(idx)] = float(val)
            rows.append(row)
    except ValueError as err:
        raise data_error(channel, LIBSVM, f"ValueError: {err}") from None
    width = max((max(r) + 1 for r in rows if r), default=0)
    X = np.full((len(rows), width), np.nan)
    for i, r in enumerate(rows):
        for j, v in r.items():
            X[i, j] = v
    return X, (np.asarray(labels) if with_label else None)


# Bodies from this size on are parsed by pandas and kept: an inference request of a few rows is
# parsed directly (pandas' reader costs about a millisecond before it reads anything).
LARGE_BODY = 64 * 1024
# parsed objects by (content digest, size, content type, with_label): arrays of at most this many bytes
PARSE_CACHE_BYTES = 256 * 2**20
_parsed: OrderedDict[tuple, tuple[np.ndarray, np.ndarray | None]] = OrderedDict()
_parsed_bytes = 0
_parsed_lock = threading.Lock()


def _nbytes(X: np.ndarray, y: np.ndarray | None) -> int:
    return X.nbytes + (0 if y is None else y.nbytes)


def parse(
    body: bytes, content_type: str, with_label: bool, channel: str
) -> tuple[np.ndarray, np.ndarray | None]:
    """Parse one object's bytes in a normalised content type (copies of a kept parse when the same
    bytes were parsed before: callers may change what they get)."""
    global _parsed_bytes
    if len(body) < LARGE_BODY:
        return _parse(body, content_type, with_label, channel)
    key = (hashlib.blake2b(body, digest_size=16).digest(), len(body), content_type, with_label)
    with _parsed_lock:
        hit = _parsed.get(key)
        if hit is not None:
            _parsed.move_to_end(key)
    if hit is None:
        hit = _parse(body, content_type, with_label, channel)
        size = _nbytes(*hit)
        if size <= PARSE_CACHE_BYTES // 4:
            with _parsed_lock:
                if key not in _parsed:
                    _parsed[key] = hit
                    _parsed_bytes += size
                while _parsed_bytes > PARSE_CACHE_BYTES and _parsed:
                    _parsed_bytes -= _nbytes(*_parsed.popitem(last=False)[1])
    X, y = hit
    return X.copy(), (None if y is None else y.copy())


def _parse(
    body: bytes, content_type: str, with_label: bool, channel: str
) -> tuple[np.ndarray, np.ndarray | None]:
    if content_type == RECORDIO:
        try:
            X, y = recordio.read(body)
        except recordio.RecordIOError as err:
            raise data_error(channel, RECORDIO, f"RecordIOError: {err}") from None
        if with_label and y is None and len(X):
            raise data_error(channel, RECORDIO, "the records carry no label")
        return X, y
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise data_error(channel, content_type, "UnicodeDecodeError: the data is not UTF-8 text") from None
    if content_type == CSV:
        return parse_csv(text, with_label, channel)
    if content_type == LIBSVM:
        return parse_libsvm(text, with_label, channel)
    raise data_error(channel, content_type, f"content type '{content_type}' is not supported")


def read_channel(
    account_id: str, channel: dict, default_type: str, allowed: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of one InputDataConfig channel, concatenated over its objects."""
    name = channel.get("ChannelName", "train")
    source = channel.get("DataSource", {}).get("S3DataSource")
    if not source:
        raise AlgorithmError(f"Channel '{name}': only S3DataSource is supported by the embedded AWS")
    ctype, _opts = normalise_content_type(channel.get("ContentType"), default_type)
    if ctype not in allowed:
        raise AlgorithmError(
            f"Channel '{name}': content type '{channel.get('ContentType')}' is not supported "
            f"(supported: {', '.join(allowed)})"
        )
    if channel.get("CompressionType", "None") not in ("None", None):
        raise AlgorithmError(
            f"Channel '{name}': CompressionType {channel['CompressionType']} is not supported"
        )
    objs = list_objects(account_id, source["S3Uri"], source.get("S3DataType", "S3Prefix"))
    parts = [parse(o.body, ctype, True, name) for o in objs]
    parts = [p for p in parts if p[0].size]
    if not parts:
        raise AlgorithmError(f"The {name} channel holds no records.")
    widths = {p[0].shape[1] for p in parts}
    if len(widths) != 1 and ctype != LIBSVM:
        raise data_error(name, ctype, f"the files have different numbers of columns {sorted(widths)}")
    width = max(widths)
    X = np.vstack(
        [
            np.pad(p[0], ((0, 0), (0, width - p[0].shape[1])), constant_values=np.nan)
            if p[0].shape[1] < width
            else p[0]
            for p in parts
        ]
    )
    y = np.concatenate([p[1] for p in parts])
    return X, y


def parse_request(body: bytes, content_type: str | None, default: str = CSV) -> np.ndarray:
    """Feature rows of an inference request (CSV without label, JSON instances, RecordIO, libsvm)."""
    ctype, _ = normalise_content_type(content_type, default)
    if ctype in ("application/json", "application/jsonlines"):
        import json

        try:
            text = body.decode("utf-8")
            docs = (
                [json.loads(ln) for ln in text.splitlines() if ln.strip()]
                if ctype.endswith("jsonlines")
                else [json.loads(text)]
            )
            rows = []
            for doc in docs:
                instances = doc.get("instances") if isinstance(doc, dict) and "instances" in doc else [doc]
                for inst in instances:
                    feats = inst.get("features") if isinstance(inst, dict) else inst
                    if feats is None or isinstance(feats, (str, bytes)):
                        raise ValueError("each instance needs a 'features' list")
                    rows.append([float(v) for v in feats])
            width = {len(r) for r in rows}
            if len(width) != 1:
                raise ValueError("the instances have different numbers of features")
            return np.asarray(rows, dtype=np.float64)
        except (ValueError, TypeError, AttributeError, UnicodeDecodeError) as err:
            raise ValueError(f"Unable to parse the JSON request: {err}") from None
    try:
        # a libsvm line always starts with a label (ignored for inference), like xgboost reads it
        X, _ = parse(body, ctype, ctype == LIBSVM, "request")
    except AlgorithmError as err:
        raise ValueError(str(err).removeprefix("ClientError: ")) from None
    return X


def to_csv_lines(values: list[float]) -> str:
    buf = io.StringIO()
    for v in values:
        buf.write(f"{v}\n")
    return buf.getvalue()
