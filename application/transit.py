"""What receiving and cancelling a transfer share: lock it, change it, move the stock out of
transit in lock order, record the movement and announce it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.events import Cause, level_events, movement_posted
from application.ports import UnitOfWork
from application.stock_changes import apply_steps, ensure_catalog, ledger_lines, plain
from application.workflow_events import transfer_event
from domain.errors import NotFound
from domain.events import EventType
from domain.movements import Movement, MovementType
from domain.transfers import Step, Transfer


@dataclass(frozen=True, slots=True)
class TransferMoved:
    """A transfer after one of its changes, and the movement that change posted."""

    transfer: Transfer
    movement_id: UUID


@dataclass(frozen=True, slots=True)
class TransitChange:
    """How a use case changes a transfer, which steps that makes, and what it announces."""

    change: Callable[[Transfer], Transfer]
    steps: Callable[[Transfer, Transfer], list[Step]]
    announce: EventType


async def end_transit(
    uow: UnitOfWork,
    transfer_id: UUID,
    expected_versions: frozenset[int] | None,
    how: TransitChange,
    *,
    actor: str,
    now: datetime,
    new_id: Callable[[], UUID],
) -> TransferMoved:
    """Lock the transfer (row, then lines), change it, then its levels in key order. Lines in
    lots (ADR 0034) move into the lots they were shipped out of, each lot's step under its
    level's lock; no serial check: what arrives or returns was already counted in transit."""
    before = await uow.transfers.get(transfer_id, for_update=True)
    if before is None:
        raise NotFound(f"transfer {transfer_id} not found", resource="transfer")
    before.check_version(expected_versions)
    after = how.change(before)
    await uow.transfers.save(after)
    steps = how.steps(after, before)
    reorder_points = (await ensure_catalog(uow, steps)).reorder_points
    changes = await apply_steps(uow, steps, now, new_id)
    movement = Movement(
        id=new_id(),
        type=MovementType.TRANSFER_IN,
        reason=None,
        reference=after.reference,
        note=None,
        actor=actor,
        created_at=now,
        lines=ledger_lines(steps, changes),
        transfer_id=after.id,
    )
    await uow.movements.add(movement)
    applied = [(plain(step), c) for (_, step), c in zip(steps, changes, strict=True)]
    uow.events.add(
        [
            transfer_event(new_id, how.announce, after, now),
            movement_posted(new_id, movement),
            *level_events(new_id, applied, Cause(movement_id=movement.id), reorder_points, now),
        ]
    )
    return TransferMoved(after, movement.id)
