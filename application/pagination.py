"""Keyset pagination: opaque cursors over each list's unique sort key, parsed as hostile input.

A cursor is base64url JSON ``[list name, *sort key parts]``. Clients may send back anything in
its place, so decoding checks the list it belongs to and every part against what that list's
sort key holds (a lower-cased code, a UUID, a UTC timestamp) before any adapter sees it: a
crafted cursor is a 422 like any other invalid input, on every backend alike.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar
from uuid import UUID

from domain.errors import ValidationFailed

T = TypeVar("T")
MAX_LIMIT = 200
DEFAULT_LIMIT = 50
_LOWER_CODE = re.compile(r"[a-z0-9._-]{1,64}")

# One part of a sort key: the canonical text of a valid part, or ValueError.
Part = Callable[[str], str]


def code_part(value: str) -> str:
    """A lower-cased SKU or location code (their list order)."""
    if not _LOWER_CODE.fullmatch(value):
        raise ValueError("not a lower-cased code")
    return value


def uuid_part(value: str) -> str:
    """An id, in its canonical form."""
    return str(UUID(value))


def time_part(value: str) -> str:
    """A timestamp with its offset, as ISO 8601 in UTC (how the sort keys write it)."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("a timestamp without offset")
    return moment.astimezone(UTC).isoformat()


@dataclass(frozen=True, slots=True)
class Keyset(Generic[T]):
    """How one list pages: its name (a cursor of another list is refused), the sort key of a
    row (unique, the list's order) and the kind of each part of that key."""

    name: str
    key: Callable[[T], tuple[str, ...]]
    parts: tuple[Part, ...]

    def cursor(self, row: T) -> str:
        """The opaque cursor of the page after ``row``."""
        raw = json.dumps([self.name, *self.key(row)], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, cursor: str) -> tuple[str, ...]:
        """The sort key inside a cursor of this list; anything else is a validation error."""
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            decoded = json.loads(base64.urlsafe_b64decode(padded.encode()))
        except (ValueError, binascii.Error, RecursionError):  # UnicodeError is a ValueError
            raise _invalid() from None
        if not (
            isinstance(decoded, list)
            and len(decoded) == len(self.parts) + 1
            and decoded[0] == self.name
            and all(isinstance(part, str) for part in decoded)
        ):
            raise _invalid()
        try:
            return tuple(check(part) for check, part in zip(self.parts, decoded[1:], strict=True))
        except ValueError:
            raise _invalid() from None


def _invalid() -> ValidationFailed:
    # The same words for every way a cursor can be wrong: nothing of it is repeated.
    return ValidationFailed("cursor is not valid", field="cursor")


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A page size and the sort key of the last row already seen (decoded cursor)."""

    limit: int = DEFAULT_LIMIT
    after: tuple[str, ...] | None = None

    @classmethod
    def parse(cls, limit: int | None, cursor: str | None, keyset: Keyset[T]) -> PageRequest:
        """Validate a limit and decode a cursor of ``keyset``'s list."""
        size = DEFAULT_LIMIT if limit is None else limit
        if not 1 <= size <= MAX_LIMIT:
            raise ValidationFailed(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
        return cls(limit=size, after=None if cursor is None else keyset.decode(cursor))


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of results and the cursor of the next one (None at the end)."""

    items: list[T]
    next_cursor: str | None


def page_of(rows: list[T], request: PageRequest, keyset: Keyset[T]) -> Page[T]:
    """Cut ``rows`` (fetched with limit + 1) to a page and derive the next cursor."""
    if len(rows) <= request.limit:
        return Page(rows, None)
    kept = rows[: request.limit]
    return Page(kept, keyset.cursor(kept[-1]))
