"""Read-only units of work: one pipelined round trip, the org bound for that statement only."""

from __future__ import annotations

import secrets

import pytest

from adapters.clock import SystemClock
from adapters.ids import UuidGenerator
from application.errors import StorageUnavailable
from application.pagination import PageRequest
from application.principal import Principal
from application.use_cases.base import Deps
from tests.contract import builders
from tests.postgres_fixtures import postgres_backend


async def test_a_read_sees_its_org_and_leaves_the_connection_as_it_found_it(
    database_url: str,
) -> None:
    async with postgres_backend(database_url, max_size=1) as backend:  # one connection, reused
        deps = Deps(uow=backend.uow, clock=SystemClock(), ids=UuidGenerator())
        org, other = (f"org_{secrets.token_hex(6)}" for _ in range(2))
        for who in (org, other):
            principal = Principal.from_claims(user_id="u", org_id=who, raw_role="admin")
            await builders.item(deps, principal)

        async with backend.uow(org, read_only=True) as uow:
            first = await uow.items.list(PageRequest())
            second = await uow.items.list(PageRequest())  # bound again, statement by statement

        assert len(first) == len(second) == 1
        async with backend.pool.connection() as conn:
            setting = await (
                await conn.execute("SELECT current_setting('app.org_id', true)")
            ).fetchone()
            assert setting is not None and setting[0] in ("", None)
            assert conn.autocommit is False


async def test_a_read_only_unit_of_work_refuses_to_commit(database_url: str) -> None:
    async with (
        postgres_backend(database_url, max_size=1) as backend,
        backend.uow("org_x", read_only=True) as uow,
    ):
        with pytest.raises(StorageUnavailable):
            await uow.commit()
