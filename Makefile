# salon: two set-up commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint system-deps serve
NPM_STAMP := node_modules/.package-lock.json

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Debian libraries WeasyPrint needs (pango) and the browser for the browser tests.
system-deps:
	@sh scripts/system-deps.sh

# axe-core for the browser tests' accessibility checks, pinned in package-lock.json (npm registry).
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

run: $(STAMP) system-deps
	$(BIN)/salon demo

# The pages and API on http://127.0.0.1:8000, on the database `make run` filled.
serve: $(STAMP) system-deps
	$(BIN)/salon serve

test: $(STAMP) system-deps $(NPM_STAMP)
	$(BIN)/ruff check scheduler api tests examples
	$(BIN)/mypy
	$(BIN)/pytest -q -p no:cacheprovider

bench: $(STAMP) system-deps
	$(BIN)/python -m examples.bench

lint: $(STAMP)
	$(BIN)/ruff check scheduler api tests examples
	$(BIN)/mypy
