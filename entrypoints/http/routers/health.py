"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from application.readiness import ReadinessProbe
from entrypoints.http.dependencies import stockroom

router = APIRouter(tags=["health"])

RETRY_AFTER_SECONDS = 5


async def _readiness_probe(request: Request) -> ReadinessProbe:
    return stockroom(request).readiness


Readiness = Annotated[ReadinessProbe, Depends(_readiness_probe)]


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    """Liveness: answers as long as the process serves HTTP; touches no dependency."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The database is reachable and migrations are current",
    responses={503: {"description": "Not ready (problem+json, with Retry-After)"}},
)
async def readyz(request: Request, probe: Readiness) -> Any:
    """Readiness: ``SELECT 1`` through the pool works and no migration is pending (a result
    at most a second old: probes share one check)."""
    problems = await probe.check()
    if not problems:
        return {"status": "ready"}
    return JSONResponse(
        status_code=503,
        media_type="application/problem+json",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        content={
            "type": "about:blank",
            "title": "Service Unavailable",
            "status": 503,
            "detail": "; ".join(problems),
            "instance": request.url.path,
            "code": "not_ready",
            "problems": problems,
        },
    )
