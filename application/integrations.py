"""The use cases integrations call (the event feed, webhooks), built once over shared ports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from application.ports import EventSignal
from application.queries.events import ReadEventsHandler
from application.use_cases.base import Deps


@dataclass(frozen=True, slots=True)
class Integrations:
    """The feed and webhook use cases; stateless and safe to share."""

    read_events: ReadEventsHandler

    @classmethod
    def build(cls, deps: Deps, signal: EventSignal, retention_days: int = 7) -> Integrations:
        """Instantiate every integration use case over the same ports."""
        return cls(
            read_events=ReadEventsHandler(deps, signal, timedelta(days=retention_days)),
        )
