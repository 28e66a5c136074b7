"""Plain-data encoding of commands and results, for idempotency fingerprints and replays."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

T = TypeVar("T")


def encode(value: Any) -> Any:
    """Dataclasses, UUIDs, datetimes, enums and tuples as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: encode(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not _omitted(f, getattr(value, f.name))
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, date):  # datetimes too (a subclass): both read back by their kind
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    if isinstance(value, frozenset | set):  # in a stable order, so fingerprints are stable
        return sorted((encode(v) for v in value), key=repr)
    return value


def decode(kind: Any, data: Any) -> Any:
    """The inverse of ``encode`` for the annotated type ``kind``."""
    if data is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return decode(options[0], data)
    if origin in (tuple, list, frozenset, set):
        inner = typing.get_args(kind)[0]
        return origin(decode(inner, v) for v in data)
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        # A field added later (with a default) is absent from results stored before it.
        fields = {
            f.name: decode(hints[f.name], data[f.name])
            for f in dataclasses.fields(kind)
            if f.name in data or not _has_default(f)
        }
        constructor: Any = kind
        return constructor(**fields)
    if kind is UUID:
        return UUID(data)
    if kind is datetime:
        return datetime.fromisoformat(data)
    if kind is date:
        return date.fromisoformat(data)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(data)
    return data


OMIT_DEFAULT = "codec_omit_default"


def _omitted(f: dataclasses.Field[Any], value: Any) -> bool:
    """A field marked ``OMIT_DEFAULT`` is left out while it holds its default, so adding it
    changes neither the fingerprint nor the stored form of values that do not use it."""
    if not f.metadata.get(OMIT_DEFAULT):
        return False
    if f.default is not dataclasses.MISSING:
        return bool(value == f.default)
    if f.default_factory is not dataclasses.MISSING:
        return bool(value == f.default_factory())
    return False


def _has_default(f: dataclasses.Field[Any]) -> bool:
    return f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING


def fingerprint(operation: str, command: Any) -> str:
    """A stable hash of an operation and its command, to tell same from different requests."""
    body = json.dumps([operation, encode(command)], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()
