"""Settings from the environment (docs/design.md §7 and §8); README lists every one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

CommaList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    """Every knob Stockroom reads; names in the environment are the aliases."""

    model_config = SettingsConfigDict(
        case_sensitive=False, extra="ignore", populate_by_name=True, frozen=True
    )

    env: Literal["development", "production"] = Field("development", alias="STOCKROOM_ENV")
    host: str = Field("127.0.0.1", alias="STOCKROOM_HOST")
    port: int = Field(8000, ge=1, le=65535, alias="STOCKROOM_PORT")
    data_dir: Path = Field(Path("./.stockroom"), alias="STOCKROOM_DATA_DIR")
    log_level: str = Field("INFO", alias="STOCKROOM_LOG_LEVEL")
    migrate_on_startup: bool = Field(False, alias="STOCKROOM_MIGRATE_ON_STARTUP")

    database_url: str | None = Field(None, alias="DATABASE_URL", repr=False)
    database_direct_url: str | None = Field(None, alias="DATABASE_DIRECT_URL", repr=False)
    database_pool_min: int = Field(1, ge=0, alias="DATABASE_POOL_MIN")
    database_pool_max: int = Field(10, ge=1, alias="DATABASE_POOL_MAX")
    database_pooled: Literal["auto", "true", "false"] = Field("auto", alias="DATABASE_POOLED")
    # How long one API transaction may wait on a row lock, and run one statement, before it
    # fails with 503 + Retry-After (0 disables the bound). Bulk imports have their own.
    # Connections per process that carry the single-statement reads, pipelined (0: reads
    # borrow pooled connections like everything else).
    read_channels: int = Field(2, ge=0, le=16, alias="STOCKROOM_READ_CHANNELS")
    lock_timeout_ms: int = Field(2000, ge=0, alias="STOCKROOM_LOCK_TIMEOUT_MS")
    statement_timeout_ms: int = Field(15000, ge=0, alias="STOCKROOM_STATEMENT_TIMEOUT_MS")

    better_auth_url: str | None = Field(None, alias="BETTER_AUTH_URL")
    better_auth_jwks_url: str | None = Field(None, alias="BETTER_AUTH_JWKS_URL")
    better_auth_issuer: str | None = Field(None, alias="BETTER_AUTH_ISSUER")
    better_auth_audience: str | None = Field(None, alias="BETTER_AUTH_AUDIENCE")
    # BetterAuth trusts Stockroom as its proxy: send each sign-in's client address to it.
    better_auth_forward_client_ip: bool = Field(False, alias="BETTER_AUTH_FORWARD_CLIENT_IP")
    jwt_algorithms: CommaList = Field(["EdDSA"], min_length=1, alias="STOCKROOM_JWT_ALGORITHMS")
    jwt_leeway: int = Field(10, ge=0, le=30, alias="STOCKROOM_JWT_LEEWAY")

    cors_origins: CommaList = Field([], alias="STOCKROOM_CORS_ORIGINS")
    max_body_bytes: int = Field(1_048_576, ge=1, alias="STOCKROOM_MAX_BODY_BYTES")
    rate_limit_per_minute: int = Field(600, ge=1, alias="STOCKROOM_RATE_LIMIT_PER_MINUTE")
    login_rate_limit_per_minute: int = Field(
        10, ge=1, alias="STOCKROOM_LOGIN_RATE_LIMIT_PER_MINUTE"
    )
    # How long the feed keeps events (`stockroom purge` deletes older ones; older cursors: 410).
    event_retention_days: int = Field(7, ge=1, le=3650, alias="STOCKROOM_EVENT_RETENTION_DAYS")
    # Encrypts webhook secrets at rest (a Fernet key); development keeps one in the data dir.
    secret_key: str | None = Field(None, alias="STOCKROOM_SECRET_KEY", repr=False)
    # Webhooks to loopback/private/link-local addresses: allowed in development, refused in
    # production unless this is true.
    webhook_allow_private: bool | None = Field(None, alias="STOCKROOM_WEBHOOK_ALLOW_PRIVATE")
    webhook_worker: bool = Field(True, alias="STOCKROOM_WEBHOOK_WORKER")

    @field_validator("jwt_algorithms", "cors_origins", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("log_level")
    @classmethod
    def _upper_level(cls, value: str) -> str:
        return value.upper()

    @model_validator(mode="after")
    def _pool_bounds(self) -> Settings:
        if self.database_pool_min > self.database_pool_max:
            raise ValueError("DATABASE_POOL_MIN must not exceed DATABASE_POOL_MAX")
        return self

    @model_validator(mode="after")
    def _production_needs_real_services(self) -> Settings:
        if self.env != "production":
            return self
        missing = [
            name
            for name, value in (
                ("BETTER_AUTH_URL", self.better_auth_url),
                ("DATABASE_URL", self.database_url),
                ("STOCKROOM_SECRET_KEY", self.secret_key),
            )
            if not value
        ]
        if missing:
            raise ValueError(
                f"STOCKROOM_ENV=production requires {' and '.join(missing)}: production "
                "refuses the dev token issuer, the embedded PostgreSQL and a generated "
                "secret key"
            )
        return self

    @property
    def webhooks_may_reach_private_addresses(self) -> bool:
        """STOCKROOM_WEBHOOK_ALLOW_PRIVATE, else true only in development."""
        if self.webhook_allow_private is not None:
            return self.webhook_allow_private
        return self.env != "production"

    @property
    def uses_embedded_database(self) -> bool:
        """True when no DATABASE_URL is set and an embedded PostgreSQL serves the data."""
        return not self.database_url


class SettingsError(Exception):
    """The environment does not describe a valid configuration (message safe to print)."""


def load_settings() -> Settings:
    """Read settings from the environment; errors never echo values (URLs hold passwords)."""
    try:
        return Settings()
    except ValidationError as exc:
        lines = [
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors(include_input=False, include_url=False)
        ]
        raise SettingsError("invalid configuration:\n  " + "\n  ".join(lines)) from None
