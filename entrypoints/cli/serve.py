"""``stockroom serve``: migrate, then serve the API (one process owns the embedded database)."""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings


def register(subparsers: Any) -> None:
    """Add the ``serve`` subcommand."""
    parser = subparsers.add_parser("serve", help="apply migrations and serve the HTTP API")
    parser.add_argument("--host", help="bind address (default: STOCKROOM_HOST)")
    parser.add_argument("--port", type=int, help="port (default: STOCKROOM_PORT)")
    parser.add_argument(
        "--no-migrate", action="store_true", help="do not apply pending migrations first"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until SIGINT/SIGTERM; the lifespan then closes the pool and stops the database."""
    host = args.host or settings.host
    port = args.port or settings.port
    app = create_app(build_container(settings), migrate_on_startup=not args.no_migrate)
    shown = f"[{host}]" if ":" in host else host
    print(f"Stockroom API on http://{shown}:{port} (docs: http://{shown}:{port}/docs)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower(), access_log=False)
    return 0
