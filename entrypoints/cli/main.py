"""``stockroom`` entry point: parses arguments and dispatches to one module per subcommand.

A subcommand module exposes ``register(subparsers)``, which adds its parser and sets
``func`` to a callable taking the parsed arguments and returning an exit code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from entrypoints.cli import (
    deliver_webhooks,
    dev_token,
    expire_reservations,
    import_stock,
    migrate,
    purge,
    serve,
)
from entrypoints.logging_setup import configure_logging
from entrypoints.settings import SettingsError, load_settings

COMMANDS = (
    serve,
    migrate,
    dev_token,
    import_stock,
    expire_reservations,
    purge,
    deliver_webhooks,
)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="stockroom", description="Stockroom: multi-tenant inventory service."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"stockroom: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.env, settings.log_level)
    code: int = args.func(args, settings)
    return code


if __name__ == "__main__":
    sys.exit(main())
