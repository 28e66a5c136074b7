"""``stockroom migrate``: apply pending migrations (or, when confirmed, roll every one back)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from entrypoints.container import build_container, migrate, rollback_all, shutdown
from entrypoints.settings import Settings

CONFIRM = "--confirm-drop-all-data"


def register(subparsers: Any) -> None:
    """Add the ``migrate`` subcommand."""
    parser = subparsers.add_parser("migrate", help="apply pending database migrations")
    parser.add_argument(
        "--rollback-all",
        action="store_true",
        help=f"roll back every applied migration instead: drops every org's data (needs {CONFIRM})",
    )
    parser.add_argument(
        CONFIRM,
        dest="confirm_drop_all_data",
        action="store_true",
        help="confirm that --rollback-all may drop every table and all of its data",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Migrate on the direct URL (starting the embedded database if needed), then stop."""
    if args.rollback_all and not args.confirm_drop_all_data:
        # Refused before anything connects, in every environment, production included.
        print(
            f"stockroom migrate: --rollback-all drops every org's data ({settings.env}); "
            f"add {CONFIRM} to confirm",
            file=sys.stderr,
        )
        return 2
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
