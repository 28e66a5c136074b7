"""Ports of the warehouse workflows: transfers in transit and count sessions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from application.pagination import PageRequest
from domain.counts import CountSession, CountStatus
from domain.transfers import Transfer, TransferStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferFilter:
    """Filters of GET /v1/transfers."""

    status: TransferStatus | None = None
    from_location_id: UUID | None = None
    to_location_id: UUID | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CountFilter:
    """Filters of GET /v1/counts."""

    status: CountStatus | None = None
    location_id: UUID | None = None


class Transfers(Protocol):
    """Transfers of one org, stored as last saved."""

    async def add(self, transfer: Transfer) -> None: ...
    async def add_lots(self, transfer: Transfer) -> None:
        """Record the lots an added transfer's lines were shipped out of (ADR 0034)."""
        ...

    async def get(self, transfer_id: UUID, *, for_update: bool = False) -> Transfer | None:
        """The transfer; ``for_update`` locks its row, then its lines."""
        ...

    async def save(self, transfer: Transfer) -> None: ...
    async def list(self, filters: TransferFilter, page: PageRequest) -> list[Transfer]: ...


class CountSessions(Protocol):
    """Count sessions of one org, stored as last saved."""

    async def add(self, session: CountSession) -> None: ...
    async def get(self, session_id: UUID, *, for_update: bool = False) -> CountSession | None:
        """The session; ``for_update`` locks its row (its lines change only under it)."""
        ...

    async def save(self, session: CountSession) -> None: ...
    async def list(self, filters: CountFilter, page: PageRequest) -> list[CountSession]: ...
