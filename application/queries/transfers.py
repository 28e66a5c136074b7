"""Read transfers."""

from __future__ import annotations

from uuid import UUID

from application.pagination import Keyset, Page, PageRequest, page_of, time_part, uuid_part
from application.principal import Permission, Principal
from application.use_cases.base import UseCase
from application.workflow_ports import TransferFilter
from domain.errors import NotFound
from domain.transfers import Transfer


def transfer_sort_key(transfer: Transfer) -> tuple[str, ...]:
    """Transfers list oldest first, ties broken by id."""
    return (transfer.created_at.isoformat(), str(transfer.id))


TRANSFERS: Keyset[Transfer] = Keyset("transfers", transfer_sort_key, (time_part, uuid_part))


class GetTransferHandler(UseCase):
    """One transfer of the caller's org, with what each line shipped, received and cancelled."""

    async def __call__(self, principal: Principal, transfer_id: UUID) -> Transfer:
        async with self.deps.uow(principal.require(Permission.READ)) as uow:
            transfer = await uow.transfers.get(transfer_id)
        if transfer is None:
            raise NotFound(f"transfer {transfer_id} not found", resource="transfer")
        return transfer


class ListTransfersHandler(UseCase):
    """A page of transfers, oldest first, filtered by status and locations."""

    async def __call__(
        self, principal: Principal, filters: TransferFilter, limit: int | None, cursor: str | None
    ) -> Page[Transfer]:
        org_id = principal.require(Permission.READ)
        request = PageRequest.parse(limit, cursor, TRANSFERS)
        async with self.deps.uow(org_id) as uow:
            rows = await uow.transfers.list(filters, request)
        return page_of(rows, request, TRANSFERS)
