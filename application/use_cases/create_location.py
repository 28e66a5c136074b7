"""Create a location where stock can be kept."""

from __future__ import annotations

from dataclasses import dataclass

from application.events import location_event
from application.idempotency import Outcome, run_once
from application.principal import Permission, Principal
from application.use_cases.base import UseCase
from domain.catalog import Location, LocationKind
from domain.events import EventType


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateLocation:
    """A new location; the code must be unused in the org (case-insensitively)."""

    code: str
    name: str
    kind: LocationKind = LocationKind.WAREHOUSE


class CreateLocationHandler(UseCase):
    """Create a location (admin, owner)."""

    async def __call__(
        self, principal: Principal, command: CreateLocation, idempotency_key: str | None = None
    ) -> Outcome[Location]:
        org_id = principal.require(Permission.MANAGE_CATALOG)
        now = self.deps.clock.now()

        async with self.deps.uow(org_id) as uow:

            async def work() -> Location:
                location = Location.create(
                    id=self.deps.ids.new_id(),
                    code=command.code,
                    name=command.name,
                    kind=command.kind,
                    now=now,
                )
                await uow.locations.add(location)
                event = location_event(
                    self.deps.ids.new_id, EventType.LOCATION_CREATED, location, now
                )
                uow.events.add([event])
                return location

            return await run_once(
                uow,
                key=idempotency_key,
                operation="create_location",
                command=command,
                result_type=Location,
                now=now,
                work=work,
            )
