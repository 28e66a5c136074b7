"""The events of an import's untracked levels, on both backends, are exactly what the rule every
write uses makes of them: ``level_data`` of the level after the import, with the import as the
cause, and ``stock_signals`` on available before and after. Postgres renders that rule in SQL
for speed (adapters/postgres/import_events_sql.py, written by the level UPDATE itself for a file
without lots: import_level_events_sql.py); this holds the two equal, signal by signal."""

from __future__ import annotations

from uuid import UUID

from application.events import level_data
from application.importing import ImportMode, ImportStock, ImportStockHandler, StockImporter
from application.principal import Principal
from application.use_cases.base import Deps
from application.use_cases.create_reservation import CreateReservation, CreateReservationHandler
from domain.events import EventType, stock_signals
from domain.reservations import LineQuantity
from tests.contract import builders
from tests.contract.feed import read_all
from tests.contract.lot_builders import level


async def test_each_signal_an_import_crosses_is_announced_as_the_rule_says(
    deps: Deps, admin: Principal, importer: StockImporter
) -> None:
    here = await builders.location(deps, admin, "HERE")
    skus = {"LOW": 10, "OUT": None, "NEW": 5, "SAME": None, "HELD": 3}
    items = {
        sku: await builders.item(deps, admin, sku, reorder_point=rp) for sku, rp in skus.items()
    }
    for sku, on_hand in {"LOW": 12, "OUT": 3, "SAME": 5, "HELD": 10}.items():
        await builders.receive(deps, admin, items[sku].id, here.id, on_hand)
    held = CreateReservation(lines=(LineQuantity(items["HELD"].id, here.id, 4),))
    await CreateReservationHandler(deps)(admin, held)
    before = {sku: (await level(deps, admin, i.id, here.id)).available if sku != "NEW" else 0
              for sku, i in items.items()}  # fmt: skip
    _, after_cursor = await read_all(deps, admin)

    counts = {"LOW": 5, "OUT": 0, "NEW": 4, "SAME": 7, "HELD": 6}
    text = "sku,location_code,quantity\n" + "".join(f"{s},HERE,{n}\n" for s, n in counts.items())
    handler = ImportStockHandler(importer, deps.clock, deps.ids)
    result = await handler(admin, ImportStock(lines=text.splitlines(True), mode=ImportMode.COUNT))
    assert result.summary is not None
    events, _ = await read_all(deps, admin, after_cursor)

    cause = {"movement_id": str(result.summary.movement_id)}
    expected: list[tuple[EventType, str, dict[str, object]]] = []
    for sku, item in sorted(items.items(), key=lambda kv: kv[1].id):
        after = await level(deps, admin, item.id, here.id)
        data = level_data(after, cause)
        subject = f"{item.id}:{here.id}"
        expected.append((EventType.STOCK_LEVEL_CHANGED, subject, data))
        for signal in stock_signals(before[sku], after.available, skus[sku]):
            expected.append((signal, subject, data))
    seen = [(e.type, e.subject_id, dict(e.data)) for e in events[1:]]

    assert events[0].type is EventType.MOVEMENT_POSTED
    assert seen == expected
    crossed = {
        (t, UUID(s.split(":")[0])) for t, s, _ in seen if t is not EventType.STOCK_LEVEL_CHANGED
    }
    assert crossed == {
        (EventType.STOCK_LEVEL_LOW, items["LOW"].id),
        (EventType.STOCK_LEVEL_OUT, items["OUT"].id),
        (EventType.STOCK_LEVEL_RESTOCKED, items["NEW"].id),
        (EventType.STOCK_LEVEL_LOW, items["HELD"].id),
    }
