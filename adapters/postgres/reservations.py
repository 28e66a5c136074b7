"""Reservations of one org, stored as last saved."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import sql

from adapters.postgres.cursors import time_part, uuid_part
from adapters.postgres.repository import Repository, Rows
from adapters.postgres.reservation_sql import (
    GET_RESERVATION,
    GET_RESERVATION_FOR_UPDATE,
    INSERT_RESERVATION,
    RELEASE_EXPIRED_HOLDS,
    SAVE_RESERVATION,
    SELECT_LINES,
    SELECT_LINES_FOR_UPDATE,
    list_query,
    reservation_from_row,
)
from application.pagination import PageRequest
from application.ports import ExpiredHolds, ReservationFilter, Reservations
from domain.reservations import Reservation
from domain.stock import LevelKey


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


_ReservationList = list[Reservation]


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

    async def save(self, reservation: Reservation) -> None:
        self._defer(SAVE_RESERVATION, _params(reservation))

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
        for row in rows:
            key = LevelKey(row["item_id"], row["location_id"])
            released[key] = released.get(key, 0) + row["open"]
            lines.append((row["reservation_id"], key, row["open"]))
        ids = tuple(dict.fromkeys(row["reservation_id"] for row in rows))
        return ExpiredHolds(released, ids, tuple(lines))

    async def _with_lines(self, rows: Rows, lines_query: sql.SQL) -> _ReservationList:
        if not rows:
            return []
        lines: dict[UUID, Rows] = {row["id"]: [] for row in rows}
        for line in await self._all(lines_query, {"ids": list(lines)}):
            lines[line["reservation_id"]].append(line)
        return [reservation_from_row(row, lines[row["id"]]) for row in rows]
