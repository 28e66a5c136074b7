"""Per-request access log and Prometheus metrics, as one pure ASGI middleware, plus /metrics.

Labels use the route template (``/v1/items/{item_id}``), never the raw path, so cardinality
stays bounded. The access log records ids, method, route, status and duration only: never
headers, bodies or tokens. Domain counters are read off the responses: a 201 from
``POST /v1/reservations`` (not an idempotent replay) is a reservation created; a 409 whose
problem code is ``insufficient_stock`` is an oversell refused.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.observability import PoolStats

METRICS_PATH = "/metrics"
RESERVATIONS_ROUTE = "/v1/reservations"
UNMATCHED = "<unmatched>"
access_log = structlog.get_logger("stockroom.access")


class Metrics:
    """Every metric of one app, in its own registry (tests build many apps per process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        labels = ("method", "route", "status")
        self.requests = Counter(
            "stockroom_http_requests", "HTTP requests served", labels, registry=self.registry
        )
        self.latency = Histogram(
            "stockroom_http_request_duration_seconds",
            "HTTP request latency",
            labels,
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
        )
        self.reservations_created = Counter(
            "stockroom_reservations_created", "Reservations created", registry=self.registry
        )
        self.oversell_refusals = Counter(
            "stockroom_oversell_refusals",
            "Requests refused with insufficient_stock",
            registry=self.registry,
        )
        self.pool = Gauge(
            "stockroom_db_pool", "Connection pool usage", ("stat",), registry=self.registry
        )


class ObservabilityMiddleware:
    """Times each HTTP request, logs one access line and records the request metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        seen: dict[str, Any] = {"status": 500, "request_id": None, "replayed": False}
        body = bytearray()

        async def observe(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                for name, value in message.get("headers", []):
                    if name == b"x-request-id":
                        seen["request_id"] = value.decode("latin-1")
                    elif name == b"idempotent-replayed":
                        seen["replayed"] = value == b"true"
            elif message["type"] == "http.response.body" and seen["status"] == 409:
                body.extend(message.get("body", b"")[: 4096 - len(body)])
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            self._record(scope, seen, bytes(body), time.perf_counter() - started)

    def _record(self, scope: Scope, seen: dict[str, Any], body: bytes, elapsed: float) -> None:
        route = getattr(scope.get("route"), "path", None) or UNMATCHED
        method, status = scope["method"], seen["status"]
        labels = (method, route, str(status))
        self.metrics.requests.labels(*labels).inc()
        self.metrics.latency.labels(*labels).observe(elapsed)
        created = route == RESERVATIONS_ROUTE and method == "POST" and status == 201
        if created and not seen["replayed"]:
            self.metrics.reservations_created.inc()
        if status == 409 and b'"insufficient_stock"' in body:
            self.metrics.oversell_refusals.inc()
        state = scope.get("state") or {}
        principal = state.get("principal")
        access_log.info(
            "request",
            request_id=seen["request_id"] or state.get("request_id"),
            org=getattr(principal, "org_id", None),
            user=getattr(principal, "user_id", None),
            method=method,
            route=route,
            status=status,
            duration_ms=round(elapsed * 1000, 2),
        )


def install_observability(app: FastAPI, pool_stats: Any = None) -> Metrics:
    """Add the middleware (outermost, so it times everything) and ``GET /metrics``.

    ``pool_stats`` is a PoolStats, or a provider call returning one (maybe awaitable)."""
    metrics = Metrics()
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)
    app.state.metrics = metrics

    @app.get(METRICS_PATH, include_in_schema=False)
    async def prometheus_metrics(request: Request) -> Response:
        """Prometheus text exposition; unauthenticated, outside /v1 (scrape it privately)."""
        stats = await _pool_stats(pool_stats)
        if stats is not None:
            for name, value in stats.snapshot().items():
                metrics.pool.labels(name).set(value)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return metrics


async def _pool_stats(source: Any) -> PoolStats | None:
    if source is None:
        return None
    try:
        value = source() if callable(source) else source
        if asyncio.isfuture(value) or asyncio.iscoroutine(value):
            value = await value
    except Exception:
        return None
    stats: PoolStats = value
    return stats
