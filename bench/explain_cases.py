"""The statements bench/explain.py explains: every list query as the adapter composes it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import psycopg

from adapters.postgres import (
    events,
    items,
    locations,
    lot_reads_sql,
    lot_sql,
    movements,
    stock,
    workflow_sql,
)
from adapters.postgres import reservation_sql as reservations
from application.ports import MovementFilter, StockFilter
from bench.explain_data import TARGET_ORG
from domain.movements import MovementType
from domain.reservations import ReservationStatus as S

NOW = datetime(2026, 9, 1, tzinfo=UTC)


def md5_uuid(text: str, conn: psycopg.Connection[Any]) -> Any:
    row = conn.execute("SELECT md5(%s)::uuid", [text]).fetchone()
    return row[0] if row else None


def _expired_held(conn: psycopg.Connection[Any]) -> str:
    """The statement inside expired_held (migration 0028), as the database holds it, with its
    arguments named like the cases' parameters: EXPLAIN does not look inside a function."""
    row = conn.execute("SELECT prosrc FROM pg_proc WHERE proname = 'expired_held'").fetchone()
    if row is None:
        raise RuntimeError("expired_held is missing: are the migrations applied?")
    body = str(row[0])
    for argument in ("org_id", "item_id", "location_id", "now"):
        body = re.sub(rf"\bp_{argument}\b", f"%({argument})s", body)
    return body


def cases(conn: psycopg.Connection[Any]) -> list[tuple[str, Any, dict[str, Any]]]:
    """(title, statement, parameters) for every list query and the hot point queries."""
    item = md5_uuid(f"{TARGET_ORG}i6000", conn)
    location = md5_uuid(f"{TARGET_ORG}l25", conn)
    mid = {"after_item": item, "after_location": location}
    base = {"item_id": item, "location_id": location, "now": NOW, "limit": 51}
    moved = {
        **base, "type": "transfer", "reference": "PO-2000",
        "since": datetime(2026, 1, 10, tzinfo=UTC), "until": datetime(2026, 1, 20, tzinfo=UTC),
        "after_created_at": datetime(2026, 1, 5, tzinfo=UTC), "after_id": item,
        "after_position": "1000",
    }  # fmt: skip
    held = {**base, "status": "released", "reference": "SO-5000", **moved}
    out: list[tuple[str, Any, dict[str, Any]]] = [
        ("items: first page", items.LIST_ITEMS, {"limit": 51}),
        ("items: after a cursor", items.LIST_ITEMS_AFTER, {"after": "sku-006000", "limit": 51}),
        ("locations: first page", locations.LIST_LOCATIONS, {"limit": 51}),
        ("locations: after a cursor", locations.LIST_LOCATIONS_AFTER, {"after": "loc-0025", "limit": 51}),
        ("stock level: get one", stock.GET_LEVEL, base),
        ("stock level: its expired holds (expired_held's statement)", _expired_held(conn), base),
    ]  # fmt: skip
    for name, filters in [
        ("no filter", StockFilter()),
        ("item_id", StockFilter(item_id=item)),
        ("location_id", StockFilter(location_id=location)),
        ("below_reorder_point", StockFilter(below_reorder_point=True)),
        ("item_id + location_id", StockFilter(item_id=item, location_id=location)),
    ]:
        for after in (False, True):
            title = f"stock levels: {name}{', after a cursor' if after else ''}"
            out.append((title, stock.list_query(filters, after), {**base, **mid}))
    for name, movement_filters in [
        ("no filter", MovementFilter()),
        ("item_id", MovementFilter(item_id=item)),
        ("location_id", MovementFilter(location_id=location)),
        ("type", MovementFilter(type=MovementType.TRANSFER)),
        ("reference", MovementFilter(reference="PO-2000")),
        ("since + until", MovementFilter(since=NOW, until=NOW)),
    ]:
        for after in (False, True):
            title = f"movements: {name}{', after a cursor' if after else ''}"
            out.append((title, movements.list_query(movement_filters, after), moved))
    for status in (None, S.ACTIVE, S.EXPIRED, S.RELEASED):
        for reference in (False, True):
            for after in (False, True):
                title = (
                    f"reservations: status={status and status.value}"
                    + (", reference" if reference else "")
                    + (", after a cursor" if after else "")
                )
                out.append((title, reservations.list_query(status, reference, after), held))
    out += _workflows_and_feed(conn, location)
    out += _lots(conn, location)
    keys = {"item_ids": [item], "location_ids": [location], "now": NOW}
    out.append(
        ("reservations: release expired holds at a level", reservations.RELEASE_EXPIRED_HOLDS, keys)
    )
    return out  # fmt: skip


def _workflows_and_feed(
    conn: psycopg.Connection[Any], location: Any
) -> list[tuple[str, Any, dict[str, Any]]]:
    """Transfers and count sessions under each list filter; the feed, whole and by type."""
    after = {"after_created_at": datetime(2026, 1, 10, tzinfo=UTC), "after_id": location}
    moved = {"status": "in_transit", "from_location_id": location, "to_location_id": location,
             "location_id": location, "limit": 51, **after}  # fmt: skip
    out: list[tuple[str, Any, dict[str, Any]]] = []
    for name, flags in [("no filter", (False, False, False)), ("status", (True, False, False)),
                        ("from_location_id", (False, True, False)),
                        ("to_location_id", (False, False, True))]:  # fmt: skip
        for paged in (False, True):
            title = f"transfers: {name}{', after a cursor' if paged else ''}"
            out.append((title, workflow_sql.transfer_list_query(*flags, paged), moved))
    for name, (status, at) in [("no filter", (False, False)), ("status", (True, False)),
                               ("location_id", (False, True))]:  # fmt: skip
        for paged in (False, True):
            title = f"count sessions: {name}{', after a cursor' if paged else ''}"
            counted = {**moved, "status": "open"}
            out.append((title, workflow_sql.count_list_query(status, at, paged), counted))
    row = conn.execute(
        "SELECT min(txid)::text FROM events WHERE org_id = %s", [TARGET_ORG]
    ).fetchone()
    middle = {"after_position": row[0] if row else "0", "after_seq": 0, "limit": 101}
    out.append(("events: the feed after a cursor", events.LIST_EVENTS, middle))
    out.append(("events: the feed of a rare type after a cursor", events.LIST_EVENTS_OF_TYPES,
                {**middle, "types": ["stock_level.low"]}))  # fmt: skip
    return out


def _lots(conn: psycopg.Connection[Any], location: Any) -> list[tuple[str, Any, dict[str, Any]]]:
    """Lots and lot positions under each list filter; a lot's stock; a page's expiry figures."""
    item = md5_uuid(f"{TARGET_ORG}i6000", conn)  # a tracked item (every tenth)
    lot = md5_uuid(f"{TARGET_ORG}lot6000-2", conn)
    params = {
        "item_id": item, "location_id": location, "expires_before": date(2026, 3, 1),
        "after": lot, "after_item": item, "after_location": location, "after_lot": lot,
        "id": lot, "now": NOW, "today": NOW.date(), "limit": 51,
        "item_ids": [item], "location_ids": [location],
    }  # fmt: skip
    out: list[tuple[str, Any, dict[str, Any]]] = [
        ("lots: one lot's stock", lot_reads_sql.LOT_STOCK, params),
        ("stock levels: expiry figures of a page's tracked levels", lot_sql.EXPIRED_FIGURES, params),
    ]  # fmt: skip
    for name, (by_item, before) in [("no filter", (False, False)), ("item_id", (True, False)),
                                    ("expires_before", (False, True))]:  # fmt: skip
        for paged in (False, True):
            title = f"lots: {name}{', after a cursor' if paged else ''}"
            out.append((title, lot_reads_sql.list_lots(by_item, before, paged), params))
    for name, (by_item, at) in [("no filter", (False, False)), ("item_id", (True, False)),
                                ("location_id", (False, True))]:  # fmt: skip
        for paged in (False, True):
            title = f"lot positions (?by=lot): {name}{', after a cursor' if paged else ''}"
            out.append((title, lot_reads_sql.list_lot_levels(by_item, at, paged), params))
    return out
