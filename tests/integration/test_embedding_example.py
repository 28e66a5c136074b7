"""The embedding example in docs/ runs as written against PostgreSQL, and its writes are real."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg

from tests.integration.conftest import new_org_id

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "embedding.py"


def test_the_embedding_example_receives_and_reserves_through_the_use_cases(
    database_url: str, owner_database_url: str, tmp_path: Path
) -> None:
    org = new_org_id()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,  # the app role
        "DATABASE_DIRECT_URL": owner_database_url,  # the owner: it migrates first
        "STOCKROOM_DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), org],
        env=env,
        cwd=EXAMPLE.parents[2],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    match = re.search(r"on_hand=(\d+) reserved=(\d+) available=(\d+)", done.stdout)
    assert match is not None, done.stdout
    assert match.groups() == ("120", "20", "100")
    with psycopg.connect(database_url) as conn:
        conn.execute("SELECT set_config('app.org_id', %s, true)", [org])  # row-level security
        rows = conn.execute(
            "SELECT on_hand, reserved FROM stock_levels WHERE org_id = %(org)s", {"org": org}
        ).fetchall()
    assert rows == [(120, 20)]
