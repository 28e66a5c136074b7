"""Catalog entities: items (what is stocked) and locations (where it is stocked)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Self
from uuid import UUID

from domain import rules
from domain.errors import Conflict, ValidationFailed, VersionMismatch
from domain.lots import Tracking, tracking


class LocationKind(StrEnum):
    """What a location is; ``virtual`` is for in-transit or accounting places."""

    WAREHOUSE = "warehouse"
    STORE = "store"
    BIN = "bin"
    VIRTUAL = "virtual"


@dataclass(frozen=True, slots=True, kw_only=True)
class Versioned:
    """Fields every mutable catalog entity shares."""

    id: UUID
    archived: bool
    version: int
    created_at: datetime
    updated_at: datetime

    def check_version(self, expected: Collection[int] | None) -> None:
        """Refuse a change made against a stale version: unless ``expected`` is None (no
        If-Match, or ``*``), the current version must be one of those it names."""
        if expected is not None and self.version not in expected:
            raise VersionMismatch(
                f"the current version is {self.version}, not one that If-Match names",
                current_version=self.version,
            )

    def archive(self, now: datetime) -> Self:
        """Archive: it stays readable but takes no new stock."""
        return replace(self, archived=True, version=self.version + 1, updated_at=now)

    def ensure_active(self) -> None:
        """Refuse new stock or holds on an archived entity."""
        if self.archived:
            raise Conflict(f"{type(self).__name__.lower()} {self.id} is archived", id=str(self.id))


@dataclass(frozen=True, slots=True, kw_only=True)
class Item(Versioned):
    """A stocked thing, identified per org by a case-insensitive SKU."""

    sku: str
    name: str
    description: str | None
    unit: str
    reorder_point: int | None
    tracking: Tracking = Tracking.NONE

    @property
    def tracked(self) -> bool:
        """True when its stock is kept per lot (lots and serials)."""
        return self.tracking is not Tracking.NONE

    @classmethod
    def create(
        cls,
        *,
        id: UUID,
        sku: str,
        name: str,
        unit: str = "each",
        description: str | None = None,
        reorder_point: int | None = None,
        tracking: str = Tracking.NONE,
        now: datetime,
    ) -> Item:
        """A new, unarchived item at version 1."""
        return cls(
            id=id,
            sku=rules.code(sku, "sku"),
            name=rules.text(name, "name", rules.MAX_NAME),
            description=rules.optional_text(description, "description", rules.MAX_DESCRIPTION),
            unit=rules.text(unit, "unit", rules.MAX_UNIT),
            reorder_point=_reorder_point(reorder_point),
            tracking=_tracking(tracking),
            archived=False,
            version=1,
            created_at=now,
            updated_at=now,
        )

    def update(self, changes: ItemChanges, now: datetime) -> Item:
        """Apply the given changes (unset fields stay) and bump the version."""
        return replace(
            self,
            name=self.name
            if changes.name is None
            else rules.text(changes.name, "name", rules.MAX_NAME),
            description=(
                self.description
                if not changes.set_description
                else rules.optional_text(changes.description, "description", rules.MAX_DESCRIPTION)
            ),
            unit=self.unit
            if changes.unit is None
            else rules.text(changes.unit, "unit", rules.MAX_UNIT),
            reorder_point=(
                self.reorder_point
                if not changes.set_reorder_point
                else _reorder_point(changes.reorder_point)
            ),
            tracking=self.tracking if changes.tracking is None else _tracking(changes.tracking),
            version=self.version + 1,
            updated_at=now,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemChanges:
    """A partial update; nullable fields carry a ``set_*`` flag so null can be set explicitly."""

    name: str | None = None
    unit: str | None = None
    description: str | None = None
    set_description: bool = False
    reorder_point: int | None = None
    set_reorder_point: bool = False
    tracking: str | None = None  # changed only while the item holds no stock (the use case)


@dataclass(frozen=True, slots=True, kw_only=True)
class Location(Versioned):
    """A place stock is kept, identified per org by a case-insensitive code."""

    code: str
    name: str
    kind: LocationKind

    @classmethod
    def create(
        cls, *, id: UUID, code: str, name: str, kind: LocationKind, now: datetime
    ) -> Location:
        """A new, unarchived location at version 1."""
        return cls(
            id=id,
            code=rules.code(code, "code"),
            name=rules.text(name, "name", rules.MAX_NAME),
            kind=_kind(kind),
            archived=False,
            version=1,
            created_at=now,
            updated_at=now,
        )

    def update(self, *, name: str | None, kind: LocationKind | None, now: datetime) -> Location:
        """Rename or re-kind the location and bump the version."""
        return replace(
            self,
            name=self.name if name is None else rules.text(name, "name", rules.MAX_NAME),
            kind=self.kind if kind is None else _kind(kind),
            version=self.version + 1,
            updated_at=now,
        )


def _kind(value: str) -> LocationKind:
    try:
        return LocationKind(value)
    except ValueError:
        kinds = ", ".join(k.value for k in LocationKind)
        raise ValidationFailed(f"kind must be one of {kinds}", field="kind") from None


def _tracking(value: str) -> Tracking:
    return tracking(value)


def _reorder_point(value: int | None) -> int | None:
    return None if value is None else rules.non_negative(value, "reorder_point")
