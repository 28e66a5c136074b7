"""Request ids, security headers, CORS, and the body checks (413, 415) in front of the app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

import httpx
import pytest
from fastapi import FastAPI

from tests.integration.conftest import client_for
from tests.integration.probe import add_probes

ORIGIN = "https://shop.example"
AuthHeaders = Callable[..., dict[str, str]]


@pytest.fixture
async def probed(app: FastAPI) -> FastAPI:
    add_probes(app)
    return app


async def test_a_well_formed_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "abc-123_x.y"})

    assert response.headers["x-request-id"] == "abc-123_x.y"


@pytest.mark.parametrize("bad", ["has space", "x" * 129, "semi;colon", ""])
async def test_a_malformed_request_id_is_replaced(client: httpx.AsyncClient, bad: str) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": bad})

    assert response.headers["x-request-id"] != bad
    assert len(response.headers["x-request-id"]) == 32


async def test_each_request_gets_its_own_id(client: httpx.AsyncClient) -> None:
    first, second = await client.get("/healthz"), await client.get("/healthz")

    assert first.headers["x-request-id"] != second.headers["x-request-id"]


@pytest.mark.parametrize("path", ["/healthz", "/v1/me", "/v1/nowhere"])
async def test_security_headers_are_on_every_response(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)

    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_api_responses_are_never_cached(client: httpx.AsyncClient, auth: AuthHeaders) -> None:
    assert (await client.get("/v1/me", headers=auth())).headers["cache-control"] == "no-store"
    assert (await client.get("/v1/me")).headers["cache-control"] == "no-store"


async def test_no_cors_headers_without_configured_origins(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/me", headers={"Origin": ORIGIN})

    assert "access-control-allow-origin" not in response.headers


@pytest.fixture
async def cors_client(
    start_app: Callable[..., AbstractAsyncContextManager[FastAPI]],
) -> AsyncIterator[httpx.AsyncClient]:
    async with start_app(cors_origins=[ORIGIN]) as app, client_for(app) as client:
        yield client


async def test_a_configured_origin_may_call_the_api(cors_client: httpx.AsyncClient) -> None:
    preflight = await cors_client.options(
        "/v1/me",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    actual = await cors_client.get("/v1/me", headers={"Origin": ORIGIN})

    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert actual.headers["access-control-allow-origin"] == ORIGIN
    assert "X-Request-ID" in actual.headers["access-control-expose-headers"]


async def test_another_origin_gets_no_cors_grant(cors_client: httpx.AsyncClient) -> None:
    preflight = await cors_client.options(
        "/v1/me",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    actual = await cors_client.get("/v1/me", headers={"Origin": "https://evil.example"})

    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in actual.headers


async def test_a_declared_body_over_the_limit_is_413(
    start_app: Callable[..., AbstractAsyncContextManager[FastAPI]],
) -> None:
    async with start_app(max_body_bytes=64) as app, client_for(app) as client:
        add_probes(app)
        response = await client.post("/v1/_probe/things", json={"name": "x" * 100, "quantity": 1})

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "payload_too_large"


async def test_a_streamed_body_over_the_limit_is_413(
    start_app: Callable[..., AbstractAsyncContextManager[FastAPI]],
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b'{"name": "' + b"x" * 20

    async with start_app(max_body_bytes=64) as app, client_for(app) as client:
        add_probes(app)
        response = await client.post(
            "/v1/_probe/things", content=chunks(), headers={"Content-Type": "application/json"}
        )

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


async def test_a_body_under_the_limit_passes(probed: FastAPI, client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/_probe/things", json={"name": "x", "quantity": 1})

    assert response.status_code == 200


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_a_non_json_body_is_415(
    probed: FastAPI, client: httpx.AsyncClient, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}

    response = await client.post("/v1/_probe/things", content=b"name=x", headers=headers)

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


async def test_json_with_a_charset_or_a_json_suffix_is_accepted(
    probed: FastAPI, client: httpx.AsyncClient
) -> None:
    body = b'{"name": "x", "quantity": 1}'
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = await client.post(
            "/v1/_probe/things", content=body, headers={"Content-Type": content_type}
        )
        assert response.status_code == 200, content_type


async def test_a_post_without_a_body_needs_no_content_type(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/me")

    assert response.status_code == 405  # reached the router: no 415 for an empty body
