"""Ports of the warehouse workflows: transfers in transit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from application.pagination import PageRequest
from domain.transfers import Transfer, TransferStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferFilter:
    """Filters of GET /v1/transfers."""

    status: TransferStatus | None = None
    from_location_id: UUID | None = None
    to_location_id: UUID | None = None


class Transfers(Protocol):
    """Transfers of one org, stored as last saved."""

    async def add(self, transfer: Transfer) -> None: ...
    async def get(self, transfer_id: UUID, *, for_update: bool = False) -> Transfer | None:
        """The transfer; ``for_update`` locks its row, then its lines."""
        ...

    async def save(self, transfer: Transfer) -> None: ...
    async def list(self, filters: TransferFilter, page: PageRequest) -> list[Transfer]: ...
