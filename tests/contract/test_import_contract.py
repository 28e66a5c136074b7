"""The bulk importer on both backends: one movement or nothing, every bad row by line number."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.clock import ManualClock
from application.errors import PermissionDenied
from application.importing import ImportMode, ImportResult, ImportStock, ImportStockHandler
from application.importing import StockImporter as Importer
from application.pagination import PageRequest
from application.ports import MovementFilter
from application.principal import Principal
from application.use_cases.archive_location import ArchiveLocation, ArchiveLocationHandler
from application.use_cases.base import Deps
from domain.stock import LevelKey
from tests.contract import builders

HEADER = "sku,location_code,quantity\n"
RECEIPT = HEADER + "SKU-A,MAIN,5\nsku-b,main,7\n\nSKU-A,MAIN,3\nSKU-A,SIDE,1\n"
BAD = (
    HEADER + "SKU-A,MAIN,5\nNOPE,MAIN,1\nSKU-A,NOWHERE,1\nSKU-A,MAIN,x\nSKU-A,MAIN,0\nSKU-A,MAIN\n"
)


class Stockroom:
    """One org's catalog (items A, B; locations main, side) and the importer to fill it."""

    def __init__(self, deps: Deps, importer: Importer, who: Principal) -> None:
        self.deps, self.importer, self.who = deps, importer, who
        self.ids: dict[str, Any] = {}

    async def create_catalog(self) -> Stockroom:
        self.ids = {
            "A": await builders.item(self.deps, self.who, "SKU-A"),
            "B": await builders.item(self.deps, self.who, "SKU-B"),
            "main": await builders.location(self.deps, self.who, "MAIN"),
            "side": await builders.location(self.deps, self.who, "SIDE"),
        }
        return self

    async def run(
        self, text: str, mode: ImportMode = ImportMode.RECEIPT, reference: str | None = "PO-1"
    ) -> ImportResult:
        handler = ImportStockHandler(self.importer, self.deps.clock, self.deps.ids)
        command = ImportStock(lines=text.splitlines(keepends=True), mode=mode, reference=reference)
        return await handler(self.who, command)

    def key(self, item: str, place: str) -> LevelKey:
        return LevelKey(self.ids[item].id, self.ids[place].id)

    async def read_back(self) -> dict[str, Any]:
        """Levels (on_hand, reserved, version) and the ledger, by sku and code."""
        names = {v.id: k for k, v in self.ids.items()}
        now = self.deps.clock.now()
        assert self.who.org_id is not None
        async with self.deps.uow(self.who.org_id) as uow:
            levels = {}
            for item in ("A", "B"):
                for place in ("main", "side"):
                    level = await uow.stock.get(self.key(item, place), now)
                    if level is not None:
                        levels[item, place] = (level.on_hand, level.reserved, level.version)
            entries = await uow.movements.list(MovementFilter(), PageRequest(limit=50))
            movements = [entry.movement for entry in entries]
        ledger = [
            (m.type.value, m.reference, m.actor, [
                (names[ln.item_id], names[ln.location_id], ln.delta, ln.on_hand_after)
                for ln in m.lines
            ])
            for m in movements
        ]  # fmt: skip
        return {"levels": levels, "ledger": ledger}


@pytest.fixture
async def stockroom(deps: Deps, importer: Importer, admin: Principal) -> Stockroom:
    return await Stockroom(deps, importer, admin).create_catalog()


async def test_a_receipt_import_posts_one_movement_with_a_line_per_row(
    stockroom: Stockroom,
) -> None:
    result = await stockroom.run(RECEIPT)

    assert result.problems == []
    assert result.summary is not None
    assert (result.summary.lines, result.summary.levels) == (4, 3)
    assert await stockroom.read_back() == {
        "levels": {("A", "main"): (8, 0, 2), ("B", "main"): (7, 0, 1), ("A", "side"): (1, 0, 1)},
        "ledger": [
            ("receipt", "PO-1", "user_admin", [
                ("A", "main", 5, 5), ("B", "main", 7, 7), ("A", "main", 3, 8), ("A", "side", 1, 1),
            ]),
        ],
    }  # fmt: skip


@pytest.mark.parametrize(("sent", "stored"), [(" PO-2  ", "PO-2"), ("  ", None)])
async def test_the_import_reference_is_trimmed_like_every_other(
    stockroom: Stockroom, sent: str, stored: str | None
) -> None:
    result = await stockroom.run(HEADER + "SKU-A,MAIN,5\n", reference=sent)

    assert result.summary is not None
    assert [entry[1] for entry in (await stockroom.read_back())["ledger"]] == [stored]


async def test_bad_rows_are_all_reported_by_line_and_nothing_is_applied(
    stockroom: Stockroom,
) -> None:
    result = await stockroom.run(BAD)

    assert result.summary is None
    assert [p.line for p in result.problems] == [3, 4, 5, 6, 7]
    assert "unknown sku 'NOPE'" in result.problems[0].message
    assert "unknown location 'NOWHERE'" in result.problems[1].message
    assert await stockroom.read_back() == {"levels": {}, "ledger": []}


async def test_a_receipt_into_an_archived_location_is_refused_by_line(
    stockroom: Stockroom, deps: Deps, admin: Principal
) -> None:
    side = stockroom.ids["side"].id
    await ArchiveLocationHandler(deps)(admin, ArchiveLocation(location_id=side))

    result = await stockroom.run(RECEIPT)

    assert [(p.line, p.message) for p in result.problems] == [
        (6, "location 'SIDE' is archived and takes no new stock")
    ]
    assert await stockroom.read_back() == {"levels": {}, "ledger": []}


async def test_a_count_import_sets_on_hand_and_refuses_duplicates(
    stockroom: Stockroom, clock: ManualClock
) -> None:
    await stockroom.run(RECEIPT)
    clock.advance(1)  # the ledger lists oldest first

    refused = await stockroom.run(HEADER + "SKU-A,MAIN,2\nsku-a,main,4\n", ImportMode.COUNT)
    counted = await stockroom.run(HEADER + "SKU-A,MAIN,2\nSKU-B,SIDE,0\n", ImportMode.COUNT)

    assert [(p.line, p.message.split(" (")[0]) for p in refused.problems] == [
        (3, "duplicate of line 2")
    ]
    assert counted.summary is not None
    state = await stockroom.read_back()
    assert state["levels"][("A", "main")] == (2, 0, 3)
    assert state["levels"][("B", "side")] == (0, 0, 1)
    assert state["ledger"][1] == (
        "count", "PO-1", "user_admin", [("A", "main", -6, 2), ("B", "side", 0, 0)]
    )  # fmt: skip


async def test_a_count_below_reserved_is_refused_and_changes_nothing(
    stockroom: Stockroom, deps: Deps, admin: Principal
) -> None:
    await stockroom.run(RECEIPT)
    await builders.reserve(deps, admin, stockroom.ids["A"].id, stockroom.ids["main"].id, 6)
    before = await stockroom.read_back()

    result = await stockroom.run(HEADER + "SKU-A,MAIN,5\n", ImportMode.COUNT)

    assert [p.line for p in result.problems] == [2]
    assert "below the 6 reserved" in result.problems[0].message
    assert await stockroom.read_back() == before


async def test_a_hold_past_its_expiry_never_blocks_a_count(
    stockroom: Stockroom, deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    await stockroom.run(RECEIPT)
    held = await builders.reserve(
        deps, admin, stockroom.ids["A"].id, stockroom.ids["main"].id, 6, ttl_seconds=60
    )
    clock.advance(60)  # expired at expires_at itself; the expiry job has not run

    result = await stockroom.run(HEADER + "SKU-A,MAIN,5\n", ImportMode.COUNT)

    assert result.problems == []
    state = await stockroom.read_back()
    assert state["levels"][("A", "main")] == (5, 0, 5)  # reserve, release, count: 3 more changes
    assert admin.org_id is not None
    async with deps.uow(admin.org_id) as uow:
        stored = await uow.reservations.get(held.id)
    assert stored is not None and stored.lines[0].released == 6


async def test_a_member_may_import_a_receipt_but_not_a_count(
    stockroom: Stockroom, deps: Deps, importer: Importer, org: str
) -> None:
    member = Stockroom(
        deps, importer, Principal.from_claims(user_id="m", org_id=org, raw_role="member")
    )
    member.ids = stockroom.ids

    with pytest.raises(PermissionDenied):
        await member.run(RECEIPT, ImportMode.COUNT)
    assert (await member.run(RECEIPT)).summary is not None
    assert (await member.read_back())["ledger"][0][2] == "m"
