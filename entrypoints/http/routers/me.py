"""Who am I: the caller as the token describes it."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from entrypoints.http.dependencies import CurrentPrincipal
from entrypoints.http.routers.common import COMMON_ERRORS

router = APIRouter(prefix="/v1", tags=["identity"])


class Me(BaseModel):
    """The verified caller: user, active organization, role and what it may do."""

    user_id: str
    email: str | None
    org_id: str | None
    role: str | None
    permissions: list[str]


@router.get(
    "/me",
    summary="The caller's identity and permissions",
    responses=COMMON_ERRORS,
)
async def me(principal: CurrentPrincipal) -> Me:
    """Works with or without an organization in the token (then role and permissions are empty)."""
    return Me(
        user_id=principal.user_id,
        email=principal.email,
        org_id=principal.org_id,
        role=principal.role,
        permissions=sorted(p.value for p in principal.permissions),
    )
