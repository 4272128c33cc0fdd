"""SageMaker's RecordIO-protobuf format (``application/x-recordio-protobuf``), read and written.

Framing (MXNet RecordIO): a little-endian uint32 magic ``0xced7230a``, a uint32 whose lower 29 bits are
the payload length, the payload, zero padding to a 4-byte boundary. The payload is an
``aialgs.data.Record`` protobuf (``record.proto`` in the SageMaker docs, ``cdf-training.md``)::

    message Float32Tensor { repeated float values = 1 [packed]; repeated uint64 keys = 2 [packed];
                            repeated uint64 shape = 3 [packed]; }
    message Float64Tensor { repeated double values = 1 [packed]; keys = 2; shape = 3; }
    message Int32Tensor   { repeated int32 values = 1 [packed]; keys = 2; shape = 3; }
    message Value  { oneof value { Float32Tensor float32_tensor = 2; Float64Tensor float64_tensor = 3;
                                   Int32Tensor int32_tensor = 7; Bytes bytes = 9; } }
    message Record { map<string, Value> features = 1; map<string, Value> label = 2; ... }

A dense row is a feature named ``values`` holding a Float32Tensor; the label likewise. Sparse tensors
(``keys`` + ``shape``) are expanded to dense rows. The decoder is hand-written (no protobuf dependency).
"""

from __future__ import annotations

import struct

import numpy as np

MAGIC = 0xCED7230A


class RecordIOError(ValueError):
    """The bytes are not valid RecordIO-protobuf."""


# --------------------------------------------------------------------------------------- wire format
def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise RecordIOError("truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift > 70:
            raise RecordIOError("varint too long")


def _fields(buf: bytes):
    """Yield (field_number, wire_type, value) of a message; value is int or bytes."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos : pos + 8], pos + 8
        elif wire == 2:
            length, pos = _varint(buf, pos)
            value, pos = buf[pos : pos + length], pos + length
            if len(value) != length:
                raise RecordIOError("truncated field")
        elif wire == 5:
            value, pos = buf[pos : pos + 4], pos + 4
        else:
            raise RecordIOError(f"unsupported wire type {wire}")
        yield number, wire, value


def _packed_varints(data: bytes) -> list[int]:
    out, pos = [], 0
    while pos < len(data):
        v, pos = _varint(data, pos)
        out.append(v)
    return out


def _tensor(buf: bytes, kind: int) -> np.ndarray:
    """A dense 1-d array from a Float32/Float64/Int32 tensor message."""
    values: list[np.ndarray] = []
    keys: list[int] = []
    shape: list[int] = []
    for number, wire, value in _fields(buf):
        if number == 1:
            if kind == 2:
                values.append(
                    np.frombuffer(value, dtype="<f4") if wire == 2 else np.frombuffer(value, dtype="<f4")
                )
            elif kind == 3:
                values.append(np.frombuffer(value, dtype="<f8"))
            else:
                ints = _packed_varints(value) if wire == 2 else [value]
                values.append(np.array([v - (1 << 64) if v >= 1 << 63 else v for v in ints], dtype=float))
        elif number == 2:
            keys.extend(_packed_varints(value) if wire == 2 else [value])
        elif number == 3:
            shape.extend(_packed_varints(value) if wire == 2 else [value])
    vals = np.concatenate(values).astype(np.float64) if values else np.zeros(0)
    if keys:
        size = int(np.prod(shape)) if shape else (max(keys) + 1)
        dense = np.zeros(size)
        dense[np.asarray(keys, dtype=np.int64)] = vals
        return dense
    return vals


def _value(buf: bytes) -> np.ndarray:
    for number, _wire, value in _fields(buf):
        if number in (2, 3, 7):
            return _tensor(value, number)
        if number == 9:
            raise RecordIOError("Bytes values are not supported for tabular data")
    return np.zeros(0)


def _map_entry(buf: bytes) -> tuple[str, np.ndarray]:
    key, val = "", np.zeros(0)
    for number, _wire, value in _fields(buf):
        if number == 1:
            key = value.decode("utf-8")
        elif number == 2:
            val = _value(value)
    return key, val


def parse_record(payload: bytes) -> tuple[np.ndarray, np.ndarray | None]:
    """(features, label or None) of one Record message."""
    features: dict[str, np.ndarray] = {}
    labels: dict[str, np.ndarray] = {}
    for number, _wire, value in _fields(payload):
        if number == 1:
            k, v = _map_entry(value)
            features[k] = v
        elif number == 2:
            k, v = _map_entry(value)
            labels[k] = v
    if "values" not in features:
        raise RecordIOError("record has no feature named 'values'")
    label = labels.get("values")
    return features["values"], label


def split_records(data: bytes) -> list[bytes]:
    """The payloads of a RecordIO stream."""
    out, pos = [], 0
    while pos < len(data):
        if pos + 8 > len(data):
            raise RecordIOError("truncated record header")
        magic, lrec = struct.unpack_from("<II", data, pos)
        if magic != MAGIC:
            raise RecordIOError(f"bad RecordIO magic number at byte {pos}")
        length = lrec & ((1 << 29) - 1)
        start = pos + 8
        payload = data[start : start + length]
        if len(payload) != length:
            raise RecordIOError("truncated record")
        out.append(payload)
        pos = start + length + (-length % 4)
    return out


def read(data: bytes) -> tuple[np.ndarray, np.ndarray | None]:
    """Rows (n, d) and labels (n,) or None from a RecordIO-protobuf stream."""
    rows, labels = [], []
    for payload in split_records(data):
        x, y = parse_record(payload)
        rows.append(x)
        labels.append(y)
    if not rows:
        return np.zeros((0, 0)), None
    width = max(len(r) for r in rows)
    X = np.zeros((len(rows), width))
    for i, r in enumerate(rows):
        X[i, : len(r)] = r
    if all(lab is not None and len(lab) for lab in labels):
        return X, np.array([float(lab[0]) for lab in labels])
    return X, None


# -------------------------------------------------------------------------------------------- writer
def _key(number: int, wire: int) -> bytes:
    return _enc_varint((number << 3) | wire)


def _enc_varint(v: int) -> bytes:
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _len_delimited(number: int, payload: bytes) -> bytes:
    return _key(number, 2) + _enc_varint(len(payload)) + payload


def _float32_value(values: np.ndarray) -> bytes:
    tensor = _len_delimited(1, np.asarray(values, dtype="<f4").tobytes())
    return _len_delimited(2, tensor)  # Value.float32_tensor


def encode_record(x: np.ndarray, y: float | None = None) -> bytes:
    """One Record with dense ``values`` features (and label), as SageMaker's SDK writes it."""
    entry = _len_delimited(1, b"values") + _len_delimited(2, _float32_value(x))
    msg = _len_delimited(1, entry)
    if y is not None:
        label = _len_delimited(1, b"values") + _len_delimited(2, _float32_value(np.array([y])))
        msg += _len_delimited(2, label)
    return msg


def write(X: np.ndarray, y: np.ndarray | None = None) -> bytes:
    """A RecordIO-protobuf stream of dense rows (the SDK's ``write_numpy_to_dense_tensor``)."""
    out = bytearray()
    for i, row in enumerate(np.asarray(X, dtype=np.float32)):
        payload = encode_record(row, None if y is None else float(y[i]))
        out += struct.pack("<II", MAGIC, len(payload)) + payload + b"\0" * (-len(payload) % 4)
    return bytes(out)
