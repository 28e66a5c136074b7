"""Decode the string parts of keyset cursors into the types the statements bind."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.errors import ValidationFailed


def uuid_part(value: str) -> UUID:
    """A uuid cursor part; anything else is the same error as any other tampered cursor."""
    try:
        return UUID(value)
    except ValueError:
        raise ValidationFailed("cursor is not valid", field="cursor") from None


def time_part(value: str) -> datetime:
    """A created_at cursor part (ISO 8601 with offset, as the sort keys write it)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed("cursor is not valid", field="cursor") from None
    if moment.tzinfo is None:
        raise ValidationFailed("cursor is not valid", field="cursor")
    return moment
