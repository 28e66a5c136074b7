"""Secrets never reach a rendered log line; migration steps do not flood the console."""

from __future__ import annotations

import logging

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
