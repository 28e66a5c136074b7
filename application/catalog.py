"""What the item and location use cases share: find an entry, lock it for a versioned change."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from application.ports import CatalogEntries, E
from domain.errors import NotFound


async def find(entries: CatalogEntries[E], entry_id: UUID, resource: str) -> E:
    """The entry, or NotFound (also for another org's id: the repository never sees it)."""
    entry = await entries.get(entry_id)
    if entry is None:
        raise NotFound(f"{resource} {entry_id} not found", resource=resource)
    return entry


async def lock_for_change(
    entries: CatalogEntries[E],
    entry_id: UUID,
    resource: str,
    expected_versions: frozenset[int] | None,
) -> E:
    """The entry locked for update, if it is still at one of ``expected_versions`` (If-Match)."""
    entry = await entries.get(entry_id, for_update=True)
    if entry is None:
        raise NotFound(f"{resource} {entry_id} not found", resource=resource)
    entry.check_version(expected_versions)
    return entry


async def archive(
    entries: CatalogEntries[E],
    entry_id: UUID,
    resource: str,
    expected_versions: frozenset[int] | None,
    now: datetime,
) -> tuple[E, bool]:
    """Archive the entry; an archived one is returned as it is (archiving is idempotent).
    The flag says whether this call archived it (and so has something to announce)."""
    entry = await entries.lock_to_archive(entry_id)
    if entry is None:
        raise NotFound(f"{resource} {entry_id} not found", resource=resource)
    entry.check_version(expected_versions)
    if entry.archived:
        return entry, False
    archived = entry.archive(now)
    await entries.save(archived)
    return archived, True
