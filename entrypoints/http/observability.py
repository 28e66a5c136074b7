"""Prometheus metrics of the API, and ``GET /metrics``; the edge records every request.

Labels use the route template (``/v1/items/{item_id}``), never the raw path, so cardinality
stays bounded. Domain counters are read off the responses: a 201 from
``POST /v1/reservations`` (not an idempotent replay) is a reservation created; a 409 whose
problem code is ``insufficient_stock`` is an oversell refused.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator

from fastapi import FastAPI, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    generate_latest,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from application.observability import PoolStats

METRICS_PATH = "/metrics"
RESERVATIONS_ROUTE = "/v1/reservations"
UNMATCHED = "<unmatched>"
MAX_LABEL_SETS = 10_000  # routes x methods x statuses stays far below this


BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
REQUESTS = "stockroom_http_requests"
_OVERFLOW = ("OTHER", UNMATCHED, 0)  # every label set past MAX_LABEL_SETS
LATENCY = "stockroom_http_request_duration_seconds"


class RequestStats(Collector):
    """Requests served and their latency, per (method, route, status), as plain numbers.

    Every request is recorded here, and prometheus_client's own Counter and Histogram take a
    lock and walk the buckets in Python per update (3.3 us a request, more than the rest of the
    edge's bookkeeping). Requests are recorded from the event loop's thread only, so plain
    lists do; a scrape reads them into the usual counter and histogram families."""

    def __init__(self) -> None:
        # label set -> [count, latency sum, count per bucket (not cumulative)..., above all]
        self._series: dict[tuple[str, str, int], list[float]] = {}

    def record(self, key: tuple[str, str, int], elapsed: float) -> None:
        series = self._series.get(key)
        if series is None:
            if len(self._series) >= MAX_LABEL_SETS:  # bounded, whatever comes: one more
                key = _OVERFLOW
                series = self._series.get(key)
            if series is None:
                series = self._series[key] = [0.0] * (len(BUCKETS) + 3)
        series[0] += 1
        series[1] += elapsed
        series[2 + bisect_left(BUCKETS, elapsed)] += 1

    def collect(self) -> Iterator[Metric]:
        requests = Metric(REQUESTS, "HTTP requests served", "counter")
        latency = Metric(LATENCY, "HTTP request latency", "histogram")
        for (method, route, status), series in list(self._series.items()):
            labels = {"method": method, "route": route, "status": str(status)}
            requests.add_sample(REQUESTS + "_total", labels, series[0])
            cumulative = 0.0
            for bound, count in zip(BUCKETS, series[2:], strict=False):
                cumulative += count
                latency.add_sample(LATENCY + "_bucket", {**labels, "le": str(bound)}, cumulative)
            latency.add_sample(LATENCY + "_bucket", {**labels, "le": "+Inf"}, series[0])
            latency.add_sample(LATENCY + "_count", labels, series[0])
            latency.add_sample(LATENCY + "_sum", labels, series[1])
        yield requests
        yield latency


class Metrics:
    """Every metric of one app, in its own registry (tests build many apps per process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = RequestStats()
        self.registry.register(self.requests)
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
        self.requests.record((method, route or UNMATCHED, status), elapsed)
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
