"""Pool construction: pooled-URL detection and what reaches libpq."""

from __future__ import annotations

import pytest

from adapters.postgres.migrator import yoyo_url
from adapters.postgres.pool import build_pool, is_pooled, named_statements


@pytest.mark.parametrize(
    ("url", "pooled"),
    [
        ("postgresql://u:p@ep-cool-1234-pooler.eu-central-1.aws.neon.tech/db", True),
        ("postgresql://u:p@127.0.0.1:6432/db", True),
        ("postgresql://u:p@ep-cool-1234.eu-central-1.aws.neon.tech/db", False),
        ("postgresql://postgres:@/stockroom?host=/tmp/pgdata", False),
    ],
)
def test_auto_detects_transaction_poolers(url: str, pooled: bool) -> None:
    assert is_pooled(url) is pooled


def test_explicit_setting_wins_over_detection() -> None:
    assert is_pooled("postgresql://h:6432/db", "false") is False
    assert is_pooled("postgresql://h:5432/db", "true") is True


def test_pooled_url_disables_prepared_statements_and_keeps_tls_params() -> None:
    url = "postgresql://u:p@ep-x-pooler.neon.tech/db?sslmode=require&channel_binding=require"

    pool = build_pool(url)

    assert isinstance(pool.kwargs, dict)
    assert pool.conninfo == url
    assert pool.kwargs["prepare_threshold"] is None
    assert named_statements(pool) is False
    assert pool.kwargs["connect_timeout"] == 10
    assert pool.kwargs["autocommit"] is False
    assert pool.max_idle < 300  # below Neon's 5-minute suspend


def test_direct_url_prepares_the_units_of_works_statements_and_none_of_psycopgs() -> None:
    pool = build_pool("postgresql://u:p@db.example:5432/app")

    assert named_statements(pool) is True
    # psycopg's own would be deallocated all at once on its next ROLLBACK, ours with them.
    assert isinstance(pool.kwargs, dict)
    assert pool.kwargs["prepare_threshold"] is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql://postgres:@/stockroom?host=/work/.stockroom/pgdata",
            "postgresql+psycopg://postgres@/stockroom?host=%2Fwork%2F.stockroom%2Fpgdata",
        ),
        (
            "postgresql://u:p%40ss@db.example/app?sslmode=require",
            "postgresql+psycopg://u:p%40ss@/app?host=db.example&sslmode=require",
        ),
        (
            "host=/tmp port=5433 dbname=app user=me",
            "postgresql+psycopg://me@/app?host=%2Ftmp&port=5433",
        ),
    ],
)
def test_yoyo_url_moves_host_and_options_to_the_query_string(url: str, expected: str) -> None:
    assert yoyo_url(url) == expected
