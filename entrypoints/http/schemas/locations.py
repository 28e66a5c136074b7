"""Location bodies: create, partial update, the location as clients see it."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application.use_cases.create_location import CreateLocation
from domain import catalog
from domain.catalog import LocationKind
from entrypoints.http.schemas.common import Code, ListPage, Name, Request, Timestamp


class LocationCreate(Request):
    """A new location; ``code`` is unique per organization, case-insensitively."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"code": "MAIN", "name": "Main warehouse"}]}
    )

    code: Code
    name: Name
    kind: LocationKind = LocationKind.WAREHOUSE

    def to_command(self) -> CreateLocation:
        """The use case command for this body."""
        return CreateLocation(code=self.code, name=self.name, kind=self.kind)


class LocationUpdate(Request):
    """A new name or kind (or both)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Main warehouse (north)"}]})

    name: Name | None = None
    kind: LocationKind | None = None


class Location(BaseModel):
    """A place stock is kept; archived locations stay readable but take no new stock."""

    id: UUID
    code: str = Field(examples=["MAIN"])
    name: str = Field(examples=["Main warehouse"])
    kind: LocationKind
    archived: bool
    version: int = Field(description="Bumped on every change; sent as the ETag.")
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, location: catalog.Location) -> Location:
        """The response body for a domain location."""
        return cls(
            id=location.id,
            code=location.code,
            name=location.name,
            kind=location.kind,
            archived=location.archived,
            version=location.version,
            created_at=location.created_at,
            updated_at=location.updated_at,
        )


class LocationPage(ListPage[Location]):
    """A page of locations in code order."""
