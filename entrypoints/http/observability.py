"""Prometheus metrics of the API, and ``GET /metrics``; the edge records every request.

Labels use the route template (``/v1/items/{item_id}``), never the raw path, so cardinality
stays bounded. Domain counters are read off the responses: a 201 from
``POST /v1/reservations`` (not an idempotent replay) is a reservation created; a 409 whose
problem code is ``insufficient_stock`` is an oversell refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from application.observability import PoolStats

METRICS_PATH = "/metrics"
RESERVATIONS_ROUTE = "/v1/reservations"
UNMATCHED = "<unmatched>"
MAX_LABEL_SETS = 10_000  # routes x methods x statuses stays far below this


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
        # labels() validates and locks on every call; a child per label set is enough.
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def record(
        self,
        method: str,
        route: str | None,
        status: int,
        elapsed: float,
        replayed: bool,
        code: bytes | None,
    ) -> None:
        """Count one served request (by route template, never the raw path)."""
        key = (method, route or UNMATCHED, status)
        children = self._children.get(key)
        if children is None:
            labels = (method, route or UNMATCHED, str(status))
            children = (self.requests.labels(*labels), self.latency.labels(*labels))
            if len(self._children) < MAX_LABEL_SETS:
                self._children[key] = children
        children[0].inc()
        children[1].observe(elapsed)
        if route == RESERVATIONS_ROUTE and method == "POST" and status == 201 and not replayed:
            self.reservations_created.inc()
        if status == 409 and code == b"insufficient_stock":
            self.oversell_refusals.inc()


def install_observability(
    app: FastAPI, pool_stats: Callable[[], PoolStats | None] | None = None
) -> Metrics:
    """Add ``GET /metrics``; the edge records every request into the returned metrics.

    ``pool_stats`` gives the pool's statistics once the app has started (None before)."""
    metrics = Metrics()
    app.state.metrics = metrics

    @app.get(METRICS_PATH, include_in_schema=False)
    async def prometheus_metrics() -> Response:
        """Prometheus text exposition; unauthenticated, outside /v1 (scrape it privately)."""
        stats = pool_stats() if pool_stats is not None else None
        if stats is not None:
            for name, value in stats.snapshot().items():
                metrics.pool.labels(name).set(value)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return metrics
