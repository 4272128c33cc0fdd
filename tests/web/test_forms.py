"""Form checks before the job's encoder sees the input."""

from __future__ import annotations

import pytest

from provision.web.forms import MAX_TEXT_CHARS, Field, InputError, clean, to_field

FIELDS = [
    to_field({"name": "age", "label": "Age (years)", "type": "number", "choices": None}),
    to_field({"name": "housing", "label": "Housing", "type": "choice", "choices": ["free", "own", "rent"]}),
    to_field(("message", "E-mail", "text", None)),
]


def good(**over):
    return {"age": "35", "housing": "own", "message": "Hello there", **over}


def test_clean_values():
    assert clean(FIELDS, good(age=" 35,5 ")) == {"age": 35.5, "housing": "own", "message": "Hello there"}
    assert clean([Field("n", "N", "int")], {"n": "4"}) == {"n": 4}


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"age": ""}, "please fill in “Age (years)”"),
        ({"age": "abc"}, "“Age (years)” must be a number, not “abc”"),
        ({"age": "nan"}, "“Age (years)” must be a finite number"),
        ({"age": "1" * 50}, "“Age (years)” must be a number"),
        ({"housing": "castle"}, "“Housing” must be one of the listed choices"),
        ({"message": "x" * (MAX_TEXT_CHARS + 1)}, "“E-mail” is too long"),
        ({"message": "a\x00b"}, "binary data"),
    ],
)
def test_bad_input_is_one_friendly_message(over, message):
    with pytest.raises(InputError) as err:
        clean(FIELDS, good(**over))
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_choices_with_shown_texts():
    f = to_field({"name": "job", "label": "Job", "type": "choice", "choices": [("0", "0 — unskilled"), "3"]})
    assert f.options == [("0", "0 — unskilled"), ("3", "3")]
    assert clean([f], {"job": "0"}) == {"job": "0"}
    with pytest.raises(InputError):
        clean([f], {"job": "0 — unskilled"})


def test_missing_field():
    form = good()
    del form["housing"]
    with pytest.raises(InputError, match="please fill in “Housing”"):
        clean(FIELDS, form)
