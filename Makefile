# Two commands set up a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench schema clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/suitegraph serve

lint: $(STAMP)
	$(BIN)/ruff check graph tests bench
	$(BIN)/ruff format --check graph tests bench

test: lint
	bash scripts/install-browser.sh
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m bench

schema: $(STAMP)
	$(BIN)/suitegraph export-schema > schema.graphql

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
