"""Tokens for the bench: ``stockroom dev-token`` against the same data dir as the server."""

from __future__ import annotations

import subprocess
import sys

from bench.report import NotAvailable


def dev_token(env: dict[str, str], org: str, role: str = "admin") -> str:
    """Mint a dev token for ``org``; the server verifies it with the same dev issuer key."""
    cli = [sys.executable, "-m", "entrypoints.cli.main", "dev-token", "--org", org, "--role", role]
    done = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=60, check=False)
    token = next(
        (w for w in reversed(done.stdout.split()) if w.count(".") == 2 and len(w) > 40), None
    )
    if done.returncode != 0 or token is None:
        why = (done.stderr.strip().splitlines() or ["no token printed"])[-1][:120]
        raise NotAvailable(f"`stockroom dev-token` failed ({why})")
    return token
