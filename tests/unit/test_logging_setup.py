"""Secrets never reach a rendered log line; migration steps do not flood the console."""

from __future__ import annotations

import io
import json
import logging
import sys
import uuid

import pytest
import structlog

from entrypoints.logging_setup import REDACTED, configure_logging, redact_secrets


def test_secret_keys_are_redacted_also_inside_nested_dicts() -> None:
    event = redact_secrets(
        None,
        "info",
        {
            "event": "x",
            "Authorization": "Bearer abc",
            "headers": {"authorization": "Bearer abc"},
            "password": "p",
        },
    )

    assert event == {
        "event": "x",
        "Authorization": REDACTED,
        "headers": {"authorization": REDACTED},
        "password": REDACTED,
    }


def test_yoyo_step_logs_are_quiet_unless_debugging() -> None:
    migrations = logging.getLogger("yoyo.migrations")
    try:
        configure_logging("development", "INFO")
        assert not migrations.isEnabledFor(logging.INFO)
        assert migrations.isEnabledFor(logging.WARNING)
        configure_logging("development", "DEBUG")
        assert migrations.isEnabledFor(logging.INFO)
    finally:
        configure_logging("development", "INFO")


def test_a_production_line_is_one_json_object_with_the_shared_shape_and_no_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    try:
        configure_logging("production", "INFO")
        structlog.get_logger("stockroom.access").info(
            "request", status=200, token="t0ps3cret", item=uuid.UUID(int=7)
        )
        structlog.get_logger("stockroom.access").debug("below the level")
        logging.getLogger("uvicorn.error").warning("from the standard library")
    finally:
        configure_logging("development", "INFO")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]

    assert [line["event"] for line in lines] == ["request", "from the standard library"]
    access = lines[0]
    assert access["logger"] == "stockroom.access" and access["level"] == "info"
    assert access["token"] == REDACTED and "t0ps3cret" not in stream.getvalue()
    assert access["item"] == "00000000-0000-0000-0000-000000000007"
    assert access["timestamp"].endswith("Z")
    assert lines[1]["logger"] == "uvicorn.error" and lines[1]["level"] == "warning"


def test_a_line_that_cannot_be_written_is_dropped_not_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    closed = io.StringIO()
    closed.close()
    monkeypatch.setattr(sys, "stderr", closed)
    try:
        configure_logging("production", "INFO")
        structlog.get_logger("stockroom.access").info("request")  # must not raise
    finally:
        monkeypatch.undo()
        configure_logging("development", "INFO")
