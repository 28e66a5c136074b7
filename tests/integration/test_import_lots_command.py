"""``stockroom import-stock`` with lot columns (ADR 0033), through the CLI and read back through
the API: rows of tracked items land in their lots, a bad lot row applies nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.integration.factories import Org, org_fixture  # noqa: F401
from tests.integration.test_import_command import import_stock, movements_of

HEADER = "sku,location_code,quantity,lot,expires_on\n"


async def lots_at(org: Org, item: dict[str, Any]) -> dict[tuple[str, str], int]:
    response = await org.client.get(
        "/v1/stock-levels", params={"item_id": item["id"], "by": "lot"}, headers=org.member
    )
    assert response.status_code == 200, response.text
    return {
        (row["location_id"], row["lot_code"]): row["on_hand"] for row in response.json()["items"]
    }


async def test_the_import_puts_tracked_rows_in_their_lots(
    org: Org, tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tracked = await org.item(tracking="lot")
    plain = await org.item()
    here, there = await org.location(), await org.location()
    good = tmp_path / "good.csv"
    good.write_text(
        HEADER
        + f"{plain['sku']},{here['code']},4,,\n"
        + f"{tracked['sku']},{here['code']},5,B-1,2099-03-01\n"
        + f"{tracked['sku']},{there['code']},2,b-1,\n"
        + f"{tracked['sku']},{there['code']},3,B-2,2099-04-01\n"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + f"{tracked['sku']},{here['code']},1,B-9,\n")

    assert await asyncio.to_thread(import_stock, good, org.id, database_url, tmp_path) == 0
    refused = await asyncio.to_thread(import_stock, bad, org.id, database_url, tmp_path)

    assert refused == 1
    assert "line 2: lot 'B-9' is new: give its expires_on" in capsys.readouterr().err
    assert movements_of(database_url, org.id) == 1
    assert await lots_at(org, tracked) == {
        (here["id"], "B-1"): 5,
        (there["id"], "B-1"): 2,
        (there["id"], "B-2"): 3,
    }
    levels = await org.client.get(
        "/v1/stock-levels", params={"item_id": tracked["id"]}, headers=org.member
    )
    assert sorted(row["on_hand"] for row in levels.json()["items"]) == [5, 5]
