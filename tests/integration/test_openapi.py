"""The published OpenAPI document describes authentication, rate limits and every /v1 operation."""

from __future__ import annotations

from typing import Any

import httpx

from entrypoints.http.edge import API_PREFIX

RATE_LIMIT_HEADERS = {"Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"}


async def test_every_v1_operation_declares_the_bearer_scheme(client: httpx.AsyncClient) -> None:
    schema: dict[str, Any] = (await client.get("/openapi.json")).json()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    public = {("/v1/auth/login", "post")}
    for path, operations in schema["paths"].items():
        for verb, operation in operations.items():
            if path.startswith("/v1/") and (path, verb) not in public:
                assert {"HTTPBearer": []} in operation.get("security", []), f"{verb} {path}"
                assert operation.get("summary"), f"{verb} {path} has no summary"


async def test_every_rate_limited_operation_documents_429_and_its_headers(
    client: httpx.AsyncClient,
) -> None:
    schema: dict[str, Any] = (await client.get("/openapi.json")).json()
    limited = [
        (path, verb, operation)
        for path, operations in schema["paths"].items()
        if path.startswith(API_PREFIX)  # the edge counts every request under it
        for verb, operation in operations.items()
    ]
    assert limited
    for path, verb, operation in limited:
        too_many = operation["responses"].get("429")
        assert too_many, f"{verb} {path} does not document 429"
        assert set(too_many.get("headers", {})) >= RATE_LIMIT_HEADERS, f"{verb} {path}"
        assert too_many["content"]["application/problem+json"], f"{verb} {path}"
