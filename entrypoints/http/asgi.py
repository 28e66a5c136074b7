"""ASGI factory for servers that manage workers themselves.

``python -m entrypoints.http.workers --workers N`` (one worker per core, ADR 0014; each on a
listening socket of its own, ADR 0038) builds one container and app per worker process, with
logging configured like ``stockroom serve``; ``uvicorn --factory entrypoints.http.asgi:create``
works too. Set ``DATABASE_URL``: several workers should not each start an embedded database.
"""

from __future__ import annotations

from fastapi import FastAPI

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.logging_setup import configure_logging
from entrypoints.settings import load_settings


def create() -> FastAPI:
    """Settings from the environment, logging configured, the app built around a container."""
    settings = load_settings()
    configure_logging(settings.env, settings.log_level)
    return create_app(build_container(settings))
