"""``stockroom serve``: migrate, then serve the API (one process owns the embedded database)."""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn

from entrypoints.cli.dev_token import mint, refusal
from entrypoints.container import Container, build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings

DEV_ORG = "dev-org"
DEV_TOKEN_TTL = 8 * 3600  # a working day of `make run` without minting again


def register(subparsers: Any) -> None:
    """Add the ``serve`` subcommand."""
    parser = subparsers.add_parser("serve", help="apply migrations and serve the HTTP API")
    parser.add_argument("--host", help="bind address (default: STOCKROOM_HOST)")
    parser.add_argument("--port", type=int, help="port (default: STOCKROOM_PORT)")
    parser.add_argument(
        "--no-migrate", action="store_true", help="do not apply pending migrations first"
    )
    parser.set_defaults(func=run)


def _print_dev_token(container: Container, base_url: str) -> None:
    token = mint(
        container,
        org=DEV_ORG,
        role="owner",
        user="dev-user",
        email="dev@example.com",
        ttl=DEV_TOKEN_TTL,
    )
    print(
        f"Dev token (owner of {DEV_ORG!r}, valid {DEV_TOKEN_TTL // 3600} h; "
        "more with `stockroom dev-token --org ORG --role ROLE`):\n"
        f"  {token}\n"
        "Try it:\n"
        f'  curl -H "Authorization: Bearer {token}" {base_url}/v1/me',
        flush=True,
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until SIGINT/SIGTERM; the lifespan then closes the pool and stops the database."""
    host = args.host or settings.host
    port = args.port or settings.port
    container = build_container(settings)
    app = create_app(container, migrate_on_startup=not args.no_migrate)
    app.state.webhook_worker = settings.webhook_worker  # unless STOCKROOM_WEBHOOK_WORKER=false
    shown = f"[{host}]" if ":" in host else host
    print(f"Stockroom API on http://{shown}:{port} (docs: http://{shown}:{port}/docs)", flush=True)
    if refusal(settings) is None:  # the dev issuer is active: hand out a token to try
        _print_dev_token(container, f"http://{shown}:{port}")
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        access_log=False,
        log_config=None,
    )
    return 0
