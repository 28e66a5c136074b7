"""Idempotency keys: claim, complete, replay, reuse with another body, concurrent duplicates."""

from __future__ import annotations

import asyncio

import pytest

from adapters.clock import ManualClock
from application.errors import IdempotencyKeyReused
from application.ports import StoredResult, UnitOfWorkFactory
from application.principal import Principal
from application.queries.catalog import ListItemsHandler
from application.use_cases.base import Deps
from application.use_cases.create_item import CreateItem, CreateItemHandler


async def test_a_claimed_and_completed_key_returns_the_stored_result(
    uow_factory: UnitOfWorkFactory, org: str, clock: ManualClock
) -> None:
    async with uow_factory(org) as uow:
        assert await uow.idempotency.claim("k-1", "fp", clock.now()) is None
        await uow.idempotency.complete("k-1", {"id": "x", "n": [1, 2]})
        await uow.commit()

    async with uow_factory(org) as uow:
        assert await uow.idempotency.claim("k-1", "fp", clock.now()) == StoredResult(
            {"id": "x", "n": [1, 2]}
        )
        with pytest.raises(IdempotencyKeyReused) as caught:
            await uow.idempotency.claim("k-1", "other", clock.now())
    assert caught.value.code == "idempotency_key_reused"


async def test_a_rolled_back_claim_leaves_the_key_free(
    uow_factory: UnitOfWorkFactory, org: str, clock: ManualClock
) -> None:
    async with uow_factory(org) as uow:
        assert await uow.idempotency.claim("k-2", "fp", clock.now()) is None

    async with uow_factory(org) as uow:
        assert await uow.idempotency.claim("k-2", "other", clock.now()) is None


async def test_keys_are_scoped_per_org(
    uow_factory: UnitOfWorkFactory, org: str, clock: ManualClock
) -> None:
    owners = (org, org + "-other")
    for owner in owners:
        async with uow_factory(owner) as uow:
            assert await uow.idempotency.claim("shared", owner, clock.now()) is None
            await uow.idempotency.complete("shared", {"owner": owner})
            await uow.commit()

    for owner in owners:
        async with uow_factory(owner) as uow:
            stored = await uow.idempotency.claim("shared", owner, clock.now())
            assert stored == StoredResult({"owner": owner})


async def test_a_replayed_request_applies_once_and_returns_the_first_result(
    deps: Deps, admin: Principal
) -> None:
    create = CreateItemHandler(deps)
    command = CreateItem(sku="IDEM-1", name="Once")

    first = await create(admin, command, "key-1")
    again = await create(admin, command, "key-1")

    assert (first.replayed, again.replayed) == (False, True)
    assert again.value == first.value
    with pytest.raises(IdempotencyKeyReused):
        await create(admin, CreateItem(sku="IDEM-2", name="Other"), "key-1")
    assert (await ListItemsHandler(deps)(admin, None, None)).items == [first.value]


async def test_concurrent_duplicates_wait_for_the_first_and_replay_it(
    deps: Deps, admin: Principal
) -> None:
    create = CreateItemHandler(deps)
    command = CreateItem(sku="IDEM-RACE", name="Race")

    outcomes = await asyncio.gather(*(create(admin, command, "race") for _ in range(3)))

    assert sorted(o.replayed for o in outcomes) == [False, True, True]
    assert len({o.value for o in outcomes}) == 1
    assert (await ListItemsHandler(deps)(admin, None, None)).items == [outcomes[0].value]
