"""Probe routes added to a test app to drive error paths no real route reaches on demand."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field

from application.principal import Permission
from domain.errors import InsufficientStock
from entrypoints.http.dependencies import CurrentPrincipal, IfMatch

SECRET_SQL = "SELECT password FROM users -- secret internals"

router = APIRouter(prefix="/v1/_probe")


class Thing(BaseModel):
    name: str = Field(min_length=1)
    quantity: int = Field(gt=0)
    password: str | None = None


@router.post("/things")
async def create_thing(thing: Thing) -> dict[str, object]:
    return {"name": thing.name, "quantity": thing.quantity}


@router.post("/catalog")
async def manage_catalog(principal: CurrentPrincipal) -> dict[str, str]:
    return {"org_id": principal.require(Permission.MANAGE_CATALOG)}


@router.patch("/versioned")
async def versioned(versions: IfMatch) -> dict[str, list[int] | None]:
    return {"versions": None if versions is None else sorted(versions)}


@router.post("/shortage")
async def shortage() -> None:
    raise InsufficientStock(
        "not enough stock",
        lines=[{"item_id": "i", "location_id": "l", "requested": 5, "available": 2}],
    )


@router.get("/crash")
async def crash() -> None:
    raise RuntimeError(SECRET_SQL)


def add_probes(app: FastAPI) -> None:
    app.include_router(router)
