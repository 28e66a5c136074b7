"""Identifier, text and quantity rules shared by the entities."""

from __future__ import annotations

import pytest

from domain import rules
from domain.errors import ValidationFailed


@pytest.mark.parametrize("value", ["A", "a-1", "Sku_2.b", "X" * 64, "0.9-_"])
def test_a_code_of_letters_digits_dot_underscore_hyphen_up_to_64_is_accepted(value: str) -> None:
    assert rules.code(value, "sku") == value


@pytest.mark.parametrize(
    "value", ["", "X" * 65, "has space", "slash/1", "émile", "ABC\n", " ABC", "a+b", "ümlaut"]
)
def test_a_code_outside_the_pattern_is_refused_naming_its_field(value: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        rules.code(value, "sku")

    assert refused.value.extra["field"] == "sku"


def test_text_is_trimmed() -> None:
    assert rules.text("  Widget \n", "name", 10) == "Widget"


def test_required_text_may_not_be_blank() -> None:
    with pytest.raises(ValidationFailed):
        rules.text("   ", "name", 10)


def test_text_is_bounded_after_trimming() -> None:
    assert rules.text(" " + "x" * 10 + " ", "name", 10) == "x" * 10
    with pytest.raises(ValidationFailed) as refused:
        rules.text("x" * 11, "name", 10)
    assert refused.value.extra["field"] == "name"


def test_optional_text_turns_blank_into_none() -> None:
    assert rules.optional_text(None, "note", 5) is None
    assert rules.optional_text("   ", "note", 5) is None
    assert rules.optional_text(" hi ", "note", 5) == "hi"
    with pytest.raises(ValidationFailed):
        rules.optional_text("x" * 6, "note", 5)


@pytest.mark.parametrize("value", [1, 7, rules.MAX_QUANTITY])
def test_a_positive_quantity_is_accepted_up_to_the_maximum(value: int) -> None:
    assert rules.positive(value) == value


@pytest.mark.parametrize("value", [0, -1, rules.MAX_QUANTITY + 1, True, 1.0, "3", None])
def test_a_positive_quantity_refuses_zero_negatives_overflow_and_non_integers(
    value: object,
) -> None:
    with pytest.raises(ValidationFailed):
        rules.positive(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [0, 5, rules.MAX_QUANTITY])
def test_a_non_negative_quantity_accepts_zero(value: int) -> None:
    assert rules.non_negative(value, "counted") == value


@pytest.mark.parametrize("value", [-1, rules.MAX_QUANTITY + 1, False, 0.0])
def test_a_non_negative_quantity_refuses_negatives_overflow_and_non_integers(value: object) -> None:
    with pytest.raises(ValidationFailed) as refused:
        rules.non_negative(value, "counted")  # type: ignore[arg-type]
    assert refused.value.extra["field"] == "counted"


@pytest.mark.parametrize("value", [-rules.MAX_QUANTITY, -1, 1, rules.MAX_QUANTITY])
def test_a_signed_quantity_accepts_either_sign(value: int) -> None:
    assert rules.non_zero(value) == value


@pytest.mark.parametrize("value", [0, rules.MAX_QUANTITY + 1, -rules.MAX_QUANTITY - 1, True, 2.5])
def test_a_signed_quantity_refuses_zero_overflow_and_non_integers(value: object) -> None:
    with pytest.raises(ValidationFailed):
        rules.non_zero(value)  # type: ignore[arg-type]
