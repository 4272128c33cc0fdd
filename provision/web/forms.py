"""One form per model: the fields come from the job's serving object (``form_fields()``), and every
post is checked against them before the job's ``encode`` sees it.

A field is ``(name, label, type, choices)`` — a tuple, a mapping or an object with those attributes.
A choice is a value, or a ``(value, text shown)`` pair. Types: ``number`` (a finite float),
``choice`` (one of ``choices``), ``text`` (a long text such as an e-mail). Unknown types are treated
as a short text line.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MAX_TEXT_CHARS = 100_000  # a pasted e-mail; the request itself is capped in app.py
MAX_LINE_CHARS = 200
TEXT_TYPES = ("text", "textarea", "email")


class InputError(ValueError):
    """The user's input cannot be used; ``str(err)`` is a friendly one-line message."""


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str
    choices: tuple[str, ...] = ()
    help: str = ""
    choice_texts: tuple[str, ...] = ()

    @property
    def options(self) -> list[tuple[str, str]]:
        """(value, text shown) for each choice."""
        texts = self.choice_texts if len(self.choice_texts) == len(self.choices) else self.choices
        return list(zip(self.choices, texts, strict=True))

    @property
    def is_text(self) -> bool:
        return self.type in TEXT_TYPES

    @property
    def is_choice(self) -> bool:
        return self.type in ("choice", "select") or bool(self.choices)

    @property
    def is_number(self) -> bool:
        return self.type in ("number", "float", "int", "integer") and not self.choices


def to_field(raw) -> Field:
    """Normalise one declared field (tuple, mapping or object)."""
    if isinstance(raw, Field):
        return raw
    if isinstance(raw, Mapping):
        get = raw.get
    elif isinstance(raw, Sequence) and not isinstance(raw, str):
        names = ("name", "label", "type", "choices", "help")
        values = dict(zip(names, raw, strict=False))
        get = values.get
    else:

        def get(key, default=None):
            return getattr(raw, key, default)

    name = str(get("name"))
    pairs = [
        (str(c[0]), str(c[1])) if isinstance(c, (tuple, list)) and len(c) == 2 else (str(c), str(c))
        for c in (get("choices") or ())
    ]
    return Field(
        name=name,
        label=str(get("label") or name),
        type=str(get("type") or "text"),
        choices=tuple(v for v, _ in pairs),
        choice_texts=tuple(t for _, t in pairs),
        help=str(get("help") or ""),
    )


def fields_of(serving) -> list[Field]:
    return [to_field(f) for f in serving.form_fields()]


def clean(fields: Sequence[Field], form: Mapping[str, str]) -> dict[str, str | float]:
    """The posted values, checked: every field present, numbers finite, choices allowed, texts bounded."""
    out: dict[str, str | float] = {}
    for f in fields:
        value = form.get(f.name)
        if value is None or not str(value).strip():
            raise InputError(f"please fill in “{f.label}”")
        value = str(value)
        if f.is_choice:
            if value not in f.choices:
                raise InputError(f"“{f.label}” must be one of the listed choices")
            out[f.name] = value
        elif f.is_number:
            if len(value) > 40:
                raise InputError(f"“{f.label}” must be a number")
            try:
                number = float(value.strip().replace(",", "."))
            except ValueError:
                raise InputError(f"“{f.label}” must be a number, not “{value[:20]}”") from None
            if not math.isfinite(number):
                raise InputError(f"“{f.label}” must be a finite number")
            out[f.name] = int(number) if f.type in ("int", "integer") and number.is_integer() else number
        else:
            limit = MAX_TEXT_CHARS if f.is_text else MAX_LINE_CHARS
            if len(value) > limit:
                raise InputError(f"“{f.label}” is too long: {len(value):,} characters, at most {limit:,}")
            if "\x00" in value:
                raise InputError(f"“{f.label}” contains binary data; paste plain text")
            out[f.name] = value
    return out
