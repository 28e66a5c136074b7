"""Reading the feed in tests: every settled event of an org, through the use case."""

from __future__ import annotations

from typing import Any

from application.principal import Principal
from application.queries.events import ReadEvents, ReadEventsHandler
from application.use_cases.base import Deps
from domain.events import Event


def reader(deps: Deps) -> ReadEventsHandler:
    """The feed use case over ``deps`` (both factories carry their process's event signal)."""
    signal: Any = getattr(deps.uow, "event_signal")  # noqa: B009 -- not part of the port
    return ReadEventsHandler(deps, signal)


async def read_all(
    deps: Deps, who: Principal, after: str | None = None
) -> tuple[list[Event], str | None]:
    """Every event after ``after``, following pages of 3; and the cursor to continue from."""
    handler, seen, cursor = reader(deps), [], after
    while True:
        page = await handler(who, ReadEvents(after=cursor, limit=3))
        seen += page.items
        if not page.items:
            return seen, page.next_cursor or cursor
        cursor = page.next_cursor
