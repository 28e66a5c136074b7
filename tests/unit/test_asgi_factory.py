"""The worker factory builds the full app without starting anything."""

from __future__ import annotations

from entrypoints.http.asgi import create


def test_the_factory_builds_the_app_with_every_v1_route_and_starts_nothing() -> None:
    app = create()
    paths = set(app.openapi()["paths"])
    assert {"/healthz", "/readyz", "/v1/items", "/v1/stock-levels", "/v1/reservations"} <= paths
    assert getattr(app.state, "stockroom", None) is None  # nothing opened before the lifespan
