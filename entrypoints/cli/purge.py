"""``stockroom purge``: delete idempotency keys older than 24 h, finished rate-limit windows and
events past their retention."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from entrypoints.container import open_stockroom
from entrypoints.settings import Settings

DESCRIPTION = """\
Delete idempotency keys older than 24 hours (the replay promise of docs/design.md §4) and
rate-limit windows that ended more than an hour ago, and events older than
STOCKROOM_EVENT_RETENTION_DAYS (default 7), across every org. Safe to run at any time and from
several places; run it from cron, e.g. hourly."""


def register(subparsers: Any) -> None:
    """Add the ``purge`` subcommand."""
    parser = subparsers.add_parser(
        "purge",
        help="delete expired idempotency keys, rate-limit windows and events",
        description=DESCRIPTION,
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run both purges and print what they deleted."""
    return asyncio.run(_run(settings))


async def _run(settings: Settings) -> int:
    async with open_stockroom(settings) as stockroom:
        purged = await stockroom.service.purge()
    print(
        f"purged {purged.idempotency_keys} idempotency key(s), "
        f"{purged.rate_limit_windows} rate-limit window(s), {purged.events} event(s)"
    )
    return 0
