"""``stockroom expire-reservations``: mark reservations past expiry expired, free their holds."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from application.use_cases.expire_reservations import ExpireReservations
from entrypoints.container import open_stockroom
from entrypoints.settings import Settings

DESCRIPTION = """\
Expire reservations whose expires_at has passed: mark them expired and return their holds to
available, one small transaction each. Reads never wait for this (expired holds never count),
so running it from cron every few minutes only keeps stored statuses tidy."""


def register(subparsers: Any) -> None:
    """Add the ``expire-reservations`` subcommand."""
    parser = subparsers.add_parser(
        "expire-reservations",
        help="expire reservations past their expires_at and print how many",
        description=DESCRIPTION,
    )
    parser.add_argument(
        "--limit", type=int, default=1000, help="expire at most this many (default: 1000)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the expiry job once and print the number of reservations expired."""
    return asyncio.run(_run(args, settings))


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    async with open_stockroom(settings) as stockroom:
        expired = await stockroom.service.expire_reservations(ExpireReservations(limit=args.limit))
    print(f"expired {expired} reservation(s)")
    return 0
