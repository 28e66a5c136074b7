"""Validation rules shared by the entities: identifiers, text bounds and quantities."""

from __future__ import annotations

import re

from domain.errors import ValidationFailed

CODE_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")
MAX_QUANTITY = 10**12  # far above any real stock, far below bigint overflow after sums
MAX_ON_HAND = 2**63 - 1  # the most one level can hold: PostgreSQL's bigint
MAX_NAME = 200
MAX_DESCRIPTION = 2000
MAX_UNIT = 32
MAX_REFERENCE = 200
MAX_NOTE = 2000


def code(value: str, field: str) -> str:
    """A SKU or location code: 1-64 chars of letters, digits, dot, underscore, hyphen."""
    if not CODE_PATTERN.fullmatch(value):
        raise ValidationFailed(f"{field} must be 1-64 characters of A-Z a-z 0-9 . _ -", field=field)
    return value


def text(value: str, field: str, max_length: int, *, required: bool = True) -> str:
    """Trimmed text within bounds; required text may not be blank."""
    stripped = value.strip()
    if required and not stripped:
        raise ValidationFailed(f"{field} must not be blank", field=field)
    if len(stripped) > max_length:
        raise ValidationFailed(f"{field} must be at most {max_length} characters", field=field)
    return stripped


def optional_text(value: str | None, field: str, max_length: int) -> str | None:
    """Text that may be absent; blank becomes None."""
    if value is None:
        return None
    return text(value, field, max_length, required=False) or None


def positive(quantity: int, field: str = "quantity") -> int:
    """A quantity > 0 in the item's base unit."""
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationFailed(f"{field} must be an integer", field=field)
    if not 0 < quantity <= MAX_QUANTITY:
        raise ValidationFailed(f"{field} must be between 1 and {MAX_QUANTITY}", field=field)
    return quantity


def non_negative(quantity: int, field: str) -> int:
    """A quantity >= 0 in the item's base unit."""
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationFailed(f"{field} must be an integer", field=field)
    if not 0 <= quantity <= MAX_QUANTITY:
        raise ValidationFailed(f"{field} must be between 0 and {MAX_QUANTITY}", field=field)
    return quantity


def non_zero(quantity: int, field: str = "quantity") -> int:
    """A signed, non-zero quantity (adjustments)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationFailed(f"{field} must be an integer", field=field)
    if quantity == 0 or abs(quantity) > MAX_QUANTITY:
        raise ValidationFailed(
            f"{field} must be non-zero and at most {MAX_QUANTITY} in size", field=field
        )
    return quantity
