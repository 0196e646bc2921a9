# salon: two set-up commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint system-deps serve

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Debian libraries WeasyPrint needs (pango) and the browser for the browser tests.
system-deps:
	@sh scripts/system-deps.sh

run: $(STAMP) system-deps
	$(BIN)/salon demo

test: $(STAMP) system-deps
	$(BIN)/ruff check scheduler api tests examples
	$(BIN)/mypy
	$(BIN)/pytest -q -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python -m examples.bench

lint: $(STAMP)
	$(BIN)/ruff check scheduler api tests examples
	$(BIN)/mypy
