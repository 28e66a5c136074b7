"""``stockroom import-stock``: post a CSV of stock as one receipt or count movement."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from application.importing import ImportMode, ImportResult, ImportStock
from application.principal import Principal
from application.stock_csv import HEADER
from domain.errors import StockroomError
from entrypoints.container import open_stockroom
from entrypoints.settings import Settings

CLI_USER = "stockroom-cli"
PROGRESS_EVERY = 100_000

DESCRIPTION = f"""\
Import stock from a CSV file with the header `{",".join(HEADER)}` (sku and location code
are matched case-insensitively; quantity is an integer, > 0 for receipts, >= 0 for counts;
the file is UTF-8 with one record per line). Every row is checked first; if any is bad, all bad rows are listed with their line numbers
and nothing is applied. Otherwise the file becomes ONE movement document (a receipt, or a
count that sets on_hand to the counted quantity) with one ledger line per row.
Lot-tracked items: the header goes on with `lot` or `lot,expires_on` (YYYY-MM-DD); each of
their rows names its lot (a new lot needs its expires_on), and a count sets that lot's on_hand.
The command acts as an admin of --org."""


def register(subparsers: Any) -> None:
    """Add the ``import-stock`` subcommand."""
    parser = subparsers.add_parser(
        "import-stock",
        help="import a CSV of stock as one receipt or count (all or nothing)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", type=Path, metavar="FILE.csv", help="the CSV file to import")
    parser.add_argument("--org", required=True, help="organization id the stock belongs to")
    parser.add_argument(
        "--mode",
        choices=[m.value for m in ImportMode],
        default=ImportMode.RECEIPT.value,
        help="receipt: add the quantities (default); count: on_hand becomes the quantity",
    )
    parser.add_argument("--reference", help="external document id stored on the movement")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Import the file; exit 0 when applied, 1 when rows were refused, 2 on a bad file."""
    if not args.file.is_file():
        print(f"stockroom: {args.file}: no such file", file=sys.stderr)
        return 2
    return asyncio.run(_run(args, settings))


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    async with open_stockroom(settings) as stockroom:
        principal = Principal.from_claims(user_id=CLI_USER, org_id=args.org, raw_role="admin")
        # Bytes: the use case decodes each line itself, so a line that is not UTF-8 is a
        # numbered problem, not an exception that ends the read.
        with args.file.open("rb") as file:
            command = ImportStock(
                lines=_progress(file, sys.stderr),
                mode=ImportMode(args.mode),
                reference=args.reference,
                note=f"imported from {args.file.name}",
            )
            try:
                result = await stockroom.service.import_stock(principal, command)
            except StockroomError as exc:  # refused as a whole (permission, limits, database)
                print(
                    f"stockroom import-stock: {exc.detail}; nothing was imported", file=sys.stderr
                )
                return 1
    return _report(result)


def _report(result: ImportResult) -> int:
    if result.summary is None:
        for problem in result.problems:
            print(f"line {problem.line}: {problem.message}", file=sys.stderr)
        print(f"{len(result.problems)} bad row(s); nothing was imported", file=sys.stderr)
        return 1
    summary = result.summary
    print(
        f"imported {summary.lines} line(s) on {summary.levels} level(s) as movement {summary.movement_id}"
    )
    return 0


def _progress(lines: Iterable[bytes], out: TextIO) -> Iterator[bytes]:
    """Pass lines through, reporting how many were read when ``out`` is a terminal."""
    if not out.isatty():
        yield from lines
        return
    count = 0
    for count, line in enumerate(lines, start=1):
        if count % PROGRESS_EVERY == 0:
            print(f"\rread {count:,} lines", end="", file=out, flush=True)
        yield line
    print(f"\rread {count:,} lines, applying...", file=out, flush=True)
