"""/metrics and the access log through the real app, container and test database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from structlog.testing import capture_logs

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings

SECRET = "Bearer eyJhbGciOiJFZERTQSJ9.secret-token-value.sig"


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(build_container(Settings(database_url=database_url)))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_metrics_expose_the_request_counter_and_latency_by_route_template(
    client: httpx.AsyncClient,
) -> None:
    await client.get("/healthz")
    await client.get("/v1/items/00000000-0000-0000-0000-000000000000")

    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'stockroom_http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in text
    assert (
        'stockroom_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/healthz"'
        in text
    )
    assert 'route="/v1/items/{item_id}"' in text
    assert "00000000-0000-0000-0000-000000000000" not in text
    assert 'stockroom_db_pool{stat="pool_max"}' in text


async def test_the_access_log_has_the_request_id_and_never_the_authorization_value(
    client: httpx.AsyncClient,
) -> None:
    with capture_logs() as logs:
        response = await client.get(
            "/v1/items", headers={"Authorization": SECRET, "X-Request-ID": "req-12345678"}
        )

    access = [e for e in logs if e.get("event") == "request"]
    assert len(access) == 1
    line = access[0]
    assert line["request_id"] == response.headers["x-request-id"] == "req-12345678"
    assert line["route"] == "/v1/items"
    assert line["method"] == "GET"
    assert line["status"] == response.status_code
    assert line["duration_ms"] >= 0
    assert "secret-token-value" not in repr(logs)
