"""Read count sessions; a blind session's expected figures are for admins only."""

from __future__ import annotations

from uuid import UUID

from application.pagination import Keyset, Page, PageRequest, page_of, time_part, uuid_part
from application.principal import Permission, Principal
from application.use_cases.base import UseCase
from application.workflow_ports import CountFilter
from domain.counts import CountSession
from domain.errors import NotFound


def count_sort_key(session: CountSession) -> tuple[str, ...]:
    """Count sessions list oldest first, ties broken by id."""
    return (session.created_at.isoformat(), str(session.id))


COUNTS: Keyset[CountSession] = Keyset("counts", count_sort_key, (time_part, uuid_part))


def shows_expected(principal: Principal, session: CountSession) -> bool:
    """Whether ``principal`` may see what the books expected: always, unless the session is
    blind and the principal may not open and post counts (a member counting)."""
    return not session.blind or Permission.ADJUST_STOCK in principal.permissions


class GetCountHandler(UseCase):
    """One count session of the caller's org, with its lines."""

    async def __call__(self, principal: Principal, session_id: UUID) -> CountSession:
        async with self.deps.uow(principal.require(Permission.READ)) as uow:
            session = await uow.counts.get(session_id)
        if session is None:
            raise NotFound(f"count {session_id} not found", resource="count")
        return session


class ListCountsHandler(UseCase):
    """A page of count sessions, oldest first, filtered by status and location."""

    async def __call__(
        self, principal: Principal, filters: CountFilter, limit: int | None, cursor: str | None
    ) -> Page[CountSession]:
        org_id = principal.require(Permission.READ)
        request = PageRequest.parse(limit, cursor, COUNTS)
        async with self.deps.uow(org_id) as uow:
            rows = await uow.counts.list(filters, request)
        return page_of(rows, request, COUNTS)
