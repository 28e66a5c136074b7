"""``stockroom dev-token``: mint a token the local API trusts (development only)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from entrypoints.container import Container, build_container
from entrypoints.settings import Settings

DEFAULT_TTL = 900  # BetterAuth's lifetime; pass --ttl for longer sessions


def register(subparsers: Any) -> None:
    """Add the ``dev-token`` subcommand."""
    parser = subparsers.add_parser(
        "dev-token", help="print a bearer token signed by the dev issuer (not in production)"
    )
    parser.add_argument("--org", required=True, help="organization id (any opaque string)")
    parser.add_argument(
        "--role", required=True, help="member, admin or owner (comma-separated allowed)"
    )
    parser.add_argument("--user", default="dev-user", help="user id (default: dev-user)")
    parser.add_argument("--email", help="email claim (optional)")
    parser.add_argument(
        "--ttl", type=int, default=DEFAULT_TTL, help=f"lifetime in seconds (default {DEFAULT_TTL})"
    )
    parser.set_defaults(func=run)


def refusal(settings: Settings) -> str | None:
    """Why this environment must not mint dev tokens, or None when it may."""
    if settings.env == "production":
        return "dev tokens are refused when STOCKROOM_ENV=production"
    if settings.better_auth_url:
        return (
            "BETTER_AUTH_URL is set, so the API trusts BetterAuth, not the dev issuer; "
            "get a token with POST /v1/auth/login instead"
        )
    return None


def mint(
    container: Container,
    *,
    org: str | None,
    role: str | None,
    user: str,
    email: str | None,
    ttl: int,
) -> str:
    """A token from the container's dev issuer (the same key the API serves at /dev/jwks)."""
    issuer = container.dev_issuer()
    if issuer is None:
        raise RuntimeError("the dev issuer is not active")
    return issuer.mint(user_id=user, org_id=org, role=role, email=email, ttl=ttl)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print the token on stdout (and nothing else, so `$(stockroom dev-token ...)` works)."""
    problem = refusal(settings)
    if problem:
        print(f"stockroom dev-token: {problem}", file=sys.stderr)
        return 2
    if args.ttl <= 0:
        print("stockroom dev-token: --ttl must be positive", file=sys.stderr)
        return 2
    token = mint(
        build_container(settings),
        org=args.org,
        role=args.role,
        user=args.user,
        email=args.email,
        ttl=args.ttl,
    )
    print(token)
    return 0
