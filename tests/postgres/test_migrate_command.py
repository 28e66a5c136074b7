"""``stockroom migrate --rollback-all`` drops every org's data: only with explicit confirmation."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from adapters.postgres.migrator import YoyoMigrator
from entrypoints.cli.main import build_parser
from entrypoints.settings import Settings

# Production requires a key for webhook secrets; any valid Fernet key will do here.
PRODUCTION_SECRET_KEY = Fernet.generate_key().decode()


def migrate(argv: list[str], settings: Settings) -> int:
    """Run ``stockroom migrate`` with explicit settings (no global logging setup)."""
    args = build_parser().parse_args(["migrate", *argv])
    code: int = args.func(args, settings)
    return code


@pytest.fixture
def migrated(scratch_url: str) -> YoyoMigrator:
    migrator = YoyoMigrator(scratch_url)
    migrator.apply()
    return migrator


@pytest.mark.parametrize("env", ["development", "production"])
def test_rolling_everything_back_without_confirmation_changes_nothing(
    migrated: YoyoMigrator,
    scratch_url: str,
    tmp_path: Path,
    env: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = Settings(
        env=env,
        database_url=scratch_url,
        data_dir=tmp_path,
        better_auth_url="https://auth.example",
        secret_key=PRODUCTION_SECRET_KEY,
    )

    code = migrate(["--rollback-all"], settings)

    assert code == 2
    assert "--confirm-drop-all-data" in capsys.readouterr().err
    assert migrated.pending() == []


def test_rolling_everything_back_with_confirmation_undoes_every_migration(
    migrated: YoyoMigrator, scratch_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=scratch_url, data_dir=tmp_path)

    code = migrate(["--rollback-all", "--confirm-drop-all-data"], settings)

    assert code == 0
    assert migrated.pending() == migrated.migration_ids()
