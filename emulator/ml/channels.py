"""Read training channels and inference payloads: CSV (label first, no header), libsvm, RecordIO.

Objects come from the emulator's own S3 backend (same process), addressed by S3Prefix or S3Object URIs.
"""

from __future__ import annotations

import csv
import io
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


def parse_csv(text: str, with_label: bool, channel: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Rows of numbers; the first column is the label when with_label. Delimiter sniffed like XGBoost."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return np.zeros((0, 0)), (np.zeros(0) if with_label else None)
    delimiter = ","
    try:
        delimiter = csv.Sniffer().sniff(lines[0], delimiters=",;\t| ").delimiter
    except csv.Error:
        pass
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


def parse(
    body: bytes, content_type: str, with_label: bool, channel: str
) -> tuple[np.ndarray, np.ndarray | None]:
    """Parse one object's bytes in a normalised content type."""
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
