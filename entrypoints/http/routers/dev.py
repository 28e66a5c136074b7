"""The dev issuer's public keys; mounted only when no BetterAuth server is configured."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from entrypoints.http.dependencies import stockroom

router = APIRouter(prefix="/dev", tags=["development"])


@router.get("/jwks", summary="The dev token issuer's JWKS (development only)")
async def jwks(request: Request) -> dict[str, Any]:
    """Same shape as BetterAuth's /api/auth/jwks, so clients can verify dev tokens too."""
    issuer = stockroom(request).dev_issuer
    assert issuer is not None  # noqa: S101 -- the router is mounted only with a dev issuer
    return issuer.jwks()
