"""The edge's request counter and latency histogram, as a Prometheus scrape reads them."""

from __future__ import annotations

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from entrypoints.http import observability
from entrypoints.http.observability import Metrics


def scraped(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = generate_latest(metrics.registry).decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def labels(**extra: str) -> tuple[tuple[str, str], ...]:
    base = {"method": "GET", "route": "/v1/items", "status": "200"} | extra
    return tuple(sorted(base.items()))


def test_requests_are_counted_and_their_latency_falls_in_cumulative_buckets() -> None:
    metrics = Metrics()
    for elapsed in (0.001, 0.005, 0.02, 0.3, 42.0):  # 0.005 is "le 0.005": bounds are inclusive
        metrics.record("GET", "/v1/items", 200, elapsed, False, None)
    samples = scraped(metrics)

    latency = "stockroom_http_request_duration_seconds"
    assert samples[("stockroom_http_requests_total", labels())] == 5
    assert samples[(f"{latency}_count", labels())] == 5
    assert abs(samples[(f"{latency}_sum", labels())] - 42.326) < 1e-9
    buckets = {bound: samples[(f"{latency}_bucket", labels(le=bound))] for bound in
               ("0.005", "0.01", "0.025", "0.25", "0.5", "10.0", "+Inf")}  # fmt: skip
    assert buckets == {"0.005": 2, "0.01": 2, "0.025": 3, "0.25": 3, "0.5": 4, "10.0": 4, "+Inf": 5}


def test_label_sets_are_bounded_whatever_the_routes_and_statuses() -> None:
    metrics = Metrics()
    original = observability.MAX_LABEL_SETS
    observability.MAX_LABEL_SETS = 3
    try:
        for status in range(200, 210):
            metrics.record("GET", "/v1/items", status, 0.01, False, None)
    finally:
        observability.MAX_LABEL_SETS = original
    counted = {k: v for k, v in scraped(metrics).items() if k[0] == "stockroom_http_requests_total"}

    assert len(counted) == 4  # three label sets, then everything else as unmatched
    assert sum(counted.values()) == 10
