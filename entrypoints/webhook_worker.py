"""The webhook delivery worker as a background task of a process (``serve``, ``deliver-webhooks``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from application.webhooks.delivery import DeliverWebhooksHandler

log = logging.getLogger(__name__)


@dataclass
class RunningWorker:
    """A worker task and the event that stops it."""

    task: asyncio.Task[None]
    stop: asyncio.Event

    async def close(self) -> None:
        """Stop after the deliveries in flight (each bounded by the send timeout)."""
        self.stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


def start_worker(handler: DeliverWebhooksHandler, concurrency: int = 4) -> RunningWorker:
    """Run ``handler`` in the background until ``close``."""
    stop = asyncio.Event()
    task = asyncio.create_task(handler.run(stop, concurrency), name="webhook-delivery")
    log.info("webhook delivery worker started (%d at a time)", concurrency)
    return RunningWorker(task, stop)
