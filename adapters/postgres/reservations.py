"""Reservations of one org, stored as last saved."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import sql

from adapters.postgres.cursors import time_part, uuid_part
from adapters.postgres.items import SELECT_ITEMS, item_from_row
from adapters.postgres.locations import SELECT_LOCATIONS, location_from_row
from adapters.postgres.repository import Repository, Row, Rows, Statement, compiled, utc
from adapters.postgres.reservation_sql import (
    GET_RESERVATION,
    GET_RESERVATION_FOR_UPDATE,
    INSERT_LOT_LINES,
    INSERT_RESERVATION,
    RELEASE_EXPIRED_HOLDS,
    RESERVE_AND_ANNOUNCE,
    RESERVE_FIRST,
    SAVE_LOT_LINES,
    SAVE_RESERVATION,
    SELECT_LINES,
    SELECT_LINES_FOR_UPDATE,
    SELECT_LOT_LINES,
    list_query,
    reservation_from_row,
)
from adapters.postgres.stock import level_from_row
from adapters.postgres.wire import Fetch, generic_plan
from application.pagination import PageRequest
from application.ports import ExpiredHolds, FirstHold, LevelChange, ReservationFilter, Reservations
from domain.lot_holds import LotHold
from domain.lots import Lot
from domain.reservations import Reservation
from domain.stock import LevelKey

# The first flight looks every row up by its key (one item, one location, one level): the
# same plans for any org, so they run on their generic plans when the flight commits (ADR 0039).
_ITEMS_BY_KEY = generic_plan(compiled(SELECT_ITEMS))
_LOCATIONS_BY_KEY = generic_plan(compiled(SELECT_LOCATIONS))
_RESERVE_BY_KEY = generic_plan(compiled(RESERVE_FIRST))
_RESERVE_AND_ANNOUNCE_BY_KEY = generic_plan(compiled(RESERVE_AND_ANNOUNCE))


def _params(reservation: Reservation) -> dict[str, Any]:
    lines = reservation.lines
    return {
        "id": reservation.id,
        "reference": reservation.reference,
        "status": reservation.status.value,
        "expires_at": reservation.expires_at,
        "created_by": reservation.created_by,
        "created_at": reservation.created_at,
        "updated_at": reservation.updated_at,
        "version": reservation.version,
        "item_ids": [line.item_id for line in lines],
        "location_ids": [line.location_id for line in lines],
        "quantities": [line.quantity for line in lines],
        "fulfilled": [line.fulfilled for line in lines],
        "released": [line.released for line in lines],
    }


def _lot_params(reservation: Reservation) -> dict[str, Any]:
    """The lot lines of the lines held in lots, ``seq`` numbering each line's from 1."""
    held = [line for line in reservation.lines if line.lots]
    parts = [(line, seq, part) for line in held for seq, part in enumerate(line.lots, start=1)]
    return {
        "id": reservation.id,
        "item_ids": [line.item_id for line in held],
        "location_ids": [line.location_id for line in held],
        "lot_item_ids": [line.item_id for line, _, _ in parts],
        "lot_location_ids": [line.location_id for line, _, _ in parts],
        "seqs": [seq for _, seq, _ in parts],
        "lot_ids": [part.lot.id for _, _, part in parts],
        "lot_quantities": [part.quantity for _, _, part in parts],
        "lot_fulfilled": [part.fulfilled for _, _, part in parts],
        "lot_released": [part.released for _, _, part in parts],
    }


def _lot_holds(key: LevelKey, row: Row) -> tuple[LotHold, ...]:
    return tuple(
        LotHold(
            Lot(
                id=lot_id,
                item_id=key.item_id,
                code=code,
                expires_on=expires_on,
                created_at=utc(created_at),
            ),
            open_,
        )
        for lot_id, open_, code, expires_on, created_at in zip(
            row["lot_ids"],
            row["lot_opens"],
            row["lot_codes"],
            row["lot_expiries"],
            row["lot_created"],
            strict=True,
        )
    )


def first_hold(reservation: Reservation, results: Sequence[Any]) -> FirstHold:
    """What ``first_flight``'s statements found and did."""
    (line,) = reservation.lines
    items, locations, row = results
    change = None
    if row is not None:
        change = LevelChange(level_from_row(row, line.key), row["on_hand"] - row["previous"])
    return FirstHold(
        {r["id"]: item_from_row(r) for r in items},
        {r["id"]: location_from_row(r) for r in locations},
        change,
    )


def _held_in_lots(reservation: Reservation) -> bool:
    return any(line.lots for line in reservation.lines)


_ReservationList = list[Reservation]
_Flight = list[tuple[Statement, dict[str, Any], Fetch]]


_FIRST_FIELDS = (
    "id",
    "reference",
    "status",
    "expires_at",
    "created_by",
    "created_at",
    "updated_at",
    "version",
)
_SAVED_LOT_FIELDS = (
    "id",
    "lot_item_ids",
    "lot_location_ids",
    "seqs",
    "lot_fulfilled",
    "lot_released",
)


class PostgresReservations(Repository, Reservations):
    """Reservations of one org; ``get(for_update=True)`` locks the row, then its lines."""

    async def add(self, reservation: Reservation) -> None:
        # Deferred: it travels with the level updates that follow (one round trip fewer).
        self._defer(INSERT_RESERVATION, _params(reservation))

    async def get(self, reservation_id: UUID, *, for_update: bool = False) -> Reservation | None:
        query = GET_RESERVATION_FOR_UPDATE if for_update else GET_RESERVATION
        rows = await self._all(query, {"id": reservation_id})
        found = await self._with_lines(
            rows, SELECT_LINES_FOR_UPDATE if for_update else SELECT_LINES
        )
        return found[0] if found else None

    async def add_lots(self, reservation: Reservation) -> None:
        if _held_in_lots(reservation):  # deferred too: it rides with the commit
            self._defer(INSERT_LOT_LINES, _lot_params(reservation))

    async def save(self, reservation: Reservation) -> None:
        self._defer(SAVE_RESERVATION, _params(reservation))
        if _held_in_lots(reservation):
            lots = _lot_params(reservation)
            self._defer(SAVE_LOT_LINES, {k: lots[k] for k in _SAVED_LOT_FIELDS})

    async def list(
        self, filters: ReservationFilter, page: PageRequest, now: datetime
    ) -> list[Reservation]:
        params: dict[str, Any] = {
            "status": None if filters.status is None else filters.status.value,
            "reference": filters.reference,
            "now": now,
            "limit": page.limit + 1,
        }
        if page.after is not None:
            params["after_created_at"] = time_part(page.after[0])
            params["after_id"] = uuid_part(page.after[1])
        query = list_query(filters.status, filters.reference is not None, page.after is not None)
        return await self._with_lines(await self._all(query, params), SELECT_LINES)

    async def add_and_reserve(self, reservation: Reservation, now: datetime) -> FirstHold:
        # One flight: the catalog reads (held FOR KEY SHARE, as get_many), then the statement
        # that reserves and, only if it did, adds the reservation (ADR 0035).
        results = await self._session.execute_many(self.first_flight(reservation, now))
        return first_hold(reservation, results)

    def first_flight(
        self, reservation: Reservation, now: datetime, announce: dict[str, Any] | None = None
    ) -> _Flight:
        """``add_and_reserve``'s statements; with ``announce`` (reservation_events.py), the
        reserving one writes the reservation's events too (ADR 0036)."""
        (line,) = reservation.lines
        params = _params(reservation)
        first = {
            **{k: params[k] for k in _FIRST_FIELDS},
            "item_id": line.item_id,
            "location_id": line.location_id,
            "quantity": line.quantity,
            "fulfilled": line.fulfilled,
            "released": line.released,
            "now": now,
        }
        if announce is not None:
            first.update(announce)
        return [
            (_ITEMS_BY_KEY, self._params({"ids": [line.item_id]}), "all"),
            (_LOCATIONS_BY_KEY, self._params({"ids": [line.location_id]}), "all"),
            (
                _RESERVE_BY_KEY if announce is None else _RESERVE_AND_ANNOUNCE_BY_KEY,
                self._params(first),
                "one",
            ),
        ]

    async def release_expired_holds(self, keys: Sequence[LevelKey], now: datetime) -> ExpiredHolds:
        rows = await self._all(
            RELEASE_EXPIRED_HOLDS,
            {
                "item_ids": [key.item_id for key in keys],
                "location_ids": [key.location_id for key in keys],
                "now": now,
            },
        )
        released: dict[LevelKey, int] = {}
        lines = []
        lots = []
        for row in rows:
            key = LevelKey(row["item_id"], row["location_id"])
            released[key] = released.get(key, 0) + row["open"]
            lines.append((row["reservation_id"], key, row["open"]))
            if row["lot_ids"]:  # a line held in lots: what each lot held, in pick order
                lots.append((row["reservation_id"], key, _lot_holds(key, row)))
        ids = tuple(dict.fromkeys(row["reservation_id"] for row in rows))
        return ExpiredHolds(released, ids, tuple(lines), tuple(lots))

    async def _with_lines(self, rows: Rows, lines_query: sql.SQL) -> _ReservationList:
        if not rows:
            return []
        lines: dict[UUID, Rows] = {row["id"]: [] for row in rows}
        for line in await self._all(lines_query, {"ids": list(lines)}):
            lines[line["reservation_id"]].append(line)
        # One statement more only when a line is held in lots (ADR 0031).
        lots: dict[UUID, Rows] = {}
        held = [rid for rid, found in lines.items() if any(line["lots"] for line in found)]
        if held:
            for part in await self._all(SELECT_LOT_LINES, {"ids": held}):
                lots.setdefault(part["reservation_id"], []).append(part)
        return [
            reservation_from_row(row, lines[row["id"]], lots.get(row["id"], ())) for row in rows
        ]
