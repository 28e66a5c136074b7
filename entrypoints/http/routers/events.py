"""/v1/events: the org's change feed, tailed with a cursor and long-polled."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from application.queries.events import MAX_WAIT_SECONDS, ReadEvents, ReadEventsHandler
from domain.errors import ValidationFailed
from domain.events import EventType
from entrypoints.http.dependencies import CurrentPrincipal, Service
from entrypoints.http.routers.common import COMMON_ERRORS, Limit, describe
from entrypoints.http.schemas.events import Event, EventPage
from entrypoints.http.schemas.problems import problem_responses

PREFIX = "/v1/events"
router = APIRouter(prefix=PREFIX, tags=["events"], responses=COMMON_ERRORS)

_TYPES = ", ".join(f"`{t.value}`" for t in EventType)


def parse_types(raw: str | None) -> frozenset[EventType] | None:
    """``a,b`` as event types; an unknown name is a 422 that does not repeat it."""
    if raw is None:
        return None
    names = [part.strip() for part in raw.split(",") if part.strip()]
    try:
        return frozenset(EventType(name) for name in names) or None
    except ValueError:
        raise ValidationFailed("types names an unknown event type", field="types") from None


@router.get(
    "",
    summary="Read the event feed",
    description=describe(ReadEventsHandler, ReadEvents)
    + "\n\nAn expired cursor (older than the retention, 7 days by default) is 410 "
    "`cursor_expired`: read from the start again and reconcile.",
    responses=problem_responses(403, 410, 422),
)
async def read_events(
    principal: CurrentPrincipal,
    service: Service,
    after: Annotated[
        str | None,
        Query(max_length=1024, description="`next_cursor` of the previous page."),
    ] = None,
    types: Annotated[
        str | None,
        Query(max_length=2000, description=f"Comma-separated types to keep: {_TYPES}."),
    ] = None,
    limit: Limit = None,
    wait: Annotated[
        float,
        Query(
            ge=0,
            le=MAX_WAIT_SECONDS,
            description="Seconds to wait for an event when there is none yet (0-30).",
        ),
    ] = 0,
) -> EventPage:
    query = ReadEvents(after=after, types=parse_types(types), limit=limit, wait_seconds=wait)
    page = await service.read_events(principal, query)
    return EventPage(items=[Event.of(e) for e in page.items], next_cursor=page.next_cursor)
