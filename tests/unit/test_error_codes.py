"""Every error Stockroom raises on purpose carries a unique, stable, snake_case code."""

from __future__ import annotations

import inspect
import re

import application.errors
import domain.errors
from domain.errors import StockroomError

SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


def error_classes() -> list[type[StockroomError]]:
    found = {
        cls
        for module in (domain.errors, application.errors)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, StockroomError) and cls is not StockroomError
    }
    return sorted(found, key=lambda cls: cls.__qualname__)


def test_the_walk_finds_the_errors_of_both_layers() -> None:
    names = {cls.__name__ for cls in error_classes()}

    assert {"ValidationFailed", "InsufficientStock", "PermissionDenied"} <= names


def test_every_error_has_its_own_code() -> None:
    codes = [cls.code for cls in error_classes()]
    duplicates = {code for code in codes if codes.count(code) > 1}

    assert not duplicates
    assert StockroomError.code not in codes  # no subclass silently inherits the base code


def test_every_code_is_non_empty_snake_case() -> None:
    bad = {cls.__name__: cls.code for cls in error_classes() if not SNAKE_CASE.fullmatch(cls.code)}

    assert bad == {}


def test_an_error_keeps_its_detail_and_extra_fields() -> None:
    error = domain.errors.NotFound("item x not found", resource="item")

    assert (str(error), error.detail, error.extra) == (
        "item x not found",
        "item x not found",
        {"resource": "item"},
    )
