"""``stockroom deliver-webhooks``: run a webhook delivery worker alone, until stopped."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from typing import Any

from entrypoints.container import open_stockroom
from entrypoints.settings import Settings
from entrypoints.webhook_worker import start_worker

DESCRIPTION = """\
Deliver webhooks until SIGINT or SIGTERM. Workers coordinate through PostgreSQL alone (each
endpoint is leased to one worker at a time), so any number may run, on any replicas, beside
the one each `stockroom serve` runs (unless STOCKROOM_WEBHOOK_WORKER=false)."""


def register(subparsers: Any) -> None:
    """Add the ``deliver-webhooks`` subcommand."""
    parser = subparsers.add_parser(
        "deliver-webhooks", help="run a webhook delivery worker", description=DESCRIPTION
    )
    parser.add_argument(
        "--concurrency", type=int, default=4, help="endpoints served at once (default: 4)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Deliver until a signal arrives."""
    return asyncio.run(_run(args, settings))


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    async with open_stockroom(settings) as stockroom:
        worker = start_worker(stockroom.service.deliver_webhooks, args.concurrency)
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, stopping.set)
        await stopping.wait()
        await worker.close()
    return 0
