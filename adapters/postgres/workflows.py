"""Transfers and count sessions of one org, stored as last saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from psycopg import sql

from adapters.postgres.cursors import time_part, uuid_part
from adapters.postgres.repository import Repository, Row, Rows
from adapters.postgres.transfer_lot_sql import (
    INSERT_TRANSFER_LOTS,
    SAVE_TRANSFER_LOTS,
    TRANSFER_LOT_LINES,
    has_lots,
    lot_params,
    transit_lot_from_row,
)
from adapters.postgres.workflow_sql import (
    COUNT_LINES,
    GET_COUNT,
    GET_COUNT_FOR_UPDATE,
    GET_TRANSFER,
    GET_TRANSFER_FOR_UPDATE,
    INSERT_COUNT,
    INSERT_TRANSFER,
    SAVE_COUNT,
    SAVE_TRANSFER,
    TRANSFER_LINES,
    TRANSFER_LINES_FOR_UPDATE,
    count_from_row,
    count_list_query,
    transfer_from_row,
    transfer_list_query,
)
from application.pagination import PageRequest
from application.workflow_ports import CountFilter, CountSessions, TransferFilter, Transfers
from domain.counts import CountSession
from domain.transfers import Transfer
from domain.transit_lots import TransitLot

T = TypeVar("T")
_TransferList = list[Transfer]


def _transfer_params(transfer: Transfer) -> dict[str, Any]:
    lines = transfer.lines
    return {
        "id": transfer.id,
        "from_location_id": transfer.from_location_id,
        "to_location_id": transfer.to_location_id,
        "reference": transfer.reference,
        "note": transfer.note,
        "status": transfer.status.value,
        "created_by": transfer.created_by,
        "created_at": transfer.created_at,
        "updated_at": transfer.updated_at,
        "version": transfer.version,
        "item_ids": [line.item_id for line in lines],
        "shipped": [line.shipped for line in lines],
        "received": [line.received for line in lines],
        "cancelled": [line.cancelled for line in lines],
    }


def _count_params(session: CountSession) -> dict[str, Any]:
    lines = session.lines
    return {
        "id": session.id,
        "location_id": session.location_id,
        "status": session.status.value,
        "blind": session.blind,
        "listed": session.listed,
        "reference": session.reference,
        "created_by": session.created_by,
        "created_at": session.created_at,
        "updated_at": session.updated_at,
        "version": session.version,
        "movement_id": session.movement_id,
        "item_ids": [line.item_id for line in lines],
        "expected": [line.expected for line in lines],
        "counted": [line.counted for line in lines],
        "counted_by": [line.counted_by for line in lines],
        "counted_at": [line.counted_at for line in lines],
        "lot_ids": [line.lot_id for line in lines],
        "lot_codes": [line.lot_code for line in lines],
    }


def _page_params(page: PageRequest) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": page.limit + 1}
    if page.after is not None:
        params["after_created_at"] = time_part(page.after[0])
        params["after_id"] = uuid_part(page.after[1])
    return params


class _Documents(Repository):
    """Rows with lines: read the rows, then every row's lines in one statement."""

    async def _read(
        self,
        rows: Rows,
        lines_query: sql.SQL,
        owner: str,
        build: Callable[[Row, list[Row]], T],
    ) -> list[T]:
        if not rows:
            return []
        lines: dict[UUID, Rows] = {row["id"]: [] for row in rows}
        for line in await self._all(lines_query, {"ids": list(lines)}):
            lines[line[owner]].append(line)
        return [build(row, lines[row["id"]]) for row in rows]


class PostgresTransfers(_Documents, Transfers):
    """Transfers of one org; ``get(for_update=True)`` locks the row, then its lines (the
    lot rows of its lines change only under the row's lock, ADR 0034)."""

    async def add(self, transfer: Transfer) -> None:
        # Deferred: it travels with the level updates that follow (one round trip fewer).
        self._defer(INSERT_TRANSFER, _transfer_params(transfer))
        if has_lots(transfer):
            self._defer(INSERT_TRANSFER_LOTS, lot_params(transfer))

    async def add_lots(self, transfer: Transfer) -> None:
        self._defer(INSERT_TRANSFER_LOTS, lot_params(transfer))

    async def get(self, transfer_id: UUID, *, for_update: bool = False) -> Transfer | None:
        query = GET_TRANSFER_FOR_UPDATE if for_update else GET_TRANSFER
        lines = TRANSFER_LINES_FOR_UPDATE if for_update else TRANSFER_LINES
        rows = await self._all(query, {"id": transfer_id})
        found = await self._transfers(rows, lines)
        return found[0] if found else None

    async def save(self, transfer: Transfer) -> None:
        self._defer(SAVE_TRANSFER, _transfer_params(transfer))
        if has_lots(transfer):
            self._defer(SAVE_TRANSFER_LOTS, lot_params(transfer))

    async def list(self, filters: TransferFilter, page: PageRequest) -> list[Transfer]:
        params = {
            "status": None if filters.status is None else filters.status.value,
            "from_location_id": filters.from_location_id,
            "to_location_id": filters.to_location_id,
            **_page_params(page),
        }
        query = transfer_list_query(
            filters.status is not None,
            filters.from_location_id is not None,
            filters.to_location_id is not None,
            page.after is not None,
        )
        rows = await self._all(query, params)
        return await self._transfers(rows, TRANSFER_LINES)

    async def _transfers(self, rows: Rows, lines_query: sql.SQL) -> _TransferList:
        # The lines carry a flag: only transfers with a line in lots read their lot rows.
        flagged: set[UUID] = set()

        def keep(row: Row, lines: list[Row]) -> tuple[Row, list[Row]]:
            if any(line["lots"] for line in lines):
                flagged.add(row["id"])
            return row, lines

        read = await self._read(rows, lines_query, "transfer_id", keep)
        lots: dict[UUID, dict[UUID, list[TransitLot]]] = {}
        if flagged:
            for lot_row in await self._all(TRANSFER_LOT_LINES, {"ids": sorted(flagged)}):
                by_item = lots.setdefault(lot_row["transfer_id"], {})
                by_item.setdefault(lot_row["line_item_id"], []).append(
                    transit_lot_from_row(lot_row)
                )
        return [transfer_from_row(row, lines, lots.get(row["id"])) for row, lines in read]


class PostgresCountSessions(_Documents, CountSessions):
    """Count sessions of one org; ``get(for_update=True)`` locks the session's row, under
    which alone its lines change."""

    async def add(self, session: CountSession) -> None:
        self._defer(INSERT_COUNT, _count_params(session))

    async def get(self, session_id: UUID, *, for_update: bool = False) -> CountSession | None:
        query = GET_COUNT_FOR_UPDATE if for_update else GET_COUNT
        rows = await self._all(query, {"id": session_id})
        found = await self._read(rows, COUNT_LINES, "session_id", count_from_row)
        return found[0] if found else None

    async def save(self, session: CountSession) -> None:
        self._defer(SAVE_COUNT, _count_params(session))

    async def list(self, filters: CountFilter, page: PageRequest) -> list[CountSession]:
        params = {
            "status": None if filters.status is None else filters.status.value,
            "location_id": filters.location_id,
            **_page_params(page),
        }
        query = count_list_query(
            filters.status is not None, filters.location_id is not None, page.after is not None
        )
        rows = await self._all(query, params)
        return await self._read(rows, COUNT_LINES, "session_id", count_from_row)
