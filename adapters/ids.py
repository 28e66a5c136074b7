"""Id generation adapter."""

from __future__ import annotations

from uuid import UUID, uuid4

from application.ports import IdGenerator


class UuidGenerator(IdGenerator):
    """Random UUIDv4 ids (stdlib 3.11 has no uuid7; v4 keeps us dependency-free)."""

    def new_id(self) -> UUID:
        return uuid4()
