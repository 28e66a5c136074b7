"""Keyset pagination: opaque cursors over each list's unique sort key."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from domain.errors import ValidationFailed

T = TypeVar("T")
MAX_LIMIT = 200
DEFAULT_LIMIT = 50


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A page size and the sort key of the last row already seen (decoded cursor)."""

    limit: int = DEFAULT_LIMIT
    after: tuple[str, ...] | None = None

    @classmethod
    def parse(cls, limit: int | None, cursor: str | None, *, width: int) -> PageRequest:
        """Validate a limit and decode a cursor whose key has ``width`` parts."""
        size = DEFAULT_LIMIT if limit is None else limit
        if not 1 <= size <= MAX_LIMIT:
            raise ValidationFailed(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
        return cls(limit=size, after=None if cursor is None else decode_cursor(cursor, width))


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of results and the cursor of the next one (None at the end)."""

    items: list[T]
    next_cursor: str | None


def encode_cursor(key: tuple[str, ...]) -> str:
    """An opaque, URL-safe cursor for a sort key."""
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> tuple[str, ...]:
    """The sort key inside a cursor; any tampering is a validation error."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed("cursor is not valid", field="cursor") from None
    if not (isinstance(key, list) and len(key) == width and all(isinstance(k, str) for k in key)):
        raise ValidationFailed("cursor is not valid", field="cursor")
    return tuple(key)


def page_of(rows: list[T], request: PageRequest, key: Callable[[T], tuple[str, ...]]) -> Page[T]:
    """Cut ``rows`` (fetched with limit + 1) to a page and derive the next cursor."""
    if len(rows) <= request.limit:
        return Page(rows, None)
    kept = rows[: request.limit]
    return Page(kept, encode_cursor(key(kept[-1])))
