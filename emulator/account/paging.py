"""Paging of list calls the way SageMaker does it: MaxResults (default 10) and an opaque NextToken."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TypeVar

from moto.sagemaker.exceptions import ValidationError

T = TypeVar("T")

DEFAULT_PAGE = 10
MAX_PAGE = 100
_PREFIX = "kit-page:"


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode()


def decode_token(token: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationError(message=f"Invalid pagination token: {token!r}") from None
    if not raw.startswith(_PREFIX) or not raw[len(_PREFIX) :].isdigit():
        raise ValidationError(message=f"Invalid pagination token: {token!r}")
    return int(raw[len(_PREFIX) :])


def page(items: Sequence[T], max_results: int | None, next_token: str | None) -> tuple[list[T], str | None]:
    """One page of ``items`` and the token for the next page (None on the last page)."""
    size = DEFAULT_PAGE if max_results is None else int(max_results)
    if size < 1 or size > MAX_PAGE:
        raise ValidationError(
            message=f"1 validation error detected: Value '{size}' at 'maxResults' failed to satisfy "
            f"constraint: Member must have value between 1 and {MAX_PAGE}"
        )
    start = decode_token(next_token) if next_token else 0
    chunk = list(items[start : start + size])
    end = start + size
    return chunk, (encode_token(end) if end < len(items) else None)


def sort_items(items: list[T], key_attr: str, sort_order: str | None) -> list[T]:
    """Sort by an attribute (SageMaker's default order: Ascending)."""
    order = sort_order or "Ascending"
    if order not in ("Ascending", "Descending"):
        raise ValidationError(
            message=f"1 validation error detected: Value '{order}' at 'sortOrder' failed to satisfy "
            "constraint: Member must satisfy enum value set: [Ascending, Descending]"
        )
    return sorted(items, key=lambda i: getattr(i, key_attr), reverse=order == "Descending")
