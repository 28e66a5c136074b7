"""Count session bodies: open, record counts; the session as the caller may see it."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application.use_cases.open_count import OpenCount
from application.use_cases.record_counts import RecordCounts
from domain import counts
from domain.counts import MAX_LINES, CountStatus
from entrypoints.http.schemas.common import Count, ListPage, Reference, Request, Timestamp
from entrypoints.http.schemas.movements import LotFields

_ITEM = "0b8f6a39-2c56-4a53-9d1e-6d1a3c1b2f10"
_LOCATION = "5d3c2b1a-0f9e-4d8c-8b7a-6a5f4e3d2c1b"


class CountCreate(Request):
    """The location to count, and which items (absent: every item there)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"location_id": _LOCATION, "blind": True, "reference": "CC-2026-03"}]
        }
    )

    location_id: UUID
    item_ids: list[UUID] | None = Field(None, min_length=1, max_length=MAX_LINES)
    blind: bool = Field(False, description="Hide the expected figures from members.")
    reference: Reference | None = None

    def to_command(self) -> OpenCount:
        """The use case command for this body."""
        return OpenCount(
            location_id=self.location_id,
            item_ids=None if self.item_ids is None else tuple(self.item_ids),
            blind=self.blind,
            reference=self.reference,
        )


class ItemCount(LotFields):
    """What was counted of an item; of a lot-tracked item, of the lot named (`lot_code` or
    `lot_id`; a new lot needs its `expires_on`)."""

    item_id: UUID
    counted: Count


class CountLinesPut(Request):
    """Counted quantities; each replaces the item's earlier count in this session."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"lines": [{"item_id": _ITEM, "counted": 9}]}]}
    )

    lines: list[ItemCount] = Field(min_length=1, max_length=MAX_LINES)

    def to_command(
        self, session_id: UUID, expected_versions: frozenset[int] | None
    ) -> RecordCounts:
        """The use case command for this body."""
        return RecordCounts(
            session_id=session_id,
            lines=tuple(counts.ItemCount(x.item_id, x.counted, x.lot()) for x in self.lines),
            expected_versions=expected_versions,
        )


class CountLine(BaseModel):
    """An item of the count: what the books expected at the snapshot (null when hidden from
    the caller) and what was counted (null until counted)."""

    item_id: UUID
    lot_id: UUID | None = Field(None, description="Lot-tracked items: the lot counted.")
    lot_code: str | None = Field(None, examples=["L-2026-11"])
    expected: int | None = Field(examples=[10])
    counted: int | None = Field(examples=[9])
    counted_by: str | None
    counted_at: Timestamp | None


class CountSession(BaseModel):
    """A count of one location: `open` until `posted` (one `count` movement, `movement_id`)
    or `cancelled`."""

    id: UUID
    location_id: UUID
    status: CountStatus
    blind: bool
    listed: bool = Field(description="Whether it counts listed items only (else all there).")
    reference: str | None
    created_by: str = Field(description="User id from the token that opened it.")
    movement_id: UUID | None = Field(description="The `count` movement, once posted.")
    version: int
    created_at: Timestamp
    updated_at: Timestamp
    lines: list[CountLine]

    @classmethod
    def of(cls, session: counts.CountSession, *, show_expected: bool) -> CountSession:
        """The response body for a domain session, with or without the expected figures."""
        return cls(
            id=session.id,
            location_id=session.location_id,
            status=session.status,
            blind=session.blind,
            listed=session.listed,
            reference=session.reference,
            created_by=session.created_by,
            movement_id=session.movement_id,
            version=session.version,
            created_at=session.created_at,
            updated_at=session.updated_at,
            lines=[
                CountLine(
                    item_id=line.item_id,
                    lot_id=line.lot_id,
                    lot_code=line.lot_code,
                    expected=line.expected if show_expected else None,
                    counted=line.counted,
                    counted_by=line.counted_by,
                    counted_at=line.counted_at,
                )
                for line in session.lines
            ],
        )


class CountPage(ListPage[CountSession]):
    """A page of count sessions, oldest first."""
