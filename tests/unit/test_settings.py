"""Settings: defaults, parsing, and the production guard."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from entrypoints.settings import Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read the process environment; start every test from none of ours."""
    for field in Settings.model_fields.values():
        if field.alias:
            monkeypatch.delenv(field.alias, raising=False)


def test_development_defaults_use_the_embedded_database() -> None:
    settings = Settings()

    assert settings.env == "development"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.uses_embedded_database
    assert settings.jwt_algorithms == ["EdDSA"]
    assert settings.cors_origins == []


def test_lists_are_read_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STOCKROOM_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("STOCKROOM_JWT_ALGORITHMS", "EdDSA,ES256")

    settings = Settings()

    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.jwt_algorithms == ["EdDSA", "ES256"]


KEY = "x2cVTO1t2c3HBh9_4dNDvUCTjXX4QJ8kWJkQ2kQZQ0c="


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "BETTER_AUTH_URL and DATABASE_URL and STOCKROOM_SECRET_KEY"),
        (
            {"DATABASE_URL": "postgresql://db.example/app", "STOCKROOM_SECRET_KEY": KEY},
            "BETTER_AUTH_URL",
        ),
        ({"BETTER_AUTH_URL": "https://auth.example", "STOCKROOM_SECRET_KEY": KEY}, "DATABASE_URL"),
        (
            {"BETTER_AUTH_URL": "https://auth.example", "DATABASE_URL": "postgresql://db/app"},
            "STOCKROOM_SECRET_KEY",
        ),
    ],
)
def test_production_refuses_dev_issuer_embedded_database_and_generated_key(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], missing: str
) -> None:
    monkeypatch.setenv("STOCKROOM_ENV", "production")
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(ValidationError, match=f"requires {missing}:"):
        Settings()


def test_production_with_real_services_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STOCKROOM_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql://db.example/app?sslmode=require")
    monkeypatch.setenv("BETTER_AUTH_URL", "https://auth.example")
    monkeypatch.setenv("STOCKROOM_SECRET_KEY", KEY)

    settings = Settings()

    assert settings.database_direct_url is None
    assert not settings.webhooks_may_reach_private_addresses
    assert not settings.uses_embedded_database


def test_configuration_errors_never_echo_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STOCKROOM_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:hunter2@db.example/app")

    with pytest.raises(SettingsError) as raised:
        load_settings()

    assert "BETTER_AUTH_URL" in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_jwt_leeway_is_capped_at_30_seconds() -> None:
    with pytest.raises(ValidationError):
        Settings(jwt_leeway=31)
