"""The app connects as a role that row-level security binds: no SUPERUSER, no BYPASSRLS, owns
nothing, and only the grants it needs. Production refuses to start as any other role."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet

from entrypoints.container import open_stockroom
from entrypoints.settings import Settings

ROLE = """
SELECT r.rolsuper, r.rolbypassrls,
       EXISTS (SELECT 1 FROM pg_roles b WHERE (b.rolsuper OR b.rolbypassrls)
               AND pg_has_role(current_user, b.oid, 'MEMBER')) AS inherits_a_bypass,
       EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
               AND pg_has_role(current_user, c.relowner, 'MEMBER')) AS owns_something
FROM pg_roles r WHERE r.rolname = current_user
"""
PRIVILEGES = """
SELECT t.table_name, p.privilege_type
FROM information_schema.tables t
CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES',
                        'TRIGGER']) AS p(privilege_type)
WHERE t.table_schema = 'public' AND has_table_privilege(t.table_name, p.privilege_type)
ORDER BY 1, 2
"""
NEEDED = {
    "items": {"SELECT", "INSERT", "UPDATE"},
    "locations": {"SELECT", "INSERT", "UPDATE"},
    "stock_levels": {"SELECT", "INSERT", "UPDATE"},
    "movements": {"SELECT", "INSERT"},
    "movement_lines": {"SELECT", "INSERT"},
    "reservations": {"SELECT", "INSERT", "UPDATE"},
    "reservation_lines": {"SELECT", "INSERT", "UPDATE"},
    "idempotency_keys": {"SELECT", "INSERT", "UPDATE", "DELETE"},
    "rate_limit_windows": {"SELECT", "INSERT", "UPDATE", "DELETE"},
    "events": {"SELECT", "INSERT", "DELETE"},
    "webhooks": {"SELECT", "INSERT", "UPDATE", "DELETE"},
    "webhook_deliveries": {"SELECT", "INSERT", "UPDATE"},
    "webhook_attempts": {"SELECT", "INSERT"},
    "transfers": {"SELECT", "INSERT", "UPDATE"},
    "transfer_lines": {"SELECT", "INSERT", "UPDATE"},
    "count_sessions": {"SELECT", "INSERT", "UPDATE"},
    "count_lines": {"SELECT", "INSERT", "UPDATE"},
    "lots": {"SELECT", "INSERT", "UPDATE"},
    "lot_levels": {"SELECT", "INSERT", "UPDATE"},
    "reservation_lot_lines": {"SELECT", "INSERT", "UPDATE"},
    "transfer_lot_lines": {"SELECT", "INSERT", "UPDATE"},
    "_yoyo_migration": {"SELECT"},
}

# Production requires a key for webhook secrets; any valid Fernet key will do here.
PRODUCTION_SECRET_KEY = Fernet.generate_key().decode()


def test_the_suite_runs_as_a_role_that_row_level_security_binds(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(ROLE).fetchone()

    assert row == (False, False, False, False)


def test_the_app_role_has_only_the_grants_it_needs(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        granted: dict[str, set[str]] = {}
        for table, privilege in conn.execute(PRIVILEGES).fetchall():
            granted.setdefault(table, set()).add(privilege)

    assert {t: p for t, p in granted.items() if t in NEEDED or not t.startswith("_yoyo")} == NEEDED


async def test_production_refuses_to_start_as_a_role_that_bypasses_rls(
    admin_database_url: str, database_url: str, tmp_path: Path
) -> None:
    superuser = psycopg.conninfo.make_conninfo(
        admin_database_url, dbname=psycopg.conninfo.conninfo_to_dict(database_url)["dbname"]
    )
    settings = Settings(
        env="production",
        database_url=superuser,
        better_auth_url="http://127.0.0.1:9",
        data_dir=tmp_path,
        secret_key=PRODUCTION_SECRET_KEY,
    )

    with pytest.raises(RuntimeError, match="row-level security"):
        async with open_stockroom(settings):
            pass


async def test_production_starts_as_the_app_role(database_url: str, tmp_path: Path) -> None:
    settings = Settings(
        env="production",
        database_url=database_url,
        better_auth_url="http://127.0.0.1:9",
        data_dir=tmp_path,
        secret_key=PRODUCTION_SECRET_KEY,
    )

    async with open_stockroom(settings) as stockroom:
        assert await stockroom.readiness.check() == []
