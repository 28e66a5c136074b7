"""A real BetterAuth server (Node.js) on a fresh database, for the interop tests.

Without node >= 20 and npm the tests skip with the reason, unless STOCKROOM_REQUIRE_INTEROP=1
(CI) turns that into a failure.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from adapters.postgres.embedded import drop_database, ensure_database
from tests.interop.betterauth_admin import ROTATION_SECONDS, BetterAuthAdmin

HARNESS = Path(__file__).parent / "betterauth"
# The session fixture (tests/conftest.py) giving a URL allowed to CREATE DATABASE.
ADMIN_URL_FIXTURE = "admin_database_url"
LIBPQ_TO_ENV = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD"}


def _node_problem() -> str | None:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        return "BetterAuth interop needs Node.js >= 20 and npm on PATH"
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    major = version.stdout.strip().lstrip("v").split(".")[0]
    if not major.isdigit() or int(major) < 20:
        return f"BetterAuth interop needs Node.js >= 20, found {version.stdout.strip() or '?'}"
    return None


@pytest.fixture(scope="session")
def node_harness() -> Path:
    """The harness directory with its node_modules installed from the lock file."""
    problem = _node_problem()
    if problem:
        if os.environ.get("STOCKROOM_REQUIRE_INTEROP") == "1":
            pytest.fail(problem + " (STOCKROOM_REQUIRE_INTEROP=1)")
        pytest.skip(problem)
    if not (HARNESS / "node_modules" / "better-auth").is_dir():
        npm = ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"]
        subprocess.run(npm, cwd=HARNESS, check=True, timeout=600)
    return HARNESS


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _node_env(admin_url: str, database: str, port: int, secret: str) -> dict[str, str]:
    conn = conninfo_to_dict(make_conninfo(admin_url, dbname=database))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env |= {LIBPQ_TO_ENV[k]: str(v) for k, v in conn.items() if k in LIBPQ_TO_ENV and v}
    env |= {"PGDATABASE": database, "BETTER_AUTH_SECRET": secret, "PORT": str(port)}
    env |= {"BETTER_AUTH_URL": f"http://127.0.0.1:{port}", "NODE_ENV": "test"}
    env["JWKS_ROTATION_SECONDS"] = str(ROTATION_SECONDS)
    env.pop("DATABASE_URL", None)
    return env


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"BetterAuth exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/api/auth/ok", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"BetterAuth did not answer within 30 s:\n{log.read_text()}")


@contextmanager
def serving_betterauth(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    extra_env: dict[str, str] | None = None,
) -> Iterator[BetterAuthAdmin]:
    """A migrated BetterAuth server on its own database, stopped and dropped afterwards."""
    node_harness: Path = request.getfixturevalue("node_harness")
    admin_url: str = request.getfixturevalue(ADMIN_URL_FIXTURE)
    database = f"stockroom_betterauth_{secrets.token_hex(4)}"
    ensure_database(admin_url, database)
    port, secret = _free_port(), secrets.token_urlsafe(32)
    env = _node_env(admin_url, database, port, secret) | (extra_env or {})
    log = tmp_path_factory.mktemp("betterauth") / "server.log"
    try:
        subprocess.run(["node", "migrate.mjs"], cwd=node_harness, env=env, check=True, timeout=120)
        with log.open("wb") as out:
            process = subprocess.Popen(
                ["node", "server.mjs"], cwd=node_harness, env=env, stdout=out, stderr=out
            )
        try:
            base = env["BETTER_AUTH_URL"]
            _wait_until_up(base, process, log)
            with BetterAuthAdmin(base, secret) as admin:
                yield admin
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    finally:
        drop_database(admin_url, database)


@pytest.fixture(scope="session")
def betterauth(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BetterAuthAdmin]:
    """The BetterAuth server most interop tests share (rate limits off, as in development)."""
    with serving_betterauth(request, tmp_path_factory) as admin:
        yield admin
