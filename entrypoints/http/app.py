"""The FastAPI application factory: FastAPI for the routes and their documentation, behind
the edge (entrypoints/http/edge.py), the one layer every request passes first."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from application.observability import PoolStats
from application.service import StockroomService
from entrypoints.container import Container, Stockroom, open_stockroom
from entrypoints.http.edge import Edge, EdgeServices
from entrypoints.http.errors import install_error_handlers
from entrypoints.http.observability import install_observability
from entrypoints.http.openapi import install_openapi
from entrypoints.http.routers import (
    auth,
    counts,
    dev,
    events,
    health,
    items,
    locations,
    lots,
    me,
    movements,
    reservations,
    stock_levels,
    transfers,
    webhooks,
)
from entrypoints.webhook_worker import start_worker


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

    migrate_first = (
        settings.migrate_on_startup if migrate_on_startup is None else migrate_on_startup
    )

    running: list[StockroomService] = []  # the started service, while the app runs

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_stockroom(container=container, migrate_first=migrate_first) as stockroom:
            app.state.stockroom = stockroom
            running[:] = [stockroom.service]
            api.edge.services = EdgeServices(stockroom.token_verifier, stockroom.rate_limiter)
            # `stockroom serve` asks for a webhook delivery worker (app.state.webhook_worker).
            worker = None
            if getattr(app.state, "webhook_worker", False):
                worker = start_worker(stockroom.service.deliver_webhooks)
            # Everything built so far lives as long as the app: keep it out of the cyclic
            # collector, whose full passes over it paused requests for tens of milliseconds.
            gc.collect()
            gc.freeze()
            try:
                yield
            finally:
                gc.unfreeze()
                running.clear()
                api.edge.services = None
                if worker is not None:
                    await worker.close()

    api = StockroomAPI(
        title="Stockroom",
        summary="Multi-tenant inventory: items, locations, stock movements and reservations.",
        version="0.1.0",
        lifespan=lifespan,
    )
    install_error_handlers(api)
    metrics = install_observability(api, lambda: _pool_stats(api))
    api.include_router(health.router)
    api.include_router(auth.router)
    api.include_router(me.router)
    api.include_router(items.router)
    api.include_router(locations.router)
    api.include_router(stock_levels.router)
    api.include_router(lots.router)
    api.include_router(movements.router)
    api.include_router(transfers.router)
    api.include_router(counts.router)
    api.include_router(reservations.router)
    api.include_router(events.router)
    api.include_router(webhooks.router)
    install_openapi(api)
    if not settings.better_auth_url:  # the dev issuer is active: publish its keys
        api.include_router(dev.router)

    def service() -> StockroomService:
        # Read on every direct request: a list index, not Starlette's State lookup.
        return running[0]  # the edge serves routes only after startup

    direct = {
        ("GET", stock_levels.PATH): stock_levels.direct_list_stock_levels(service),
        ("POST", reservations.PREFIX): reservations.direct_create_reservation(service),
    }
    api.edge = Edge(
        partial(FastAPI.__call__, api),
        metrics=metrics,
        max_body_bytes=settings.max_body_bytes,
        rate_limit_per_minute=settings.rate_limit_per_minute,
        cors_origins=settings.cors_origins,
        direct=direct if direct_routes else None,
    )
    return api


def _pool_stats(api: FastAPI) -> PoolStats | None:
    started = _started(api)
    return None if started is None else started.pool_stats


def _started(api: FastAPI) -> Stockroom | None:
    """What the app started with, or None outside its lifespan."""
    return getattr(api.state, "stockroom", None)
