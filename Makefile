# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench-write bench-propagation clean asyncapi

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/lotse up --seed

test: $(STAMP)
	$(BIN)/ruff check shared services tests bench
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check shared services tests bench
	$(BIN)/ruff format --check shared services tests bench

asyncapi: $(STAMP)
	$(BIN)/python -m shared.contracts.asyncapi > docs/asyncapi.yaml

bench-write: $(STAMP)
	$(BIN)/python -m bench.write

bench-propagation: $(STAMP)
	$(BIN)/python -m bench.propagation

clean:
	rm -rf data .pytest_cache
