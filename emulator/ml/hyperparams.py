"""Small typed parsers for hyperparameter strings (SageMaker passes every value as a string)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from emulator.ml.errors import hyperparameter_error

AUTO = "auto"


def _raw(hp: Mapping[str, str], name: str, default: str | None) -> str | None:
    value = hp.get(name)
    if value is None:
        return default
    return str(value).strip()


def _numeric_raw(hp: Mapping[str, str], name: str, default: object, allow_auto: bool) -> str | None:
    """The value's text (the default's when unset; None without either), or ``AUTO`` itself when
    ``auto`` is allowed and given (any case)."""
    raw = _raw(hp, name, None if default is None else str(default))
    if raw is not None and allow_auto and raw.lower() == AUTO:
        return AUTO
    return raw


def as_int(
    hp: Mapping[str, str],
    name: str,
    default: int | str | None,
    lo: int | None = None,
    hi: int | None = None,
    allow_auto: bool = False,
) -> int | str | None:
    raw = _numeric_raw(hp, name, default, allow_auto)
    if raw is None or (allow_auto and raw == AUTO):
        return raw
    try:
        value = float(raw)
        if not value.is_integer():
            raise ValueError
        value = int(value)
    except ValueError:
        raise hyperparameter_error(f"'{raw}' is not of type 'integer' (hyperparameter '{name}')") from None
    _check_range(name, value, lo, hi)
    return value


def as_float(
    hp: Mapping[str, str],
    name: str,
    default: float | str | None,
    lo: float | None = None,
    hi: float | None = None,
    allow_auto: bool = False,
    lo_open: bool = False,
    hi_open: bool = False,
) -> float | str | None:
    raw = _numeric_raw(hp, name, default, allow_auto)
    if raw is None or (allow_auto and raw == AUTO):
        return raw
    try:
        value = float(raw)
    except ValueError:
        raise hyperparameter_error(f"'{raw}' is not of type 'number' (hyperparameter '{name}')") from None
    if math.isnan(value) or math.isinf(value):
        raise hyperparameter_error(f"'{raw}' is not a finite number (hyperparameter '{name}')")
    _check_range(name, value, lo, hi, lo_open, hi_open)
    return value


def as_bool(hp: Mapping[str, str], name: str, default: bool | str, allow_auto: bool = False) -> bool | str:
    raw = _raw(hp, name, str(default).lower())
    assert raw is not None
    low = raw.lower()
    if allow_auto and low == AUTO:
        return AUTO
    if low in ("true", "1"):
        return True
    if low in ("false", "0"):
        return False
    raise hyperparameter_error(f"'{raw}' is not one of ['true', 'false'] (hyperparameter '{name}')")


def as_choice(hp: Mapping[str, str], name: str, default: str | None, choices: list[str]) -> str | None:
    raw = _raw(hp, name, default)
    if raw is None:
        return None
    if raw not in choices:
        raise hyperparameter_error(f"'{raw}' is not one of {choices} (hyperparameter '{name}')")
    return raw


def _check_range(
    name: str, value: float, lo: float | None, hi: float | None, lo_open: bool = False, hi_open: bool = False
) -> None:
    if lo is not None and (value < lo or (lo_open and value == lo)):
        op = "greater than" if lo_open else "greater than or equal to"
        raise hyperparameter_error(f"{value} is not {op} {lo} (hyperparameter '{name}')")
    if hi is not None and (value > hi or (hi_open and value == hi)):
        op = "less than" if hi_open else "less than or equal to"
        raise hyperparameter_error(f"{value} is not {op} {hi} (hyperparameter '{name}')")
