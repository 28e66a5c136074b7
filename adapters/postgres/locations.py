"""Locations of one org."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from psycopg import errors as pg_errors

from adapters.postgres.errors import conflict_for
from adapters.postgres.intake_sql import HOLD_INTAKE_EXCLUSIVE
from adapters.postgres.repository import Repository, Row, utc
from application.pagination import PageRequest
from application.ports import Locations
from domain.catalog import Location, LocationKind

INSERT_LOCATION = """
INSERT INTO locations (org_id, id, code, name, kind, archived, version, created_at, updated_at)
VALUES (%(org_id)s, %(id)s, %(code)s, %(name)s, %(kind)s, %(archived)s, %(version)s,
        %(created_at)s, %(updated_at)s)
"""
UPDATE_LOCATION = """
UPDATE locations SET name = %(name)s, kind = %(kind)s, archived = %(archived)s,
       version = %(version)s, updated_at = %(updated_at)s
WHERE org_id = %(org_id)s AND id = %(id)s
"""
SELECT_LOCATION = """
SELECT id, code, name, kind, archived, version, created_at, updated_at
FROM locations WHERE org_id = %(org_id)s AND id = %(id)s
"""
SELECT_LOCATION_FOR_UPDATE = """
SELECT id, code, name, kind, archived, version, created_at, updated_at
FROM locations WHERE org_id = %(org_id)s AND id = %(id)s FOR UPDATE
"""
# Held until the transaction ends against an archive (its FOR UPDATE waits): a write that
# brings stock in has read them (adapters/postgres/intake_sql.py). In id order: no deadlock.
SELECT_LOCATIONS = """
SELECT id, code, name, kind, archived, version, created_at, updated_at
FROM locations WHERE org_id = %(org_id)s AND id = ANY(%(ids)s) ORDER BY id FOR KEY SHARE
"""
# lower(code) is in the "C" collation (migration 0002): the code-point order of the cursors.
# First page and later pages are separate statements so each gets its index range scan.
LIST_LOCATIONS = """
SELECT id, code, name, kind, archived, version, created_at, updated_at
FROM locations WHERE org_id = %(org_id)s ORDER BY lower(code) LIMIT %(limit)s
"""
LIST_LOCATIONS_AFTER = """
SELECT id, code, name, kind, archived, version, created_at, updated_at
FROM locations WHERE org_id = %(org_id)s AND lower(code) > %(after)s
ORDER BY lower(code) LIMIT %(limit)s
"""


def location_from_row(row: Row) -> Location:
    """Rebuild a Location from a selected row."""
    return Location(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        kind=LocationKind(row["kind"]),
        archived=row["archived"],
        version=row["version"],
        created_at=utc(row["created_at"]),
        updated_at=utc(row["updated_at"]),
    )


def _params(location: Location) -> dict[str, object]:
    return {
        "id": location.id,
        "code": location.code,
        "name": location.name,
        "kind": location.kind.value,
        "archived": location.archived,
        "version": location.version,
        "created_at": location.created_at,
        "updated_at": location.updated_at,
    }


class PostgresLocations(Repository, Locations):
    """Locations of one org; a duplicate code is a Conflict, mapped from the index's name."""

    async def add(self, location: Location) -> None:
        try:
            await self._run(INSERT_LOCATION, _params(location))
        except pg_errors.UniqueViolation as exc:
            conflict = conflict_for(exc)
            if conflict is None:
                raise
            raise conflict from None

    async def get(self, location_id: UUID, *, for_update: bool = False) -> Location | None:
        query = SELECT_LOCATION_FOR_UPDATE if for_update else SELECT_LOCATION
        row = await self._one(query, {"id": location_id})
        return None if row is None else location_from_row(row)

    async def lock_to_archive(self, location_id: UUID) -> Location | None:
        self._defer(HOLD_INTAKE_EXCLUSIVE)  # flies with the row lock: no import is running
        return await self.get(location_id, for_update=True)

    async def get_many(self, location_ids: Sequence[UUID]) -> dict[UUID, Location]:
        rows = await self._all(SELECT_LOCATIONS, {"ids": list(location_ids)})
        return {row["id"]: location_from_row(row) for row in rows}

    async def save(self, location: Location) -> None:
        await self._run(UPDATE_LOCATION, _params(location))

    async def list(self, page: PageRequest) -> list[Location]:
        if page.after is None:
            rows = await self._all(LIST_LOCATIONS, {"limit": page.limit + 1})
        else:
            rows = await self._all(
                LIST_LOCATIONS_AFTER, {"after": page.after[0], "limit": page.limit + 1}
            )
        return [location_from_row(row) for row in rows]
