"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from entrypoints.container import Container, migrate, shutdown, startup
from entrypoints.http.routers import health

logger = logging.getLogger(__name__)


def create_app(container: Container, *, migrate_on_startup: bool | None = None) -> FastAPI:
    """Build the API around ``container``; its resources live as long as the app's lifespan.

    Migrations run at startup only when asked (argument, else STOCKROOM_MIGRATE_ON_STARTUP);
    ``stockroom serve`` asks, so the process that owns an embedded database also migrates it.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await startup(container)
        try:
            settings = container.settings()
            wanted = migrate_on_startup
            if wanted is None:
                wanted = settings.migrate_on_startup
            if wanted:
                applied = await migrate(container)
                logger.info("migrations applied: %s", ", ".join(applied) or "none pending")
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
    app.include_router(health.router)
    return app
