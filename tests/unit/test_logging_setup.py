"""Secrets never reach a rendered log line."""

from __future__ import annotations

from entrypoints.logging_setup import REDACTED, redact_secrets


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
