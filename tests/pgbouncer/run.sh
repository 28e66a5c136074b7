#!/usr/bin/env bash
# Run the Postgres-backed tests through PgBouncer in transaction mode (pool size 2).
# Usage: tests/pgbouncer/run.sh [pytest args]   (default: tests/contract tests/postgres)
set -euo pipefail
cd "$(dirname "$0")/../.."
exec .venv/bin/python tests/pgbouncer/run.py "$@"
