"""Every subcommand answers --help."""

from __future__ import annotations

import pytest

from entrypoints.cli.main import build_parser


@pytest.mark.parametrize(
    "command", ["serve", "migrate", "dev-token", "import-stock", "expire-reservations", "purge"]
)
def test_every_subcommand_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args([command, "--help"])

    assert exit_.value.code == 0
    assert f"stockroom {command}" in capsys.readouterr().out
