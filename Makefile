# Stockroom developer commands. Needs only python3 (3.11+) and make on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv run test test-pgbouncer check fmt lock bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

venv: $(STAMP) ## create .venv from requirements.lock (re-runs only when the lock or pyproject change)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

run: venv ## start embedded PostgreSQL, migrate, serve the API on http://127.0.0.1:8000
	$(BIN)/stockroom serve

test: venv ## run the whole test suite
	$(BIN)/pytest

test-pgbouncer: venv ## run the Postgres-backed tests through PgBouncer (transaction mode, pool 2)
	tests/pgbouncer/run.sh

check: venv ## lint, format check, type check, import contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

fmt: venv ## apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: ## regenerate requirements.lock (hashed; keeps pins; `make lock UPGRADE=--upgrade` bumps all)
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --disable-pip-version-check uv
	.lock-venv/bin/uv pip compile pyproject.toml --extra dev --generate-hashes \
		--python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
		$(UPGRADE) -o requirements.lock
	rm -rf .lock-venv

bench: venv ## run the benchmark suite (bench/run.py)
	@if [ -f bench/run.py ]; then $(BIN)/python bench/run.py; \
	else echo "bench: not yet (bench/run.py does not exist)"; fi

clean: ## remove the venv, caches and local data (.stockroom)
	rm -rf $(VENV) .lock-venv .stockroom .pytest_cache .mypy_cache .ruff_cache *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
