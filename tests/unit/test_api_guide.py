"""docs/api.md names every route the app serves."""

from __future__ import annotations

import re
from pathlib import Path

from entrypoints.http.asgi import create

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def test_every_route_in_the_openapi_document_appears_in_the_api_guide() -> None:
    guide = GUIDE.read_text()
    mentioned = {
        re.sub(r"\{[^}]+\}", "{id}", path) for path in re.findall(r"`[A-Z]+ (/\S+?)`", guide)
    }
    for path in [*create().openapi()["paths"], "/metrics", "/docs", "/openapi.json"]:
        assert re.sub(r"\{[^}]+\}", "{id}", path) in mentioned, f"{path} is not in docs/api.md"
