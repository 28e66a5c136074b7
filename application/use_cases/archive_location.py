"""Archive a location: it stays readable with its history but takes no new stock."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application import catalog
from application.events import location_event
from application.principal import Permission, Principal
from application.use_cases.base import UseCase
from domain.catalog import Location
from domain.events import EventType


@dataclass(frozen=True, slots=True, kw_only=True)
class ArchiveLocation:
    """Archive the location, only if still at one of ``expected_versions`` (If-Match; None:
    any). Idempotent."""

    location_id: UUID
    expected_versions: frozenset[int] | None = None


class ArchiveLocationHandler(UseCase):
    """Archive a location (admin, owner)."""

    async def __call__(self, principal: Principal, command: ArchiveLocation) -> Location:
        org_id = principal.require(Permission.MANAGE_CATALOG)
        now = self.deps.clock.now()
        async with self.deps.uow(org_id) as uow:
            location, archived = await catalog.archive(
                uow.locations, command.location_id, "location", command.expected_versions, now
            )
            if archived:
                event = location_event(
                    self.deps.ids.new_id, EventType.LOCATION_ARCHIVED, location, now
                )
                uow.events.add([event])
            await uow.commit()
            return location
