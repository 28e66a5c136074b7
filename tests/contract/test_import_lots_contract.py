"""The bulk import of lot-tracked items (ADR 0033) on both backends: each row names its lot,
new lots are created with their date, every bad row is reported and nothing is applied."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from adapters.clock import ManualClock
from application.importing import ImportMode, ImportResult, ImportStock, ImportStockHandler
from application.importing import StockImporter as Importer
from application.pagination import PageRequest
from application.ports import MovementFilter
from application.principal import Principal
from application.use_cases.base import Deps
from application.use_cases.create_reservation import CreateReservation, CreateReservationHandler
from application.use_cases.ship_transfer import ShipTransfer, ShipTransferHandler
from domain.events import EventType
from domain.movements import LotRef
from domain.reservations import LineQuantity
from domain.transfers import ItemQuantity
from tests.contract import builders
from tests.contract.feed import read_all
from tests.contract.lot_builders import by_code, level, lot_levels, receive

HEADER = "sku,location_code,quantity,lot,expires_on\n"
LATER = date(2099, 6, 1)


class Catalog:
    """Item LOT-A tracks lots, SKU-B does not; locations MAIN and SIDE."""

    def __init__(self, deps: Deps, importer: Importer, who: Principal) -> None:
        self.deps, self.importer, self.who = deps, importer, who
        self.ids: dict[str, Any] = {}

    async def create(self) -> Catalog:
        self.ids = {
            "A": await builders.item(self.deps, self.who, "LOT-A", tracking="lot"),
            "B": await builders.item(self.deps, self.who, "SKU-B"),
            "main": await builders.location(self.deps, self.who, "MAIN"),
            "side": await builders.location(self.deps, self.who, "SIDE"),
        }
        return self

    async def run(self, text: str, mode: ImportMode = ImportMode.RECEIPT) -> ImportResult:
        handler = ImportStockHandler(self.importer, self.deps.clock, self.deps.ids)
        command = ImportStock(lines=text.splitlines(keepends=True), mode=mode)
        return await handler(self.who, command)

    async def on_hand(self, item: str, place: str) -> int:
        found = await level(self.deps, self.who, self.ids[item].id, self.ids[place].id)
        return found.on_hand

    async def ledger(self) -> list[list[tuple[str, str, int, int, str | None]]]:
        names = {v.id: k for k, v in self.ids.items()}
        assert self.who.org_id is not None
        async with self.deps.uow(self.who.org_id) as uow:
            entries = await uow.movements.list(MovementFilter(), PageRequest(limit=50))
        return [
            [
                (names[ln.item_id], names[ln.location_id], ln.delta, ln.on_hand_after, ln.lot_code)
                for ln in entry.movement.lines
            ]
            for entry in entries
        ]


@pytest.fixture
async def catalog(deps: Deps, importer: Importer, admin: Principal) -> Catalog:
    return await Catalog(deps, importer, admin).create()


async def test_a_receipt_puts_each_row_in_its_lot_and_creates_new_lots(
    catalog: Catalog,
) -> None:
    result = await catalog.run(
        HEADER
        + "SKU-B,MAIN,4,,\n"
        + "LOT-A,MAIN,5,L1,2099-03-01\n"
        + "lot-a,main,2,l1,\n"
        + "LOT-A,SIDE,3,L2,2099-02-01\n"
    )

    assert result.problems == []
    assert result.summary is not None
    assert (result.summary.lines, result.summary.levels) == (4, 3)
    assert by_code(await lot_levels(catalog.deps, catalog.who, catalog.ids["A"].id)) == {
        "L1": (7, 7),
        "L2": (3, 3),
    }
    assert (await catalog.on_hand("A", "main"), await catalog.on_hand("A", "side")) == (7, 3)
    assert await catalog.on_hand("B", "main") == 4
    assert await catalog.ledger() == [
        [
            ("B", "main", 4, 4, None),
            ("A", "main", 5, 5, "L1"),
            ("A", "main", 2, 7, "L1"),
            ("A", "side", 3, 3, "L2"),
        ]
    ]


async def test_a_file_without_lot_columns_keeps_working_for_untracked_items(
    catalog: Catalog,
) -> None:
    result = await catalog.run("sku,location_code,quantity\nSKU-B,MAIN,4\nLOT-A,MAIN,1\n")

    assert [(p.line, p.message) for p in result.problems] == [
        (3, "item 'LOT-A' is lot-tracked: name its lot (lot and expires_on columns)")
    ]
    assert await catalog.ledger() == []


async def test_bad_lot_rows_are_reported_by_line_and_nothing_is_applied(
    catalog: Catalog,
) -> None:
    await receive(catalog.deps, catalog.who, catalog.ids["A"].id, catalog.ids["main"].id,
                  {"OLD": (1, LATER)})  # fmt: skip

    result = await catalog.run(
        HEADER
        + "LOT-A,MAIN,5,,\n"
        + "SKU-B,MAIN,5,X1,2099-01-01\n"
        + "LOT-A,MAIN,5,NEW,\n"
        + "LOT-A,MAIN,5,old,2099-12-31\n"
        + "LOT-A,MAIN,5,L9,2099-13-01\n"
        + "LOT-A,MAIN,5,OLD,\n"
        + "LOT-A,MAIN,5,TWO,2099-01-01\n"
        + "LOT-A,SIDE,5,two,2099-01-02\n"
    )

    assert result.summary is None
    assert [(p.line, p.message) for p in result.problems] == [
        (2, "item 'LOT-A' is lot-tracked: name its lot (lot and expires_on columns)"),
        (3, "item 'SKU-B' does not track lots: leave its lot empty"),
        (4, "lot 'NEW' is new: give its expires_on"),
        (5, "lot 'OLD' expires on 2099-06-01, not 2099-12-31"),
        (6, "expires_on '2099-13-01' is not a date (YYYY-MM-DD)"),
        (9, "lot 'two' expires on 2099-01-01, not 2099-01-02"),
    ]
    assert await catalog.on_hand("A", "main") == 1
    assert by_code(await lot_levels(catalog.deps, catalog.who, catalog.ids["A"].id)) == {
        "OLD": (1, 1)
    }


async def test_a_count_sets_each_lots_on_hand_and_refuses_duplicates(
    catalog: Catalog,
) -> None:
    await receive(catalog.deps, catalog.who, catalog.ids["A"].id, catalog.ids["main"].id,
                  {"OLD": (5, LATER)})  # fmt: skip

    refused = await catalog.run(HEADER + "LOT-A,MAIN,2,OLD,\nlot-a,main,1,old,\n", ImportMode.COUNT)
    counted = await catalog.run(
        HEADER + "LOT-A,MAIN,2,OLD,\nLOT-A,MAIN,3,NEW,2099-01-01\n", ImportMode.COUNT
    )

    assert [(p.line, p.message.split(" (")[0]) for p in refused.problems] == [
        (3, "duplicate of line 2")
    ]
    assert counted.problems == []
    assert by_code(await lot_levels(catalog.deps, catalog.who, catalog.ids["A"].id)) == {
        "OLD": (2, 2),
        "NEW": (3, 3),
    }
    assert await catalog.on_hand("A", "main") == 5
    assert (await catalog.ledger())[-1] == [
        ("A", "main", -3, 2, "OLD"),
        ("A", "main", 3, 5, "NEW"),
    ]


async def test_serials_are_imported_one_unit_each_across_the_org(catalog: Catalog) -> None:
    serial = await builders.item(catalog.deps, catalog.who, "SER", tracking="serial")
    catalog.ids["S"] = serial
    await receive(catalog.deps, catalog.who, serial.id, catalog.ids["main"].id,
                  {"SN-1": (1, LATER)})  # fmt: skip

    refused = await catalog.run(
        HEADER
        + "SER,SIDE,1,sn-1,\n"  # SN-1 already holds its unit at MAIN
        + "SER,MAIN,1,SN-2,2099-01-01\n"
        + "SER,SIDE,1,sn-2,\n"  # a new serial named twice in one file
        + "SER,MAIN,1,SN-3,2099-01-01\n"
        + "SER,MAIN,2,SN-4,2099-01-01\n"
        + "SER,MAIN,1,SN-5,\n"  # another problem first: the serial rule skips it
    )
    assert refused.summary is None
    assert [(p.line, p.message) for p in refused.problems] == [
        (2, "serial 'SN-1' would hold 2 units across the org; a serial holds at most one"),
        (3, "serial 'SN-2' would hold 2 units across the org; a serial holds at most one"),
        (4, "serial 'SN-2' would hold 2 units across the org; a serial holds at most one"),
        (6, "serial 'SN-4' would hold 2 units across the org; a serial holds at most one"),
        (7, "lot 'SN-5' is new: give its expires_on"),
    ]
    assert by_code(await lot_levels(catalog.deps, catalog.who, serial.id)) == {"SN-1": (1, 1)}

    received = await catalog.run(
        HEADER + "SER,MAIN,1,SN-2,2099-01-01\nSER,SIDE,1,SN-3,2099-01-01\n"
    )
    assert received.problems == []
    # A count may move a serial's unit: gone from MAIN, found at SIDE, in one file.
    moved = await catalog.run(HEADER + "SER,MAIN,0,SN-1,\nSER,SIDE,1,SN-1,\n", ImportMode.COUNT)
    assert moved.problems == []
    doubled = await catalog.run(HEADER + "SER,SIDE,1,SN-2,\n", ImportMode.COUNT)
    assert [(p.line, p.message.split(";")[0]) for p in doubled.problems] == [
        (2, "serial 'SN-2' would hold 2 units across the org")
    ]
    levels = await lot_levels(catalog.deps, catalog.who, serial.id)
    assert sorted((r.position.lot.code, r.position.on_hand) for r in levels.items) == [
        ("SN-1", 0), ("SN-1", 1), ("SN-2", 1), ("SN-3", 1)
    ]  # fmt: skip


async def test_an_import_announces_its_document_and_every_level_it_changed(
    catalog: Catalog,
) -> None:
    # Both adapters build the events with the rule every other write uses (ADR 0021):
    # stock_level.changed per level in (item, location) order, with the signals it crossed.
    a, b, main, side = (catalog.ids[k] for k in ("A", "B", "main", "side"))
    await receive(catalog.deps, catalog.who, a.id, main.id, {"OLD": (2, LATER)})
    _, after = await read_all(catalog.deps, catalog.who)

    counted = await catalog.run(
        HEADER
        + "SKU-B,SIDE,4,,\nLOT-A,MAIN,1,OLD,\nSKU-B,SIDE,3,,\n"
        + "LOT-A,MAIN,5,NEW,2099-01-01\n",
        ImportMode.RECEIPT,
    )
    assert counted.summary is not None
    events, _ = await read_all(catalog.deps, catalog.who, after)

    posted, *levels = events
    assert posted.type is EventType.MOVEMENT_POSTED
    assert posted.subject_id == str(counted.summary.movement_id)
    assert (posted.data["lines"], posted.data["line_count"]) == (None, 4)
    expected = sorted(
        [(a.id, main.id, (8, 8, 3), [EventType.STOCK_LEVEL_CHANGED]),
         (b.id, side.id, (7, 7, 2),
          [EventType.STOCK_LEVEL_CHANGED, EventType.STOCK_LEVEL_RESTOCKED])]
    )  # fmt: skip
    seen: list[tuple[Any, Any, Any, list[EventType]]] = []
    for event in levels:
        if event.type is EventType.STOCK_LEVEL_CHANGED:
            data = event.data
            seen.append((UUID(str(data["item_id"])), UUID(str(data["location_id"])),
                         (data["on_hand"], data["available"], data["version"]),
                         [event.type]))  # fmt: skip
            assert data["cause"] == {"movement_id": str(counted.summary.movement_id)}
        else:
            seen[-1][3].append(event.type)
    assert seen == expected


async def test_an_import_announces_the_holds_past_expiry_it_released(
    catalog: Catalog, clock: ManualClock
) -> None:
    # The hold at SIDE lapsed and nothing released it yet; the import at SIDE releases the
    # whole reservation (MAIN too): it announces the expiry, and MAIN, which only the release
    # changed, with the reservation as its cause.
    b, main, side = (catalog.ids[k] for k in ("B", "main", "side"))
    await builders.receive(catalog.deps, catalog.who, b.id, main.id, 5)
    await builders.receive(catalog.deps, catalog.who, b.id, side.id, 5)
    command = CreateReservation(
        lines=(LineQuantity(b.id, main.id, 2), LineQuantity(b.id, side.id, 5)), ttl_seconds=60
    )
    held = (await CreateReservationHandler(catalog.deps)(catalog.who, command)).value
    clock.advance(61)
    _, after = await read_all(catalog.deps, catalog.who)

    imported = await catalog.run(HEADER + "SKU-B,SIDE,1,,\n")
    assert imported.summary is not None
    events, _ = await read_all(catalog.deps, catalog.who, after)

    assert [(e.type, e.subject_id) for e in events] == [
        (EventType.MOVEMENT_POSTED, str(imported.summary.movement_id)),
        (EventType.RESERVATION_EXPIRED, str(held.id)),
        (EventType.STOCK_LEVEL_CHANGED, f"{b.id}:{main.id}"),
        (EventType.STOCK_LEVEL_CHANGED, f"{b.id}:{side.id}"),
    ]
    expired, at_main, at_side = (e.data for e in events[1:])
    assert expired["status"] == "expired"
    assert at_main["cause"] == {"reservation_id": str(held.id)}
    assert (at_main["reserved"], at_main["available"]) == (0, 5)
    assert at_side["cause"] == {"movement_id": str(imported.summary.movement_id)}
    assert (at_side["on_hand"], at_side["reserved"], at_side["available"]) == (6, 0, 6)


async def test_a_serial_in_transit_counts_for_the_import_too(catalog: Catalog) -> None:
    serial = await builders.item(catalog.deps, catalog.who, "SER-T", tracking="serial")
    main, side = catalog.ids["main"], catalog.ids["side"]
    await receive(catalog.deps, catalog.who, serial.id, main.id, {"SN-7": (1, LATER)})
    command = ShipTransfer(
        from_location_id=main.id,
        to_location_id=side.id,
        lines=(ItemQuantity(serial.id, 1, LotRef(code="SN-7")),),
    )
    await ShipTransferHandler(catalog.deps)(catalog.who, command)  # on its way, not at MAIN

    refused = await catalog.run(HEADER + "SER-T,MAIN,1,SN-7,\n")

    assert [(p.line, p.message.split(";")[0]) for p in refused.problems] == [
        (2, "serial 'SN-7' would hold 2 units across the org")
    ]
