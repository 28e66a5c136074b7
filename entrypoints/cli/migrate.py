"""``stockroom migrate``: apply pending migrations (or roll every one back)."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from entrypoints.container import build_container, migrate, rollback_all, shutdown
from entrypoints.settings import Settings


def register(subparsers: Any) -> None:
    """Add the ``migrate`` subcommand."""
    parser = subparsers.add_parser("migrate", help="apply pending database migrations")
    parser.add_argument(
        "--rollback-all", action="store_true", help="roll back every applied migration instead"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Migrate on the direct URL (starting the embedded database if needed), then stop."""
    return asyncio.run(_run(args, settings))


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    container = build_container(settings)
    try:
        if args.rollback_all:
            done = await rollback_all(container)
            print(f"rolled back: {', '.join(done) or 'nothing'}")
        else:
            done = await migrate(container)
            print(f"applied: {', '.join(done) or 'nothing pending'}")
    finally:
        await shutdown(container)
    return 0
