"""``stockroom import-stock`` on files no one should write: every bad line is reported by number,
the command exits 1, nothing is imported, and no traceback ever reaches the operator."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from entrypoints.cli.main import build_parser
from entrypoints.settings import Settings
from tests.integration.conftest import new_org_id

HEADER = b"sku,location_code,quantity\n"


def import_stock(path: Path, org: str, database_url: str, data_dir: Path) -> int:
    """Run ``stockroom import-stock`` in-process with explicit settings."""
    args = build_parser().parse_args(["import-stock", str(path), "--org", org])
    code: int = args.func(args, Settings(database_url=database_url, data_dir=data_dir))
    return code


def movements_of(database_url: str, org: str) -> int:
    with psycopg.connect(database_url) as conn:
        conn.execute("SELECT set_config('app.org_id', %s, true)", [org])
        row = conn.execute("SELECT count(*) FROM movements WHERE org_id = %s", [org]).fetchone()
    return int(row[0]) if row else 0


@pytest.mark.parametrize(
    ("content", "line", "says"),
    [
        (HEADER + b"A" * 200_000 + b",MAIN,5\n", 2, "longer than"),
        (HEADER + b"SKU-A,MA\x00IN,5\n", 2, "NUL"),
        (HEADER + b"SKU-A,MAIN,5\n\xff\xfeB,MAIN,5\n", 3, "UTF-8"),
        (HEADER + b"SKU-A,MAIN,5,7\n", 2, "expected 3 fields, found 4"),
        (HEADER + b'"SKU-A,MAIN,5\nSKU-B,MAIN,6\n', 2, "quote"),
        (HEADER + b"SKU-A,MAIN," + b"9" * 300 + b"\n", 2, "quantity is not an integer"),
        (b"\xef\xbb\xbf" + HEADER + b"SKU-A,MAIN,5\n" + b"x" * 70 + b",MAIN,5\n", 3, "sku"),
    ],
)
def test_a_bad_line_is_reported_by_number_and_nothing_is_imported(
    tmp_path: Path,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    line: int,
    says: str,
) -> None:
    org = new_org_id()
    path = tmp_path / "stock.csv"
    path.write_bytes(content)

    code = import_stock(path, org, database_url, tmp_path)

    err = capsys.readouterr().err
    assert code == 1, err
    assert f"line {line}: " in err and says in err, err
    assert "Traceback" not in err
    assert len(err) < 2000  # a bad value is described, not printed back whole
    assert movements_of(database_url, org) == 0
