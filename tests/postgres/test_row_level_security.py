"""Row-level security as the app role sees it: the backstop behind every org filter.

The whole suite connects as the app role (tests/conftest.py), as production does (ADR 0018);
these tests read and write around the use cases to show what the policies alone allow.
"""

from __future__ import annotations

import secrets
from datetime import date

import psycopg
import pytest
from psycopg import sql

from application.principal import Principal
from application.use_cases.base import Deps
from tests.contract import builders, lot_builders, workflow_builders
from tests.postgres_fixtures import app_url

ORG_TABLES = [
    "items",
    "locations",
    "stock_levels",
    "movements",
    "movement_lines",
    "reservations",
    "reservation_lines",
    "transfers",
    "transfer_lines",
    "count_sessions",
    "count_lines",
    "idempotency_keys",
    "lots",
    "lot_levels",
    "transfer_lot_lines",
]


def visible(database_url: str, settings: dict[str, str], table: str) -> set[str]:
    """The org ids of ``table`` that the app role sees in a transaction with ``settings``."""
    # Through PgBouncer in the pooled pass: set_config(..., true) is per transaction.
    with psycopg.connect(app_url(database_url), prepare_threshold=None) as conn:
        for name, value in settings.items():
            conn.execute("SELECT set_config(%s, %s, true)", [name, value])
        query = sql.SQL("SELECT DISTINCT org_id FROM {}").format(sql.Identifier(table))
        return {row[0] for row in conn.execute(query)}


@pytest.fixture(scope="module")
async def two_orgs(wide_deps_module: Deps) -> tuple[str, str]:
    orgs = []
    for _ in range(2):
        org = f"org_{secrets.token_hex(8)}"
        who = Principal.from_claims(user_id="u", org_id=org, raw_role="admin")
        deps = wide_deps_module
        item, here = await builders.item(deps, who), await builders.location(deps, who)
        await builders.receive(deps, who, item.id, here.id, 5)
        await builders.reserve(deps, who, item.id, here.id, 2, ttl_seconds=3600)
        tracked = await builders.item(deps, who, tracking="lot")
        await lot_builders.receive(deps, who, tracked.id, here.id, {"L1": (3, date(2030, 1, 1))})
        there = await builders.location(deps, who)
        await workflow_builders.ship(deps, who, here.id, there.id, {item.id: 1, tracked.id: 1})
        await workflow_builders.open_count(deps, who, here.id)
        async with deps.uow(org) as uow:
            await uow.idempotency.claim("k", "fp", deps.clock.now())
            await uow.commit()
        orgs.append(org)
    return orgs[0], orgs[1]


def test_every_org_table_forces_row_level_security(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class"
            " WHERE relname = ANY(%s)",
            [ORG_TABLES],
        ).fetchall()
    assert sorted(rows) == sorted((t, True, True) for t in ORG_TABLES)


@pytest.mark.parametrize("table", ORG_TABLES)
def test_without_an_org_nothing_is_visible(
    database_url: str, two_orgs: tuple[str, str], table: str
) -> None:
    assert visible(database_url, {}, table) == set()
    assert visible(database_url, {"app.org_id": ""}, table) == set()


@pytest.mark.parametrize("table", ORG_TABLES)
def test_with_an_org_only_its_rows_are_visible(
    database_url: str, two_orgs: tuple[str, str], table: str
) -> None:
    org_a, _ = two_orgs
    assert visible(database_url, {"app.org_id": org_a}, table) == {org_a}


def test_rows_of_another_org_cannot_be_written(
    database_url: str, two_orgs: tuple[str, str]
) -> None:
    org_a, org_b = two_orgs
    with psycopg.connect(app_url(database_url), prepare_threshold=None) as conn:
        conn.execute("SELECT set_config('app.org_id', %s, true)", [org_a])
        assert conn.execute("UPDATE items SET name = 'x' WHERE org_id = %s", [org_b]).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO idempotency_keys (org_id, key, fingerprint, created_at)"
                " VALUES (%s, 'k2', 'f', now())",
                [org_b],
            )


def test_the_expiry_listing_setting_reads_only_active_expiring_reservations_across_orgs(
    database_url: str, two_orgs: tuple[str, str]
) -> None:
    expiry_listing = {"app.sweep": "on"}
    assert visible(database_url, expiry_listing, "reservations") >= set(two_orgs)
    for table in ORG_TABLES:
        if table != "reservations":
            assert visible(database_url, expiry_listing, table) == set(), table
    with psycopg.connect(app_url(database_url), prepare_threshold=None) as conn:
        conn.execute("SELECT set_config('app.sweep', 'on', true)")
        assert conn.execute("UPDATE reservations SET version = version + 1").rowcount == 0


def test_the_purge_setting_deletes_only_keys_older_than_a_day(
    database_url: str, two_orgs: tuple[str, str]
) -> None:
    with psycopg.connect(app_url(database_url), prepare_threshold=None) as conn:
        conn.execute("SELECT set_config('app.org_id', %s, true)", [two_orgs[0]])
        conn.execute(
            "INSERT INTO idempotency_keys (org_id, key, fingerprint, created_at)"
            " VALUES (%s, 'aged', 'f', now() - interval '25 hours')",
            [two_orgs[0]],
        )
        conn.execute(
            "SELECT set_config('app.org_id', '', true), set_config('app.purge', 'on', true)"
        )
        deleted = conn.execute(
            "DELETE FROM idempotency_keys WHERE org_id = ANY(%s) RETURNING org_id, key",
            [list(two_orgs)],
        ).fetchall()
        conn.rollback()
    assert deleted == [(two_orgs[0], "aged")]
