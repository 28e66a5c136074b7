"""The published OpenAPI document describes authentication and every /v1 operation."""

from __future__ import annotations

from typing import Any

import httpx


async def test_every_v1_operation_declares_the_bearer_scheme(client: httpx.AsyncClient) -> None:
    schema: dict[str, Any] = (await client.get("/openapi.json")).json()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    public = {("/v1/auth/login", "post")}
    for path, operations in schema["paths"].items():
        for verb, operation in operations.items():
            if path.startswith("/v1/") and (path, verb) not in public:
                assert {"HTTPBearer": []} in operation.get("security", []), f"{verb} {path}"
                assert operation.get("summary"), f"{verb} {path} has no summary"
