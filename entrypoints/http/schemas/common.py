"""Shared schema pieces: strict quantities, bounded text, UTC timestamps, list envelopes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StrictInt

from domain import rules

T = TypeVar("T")

# PostgreSQL text cannot hold NUL, so no text field accepts it.
_NO_NUL = r"^[^\x00]*$"


def text(max_length: int, *, min_length: int = 0) -> Any:
    """Field constraints for free text of at most ``max_length`` characters."""
    return Field(min_length=min_length, max_length=max_length, pattern=_NO_NUL)


Name = Annotated[str, text(rules.MAX_NAME, min_length=1)]
Unit = Annotated[str, text(rules.MAX_UNIT, min_length=1)]
Description = Annotated[str, text(rules.MAX_DESCRIPTION)]
Reference = Annotated[str, text(rules.MAX_REFERENCE)]
Note = Annotated[str, text(rules.MAX_NOTE)]
Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]{1,64}$", examples=["WIDGET-1"])]

# Strict: "5", 5.0 and true are refused, not coerced.
Quantity = Annotated[StrictInt, Field(gt=0, le=rules.MAX_QUANTITY, examples=[5])]
Count = Annotated[StrictInt, Field(ge=0, le=rules.MAX_QUANTITY, examples=[12])]
ReorderPoint = Annotated[StrictInt, Field(ge=0, le=rules.MAX_QUANTITY, examples=[10])]

# Timestamps always leave as RFC 3339 in UTC, whatever zone the database session used.
Timestamp = Annotated[
    datetime,
    PlainSerializer(lambda moment: moment.astimezone(UTC), return_type=datetime),
]


class Request(BaseModel):
    """Base of request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class ListPage(BaseModel, Generic[T]):
    """One page of a list, oldest-stable keyset order; pass ``next_cursor`` to get the next."""

    items: list[T]
    next_cursor: str | None = Field(
        description="Opaque cursor of the next page; null on the last page."
    )
