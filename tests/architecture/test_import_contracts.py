"""The import-linter contracts in pyproject.toml hold, and they would catch a violation."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "application", "adapters", "entrypoints")
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}  # the tree under test shadows the install
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=root, env=env, capture_output=True, text=True, check=False
    )


def _copy_tree(dest: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            REPO_ROOT / package, dest / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(REPO_ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


def test_the_real_tree_keeps_every_contract() -> None:
    result = _lint_imports(REPO_ROOT)

    assert result.returncode == 0, result.stdout + result.stderr


def test_a_framework_import_in_the_domain_breaks_the_build(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    (tree / "domain" / "leak.py").write_text("import fastapi\n")

    result = _lint_imports(tree)

    assert result.returncode != 0
    assert "domain.leak -> fastapi" in result.stdout


def test_a_router_importing_an_adapter_breaks_the_build(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    (tree / "entrypoints" / "http" / "leak.py").write_text("import adapters.postgres.pool\n")

    result = _lint_imports(tree)

    assert result.returncode != 0
    assert "entrypoints.http.leak -> adapters.postgres.pool" in result.stdout
