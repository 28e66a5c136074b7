"""Schemathesis over the app's own OpenAPI document: no server errors, no answer off-schema.

The app runs in-process (ASGI, lifespan included) on the test database; every request carries
an admin dev token of a fresh org, so generated requests reach the use cases, not just auth.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.integration.conftest import app_settings, new_org_id, started

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class DeferredApp:
    """The ASGI app schemathesis calls: the schema is read at import, the database comes later.

    Schemathesis runs the app's lifespan once per test; each lifespan gets a fresh app (and
    container), since a container's resources do not start again after a shutdown. The dev
    issuer's key stays in the data directory, so one token serves them all.
    """

    settings: Settings | None = None
    app: FastAPI | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert self.settings is not None, "the admin_headers fixture configures the app"
        if scope["type"] == "lifespan":
            self.app = create_app(build_container(self.settings))
        assert self.app is not None
        await self.app(scope, receive, send)


def _document() -> dict[str, Any]:
    # Building an app connects to nothing until its lifespan starts.
    app = create_app(build_container(Settings(database_url="postgresql:///unused")))
    return app.openapi()


TARGET = DeferredApp()
# Login needs a BetterAuth server (503 without one); tests/interop covers it against a real one.
schema = schemathesis.openapi.from_dict(_document()).exclude(path="/v1/auth/login")
schema.app = TARGET


@pytest.fixture(scope="module")
def admin_headers(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """Start the app on the test database; an admin token of a fresh org for every request."""
    data_dir = tmp_path_factory.mktemp("fuzz") / "data"
    TARGET.settings = app_settings(database_url, data_dir)
    with asgi.get_client(TARGET):  # starts the lifespan on schemathesis' own event loop
        pass
    try:
        assert TARGET.app is not None
        issuer = started(TARGET.app).dev_issuer
        assert issuer is not None
        token = issuer.mint(user_id="fuzzer", org_id=new_org_id(), role="admin", email=None)
        yield {"Authorization": f"Bearer {token}"}
    finally:
        asgi.shutdown_lifespans()


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_within_its_schema(
    case: schemathesis.Case, admin_headers: dict[str, str]
) -> None:
    case.call_and_validate(headers=admin_headers, checks=CHECKS)
