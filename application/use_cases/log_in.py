"""Sign a user in at the identity provider, with brute-force limits per client and per email."""

from __future__ import annotations

from dataclasses import dataclass

from application.errors import IdentityProviderUnavailable, RateLimited
from application.ports import IssuedToken, LoginClient, RateLimiter

WINDOW_SECONDS = 60
NOT_CONFIGURED = (
    "sign-in needs a BetterAuth server (set BETTER_AUTH_URL); "
    "in development mint a token with `stockroom dev-token` instead"
)
TOO_MANY = "too many sign-in attempts; try again later"


@dataclass(frozen=True, slots=True, kw_only=True)
class LogIn:
    """Credentials, the caller's address and, optionally, the organization to act in."""

    email: str
    password: str
    organization_id: str | None = None
    client_ip: str


class LogInHandler:
    """Log a user in (anyone); counts every attempt before asking the identity provider."""

    def __init__(
        self, client: LoginClient | None, limiter: RateLimiter, *, per_minute: int
    ) -> None:
        self._client = client
        self._limiter = limiter
        self._per_minute = per_minute

    async def __call__(self, command: LogIn) -> IssuedToken:
        # Both keys are counted on every attempt, known email or not, so the limit itself
        # reveals nothing about which emails exist.
        for key in (f"login:ip:{command.client_ip}", f"login:email:{command.email.lower()}"):
            decision = await self._limiter.hit(
                key, limit=self._per_minute, window_seconds=WINDOW_SECONDS
            )
            if not decision.allowed:
                raise RateLimited(TOO_MANY, retry_after=decision.reset_after, limit=decision.limit)
        if self._client is None:
            raise IdentityProviderUnavailable(NOT_CONFIGURED)
        return await self._client.login(
            command.email, command.password, command.organization_id, command.client_ip
        )
