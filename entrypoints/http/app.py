"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from entrypoints.container import Container, migrate, resolve_runtime, shutdown, startup
from entrypoints.http.errors import install_error_handlers
from entrypoints.http.middleware import install_middleware
from entrypoints.http.observability import install_observability
from entrypoints.http.openapi import install_openapi
from entrypoints.http.routers import (
    auth,
    dev,
    health,
    items,
    locations,
    me,
    movements,
    reservations,
    stock_levels,
)

logger = logging.getLogger(__name__)


def create_app(container: Container, *, migrate_on_startup: bool | None = None) -> FastAPI:
    """Build the API around ``container``; its resources live as long as the app's lifespan.

    Migrations run at startup only when asked (argument, else STOCKROOM_MIGRATE_ON_STARTUP);
    ``stockroom serve`` asks, so the process that owns an embedded database also migrates it.
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
            app.state.service = runtime.service
            yield
        finally:
            await shutdown(container)

    app = FastAPI(
        title="Stockroom",
        summary="Multi-tenant inventory: items, locations, stock movements and reservations.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.container = container
    install_error_handlers(app)
    install_middleware(app, settings)
    install_observability(app, container.pool_stats)  # outermost: access log, /metrics
    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(me.router)
    app.include_router(items.router)
    app.include_router(locations.router)
    app.include_router(stock_levels.router)
    app.include_router(movements.router)
    app.include_router(reservations.router)
    install_openapi(app)
    if not settings.better_auth_url:  # the dev issuer is active: publish its keys
        app.include_router(dev.router)
    return app
