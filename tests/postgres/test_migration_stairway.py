"""The migration stairway: every migration applies, rolls back cleanly and applies again."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg

from adapters.postgres.migrator import MIGRATIONS_DIR, YoyoMigrator

SCHEMA = """
SELECT c.relkind::text || ':' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relname NOT LIKE '%%yoyo%%'
UNION ALL SELECT 'policy:' || policyname FROM pg_policies
UNION ALL SELECT 'extension:' || extname FROM pg_extension WHERE extname <> 'plpgsql'
ORDER BY 1
"""


def schema(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [row[0] for row in conn.execute(SCHEMA)]


def test_each_migration_goes_up_down_and_up_again(scratch_url: str, tmp_path: Path) -> None:
    steps = sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql"))
    ups = [p for p in steps if not p.name.endswith(".rollback.sql")]
    assert ups, "no migrations found"
    for up in ups:
        rollback = up.with_name(up.stem + ".rollback.sql")
        assert rollback.exists(), f"{up.name} has no rollback"
        shutil.copy(up, tmp_path)
        shutil.copy(rollback, tmp_path)
        migrator = YoyoMigrator(scratch_url, migrations_dir=tmp_path)
        before = schema(scratch_url)

        assert migrator.apply() == [up.stem]
        after = schema(scratch_url)
        assert migrator.rollback() == [up.stem]
        assert schema(scratch_url) == before, f"{rollback.name} leaves something behind"
        assert migrator.apply() == [up.stem]
        assert schema(scratch_url) == after

    YoyoMigrator(scratch_url, migrations_dir=tmp_path).rollback_all()
    assert schema(scratch_url) == []
