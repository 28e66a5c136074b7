"""The cross-org expiry listing: what has expired, and the job that expires it."""

from __future__ import annotations

from adapters.clock import ManualClock
from application.ports import ExpiredReservations, UnitOfWorkFactory
from application.principal import Principal
from application.use_cases.base import Deps
from application.use_cases.expire_reservations import (
    ExpireReservations,
    ExpireReservationsHandler,
)
from domain.reservations import ReservationStatus
from domain.stock import LevelKey
from tests.contract import builders
from tests.contract.conftest import new_org


async def test_the_listing_names_expired_active_reservations_of_every_org_and_the_job_expires_them(
    uow_factory: UnitOfWorkFactory,
    expired_reservations: ExpiredReservations,
    deps: Deps,
    clock: ManualClock,
) -> None:
    expected, keys = set(), {}
    for _ in range(2):
        org = new_org()
        who = Principal.from_claims(user_id="u", org_id=org, raw_role="admin")
        item, here = await builders.item(deps, who), await builders.location(deps, who)
        await builders.receive(deps, who, item.id, here.id, 10)
        soon = await builders.reserve(deps, who, item.id, here.id, 3, ttl_seconds=10)
        await builders.reserve(deps, who, item.id, here.id, 2, ttl_seconds=3600)
        await builders.reserve(deps, who, item.id, here.id, 1)
        expected.add((org, soon.id))
        keys[org] = (soon.id, LevelKey(item.id, here.id))
    clock.advance(10)
    now = clock.now()

    listed = await expired_reservations.list_expired(now, 1000)
    assert expected <= set(listed)
    assert len(await expired_reservations.list_expired(now, 1)) == 1

    assert await ExpireReservationsHandler(deps, expired_reservations)(ExpireReservations()) >= 2
    assert not expected & set(await expired_reservations.list_expired(now, 1000))
    for org, (reservation_id, key) in keys.items():
        async with uow_factory(org) as uow:
            stored = await uow.reservations.get(reservation_id)
            level = await uow.stock.get(key, now)
        assert stored is not None and stored.status is ReservationStatus.EXPIRED
        assert stored.lines[0].released == 3
        assert level is not None and (level.on_hand, level.reserved) == (10, 3)
