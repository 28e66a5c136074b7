"""The FastAPI application factory: FastAPI for the routes and their documentation, behind
the edge (entrypoints/http/edge.py), the one layer every request passes first."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from application.service import StockroomService
from entrypoints.container import (
    Container,
    migrate,
    resolve_integrations,
    resolve_runtime,
    resolve_webhook_delivery,
    shutdown,
    startup,
)
from entrypoints.http.edge import Edge, EdgeServices
from entrypoints.http.errors import install_error_handlers
from entrypoints.http.observability import install_observability
from entrypoints.http.openapi import install_openapi
from entrypoints.http.routers import (
    auth,
    dev,
    events,
    health,
    items,
    locations,
    me,
    movements,
    reservations,
    stock_levels,
    webhooks,
)
from entrypoints.webhook_worker import start_worker

logger = logging.getLogger(__name__)


class StockroomAPI(FastAPI):
    """FastAPI with the edge in front: every request passes the edge before FastAPI's own
    middleware and routing, and direct routes never reach them."""

    edge: Edge

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.edge(scope, receive, send)


def create_app(
    container: Container, *, migrate_on_startup: bool | None = None, direct_routes: bool = True
) -> StockroomAPI:
    """Build the API around ``container``; its resources live as long as the app's lifespan.

    Migrations run at startup only when asked (argument, else STOCKROOM_MIGRATE_ON_STARTUP);
    ``stockroom serve`` asks, so the process that owns an embedded database also migrates it.
    ``direct_routes=False`` serves every route through FastAPI (the differential tests use it
    to hold the direct routes to FastAPI's answers).
    """
    settings = container.settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await startup(container)
        try:
            wanted = migrate_on_startup
            if wanted is None:
                wanted = settings.migrate_on_startup
            if wanted:
                applied = await migrate(container)
                logger.info("migrations applied: %s", ", ".join(applied) or "none pending")
            runtime = await resolve_runtime(container)
            app.state.runtime = runtime
            app.state.integrations = await resolve_integrations(container)
            api.edge.services = EdgeServices(runtime.token_verifier, runtime.rate_limiter)
            # `stockroom serve` asks for a delivery worker (app.state.webhook_worker).
            worker = None
            if getattr(app.state, "webhook_worker", False):
                worker = start_worker(await resolve_webhook_delivery(container))
            try:
                yield
            finally:
                if worker is not None:
                    await worker.close()
        finally:
            api.edge.services = None
            await shutdown(container)

    api = StockroomAPI(
        title="Stockroom",
        summary="Multi-tenant inventory: items, locations, stock movements and reservations.",
        version="0.1.0",
        lifespan=lifespan,
    )
    api.state.container = container
    install_error_handlers(api)
    metrics = install_observability(api, container.pool_stats)
    api.include_router(health.router)
    api.include_router(auth.router)
    api.include_router(me.router)
    api.include_router(items.router)
    api.include_router(locations.router)
    api.include_router(stock_levels.router)
    api.include_router(movements.router)
    api.include_router(reservations.router)
    api.include_router(events.router)
    api.include_router(webhooks.router)
    install_openapi(api)
    if not settings.better_auth_url:  # the dev issuer is active: publish its keys
        api.include_router(dev.router)

    def service() -> StockroomService:
        return api.state.runtime.service  # type: ignore[no-any-return]

    direct = {("GET", stock_levels.PATH): stock_levels.direct_list_stock_levels(service)}
    api.edge = Edge(
        partial(FastAPI.__call__, api),
        metrics=metrics,
        max_body_bytes=settings.max_body_bytes,
        rate_limit_per_minute=settings.rate_limit_per_minute,
        cors_origins=settings.cors_origins,
        direct=direct if direct_routes else None,
    )
    return api
