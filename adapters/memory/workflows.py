"""In-memory transfers and count sessions."""

from __future__ import annotations

from uuid import UUID

from adapters.memory.state import OrgState
from application.pagination import PageRequest
from application.queries.counts import count_sort_key
from application.queries.transfers import transfer_sort_key
from application.workflow_ports import CountFilter, CountSessions, TransferFilter, Transfers
from domain.counts import CountSession
from domain.transfers import Transfer


class InMemoryTransfers(Transfers):
    """Transfers of one org inside a unit of work's working copy."""

    def __init__(self, state: OrgState) -> None:
        self._transfers = state.transfers

    async def add(self, transfer: Transfer) -> None:
        self._transfers[transfer.id] = transfer

    async def add_lots(self, transfer: Transfer) -> None:
        self._transfers[transfer.id] = transfer

    async def get(self, transfer_id: UUID, *, for_update: bool = False) -> Transfer | None:
        return self._transfers.get(transfer_id)

    async def save(self, transfer: Transfer) -> None:
        self._transfers[transfer.id] = transfer

    async def list(self, filters: TransferFilter, page: PageRequest) -> list[Transfer]:
        rows = [
            t
            for t in self._transfers.values()
            if (filters.status is None or t.status is filters.status)
            and (filters.from_location_id in (None, t.from_location_id))
            and (filters.to_location_id in (None, t.to_location_id))
        ]
        rows.sort(key=transfer_sort_key)
        if page.after is not None:
            rows = [t for t in rows if transfer_sort_key(t) > page.after]
        return rows[: page.limit + 1]


class InMemoryCountSessions(CountSessions):
    """Count sessions of one org inside a unit of work's working copy."""

    def __init__(self, state: OrgState) -> None:
        self._counts = state.counts

    async def add(self, session: CountSession) -> None:
        self._counts[session.id] = session

    async def get(self, session_id: UUID, *, for_update: bool = False) -> CountSession | None:
        return self._counts.get(session_id)

    async def save(self, session: CountSession) -> None:
        self._counts[session.id] = session

    async def list(self, filters: CountFilter, page: PageRequest) -> list[CountSession]:
        rows = [
            c
            for c in self._counts.values()
            if (filters.status is None or c.status is filters.status)
            and (filters.location_id in (None, c.location_id))
        ]
        rows.sort(key=count_sort_key)
        if page.after is not None:
            rows = [c for c in rows if count_sort_key(c) > page.after]
        return rows[: page.limit + 1]
