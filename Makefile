# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The exact versions `make test` last passed with; `make lock` renews them on purpose.
CONSTRAINTS := constraints.txt
# Test files run side by side (pytest-xdist), each file whole in one worker, because
# its platform fixture is shared by its tests; most of a test is waiting, not computing.
TEST_WORKERS ?= 2
# The web app's browser tests drive Debian's chromium (never a browser Playwright
# downloads) and scan pages with axe-core from npm, pinned in package-lock.json.
CHROMIUM := /usr/bin/chromium
AXE := node_modules/axe-core/axe.min.js

.PHONY: run test lint typecheck lock bench-write bench-propagation bench-webhooks \
	bench-funding-match bench-funding-publish bench-search bench-knowledge clean asyncapi \
	bench-gateway-overhead bench-sse-fanout bench-dashboard

$(STAMP): pyproject.toml $(CONSTRAINTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip -c $(CONSTRAINTS)
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/lotse up --seed

test: $(STAMP) $(CHROMIUM) $(AXE)
	$(BIN)/ruff check shared services tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile --durations=15

# Installed once, with apt-get (as root, else through sudo), when it is missing.
$(CHROMIUM):
	if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y chromium; \
	else sudo apt-get update && sudo apt-get install -y chromium; fi

$(AXE): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $(AXE)

lint: $(STAMP)
	$(BIN)/ruff check shared services tests bench
	$(BIN)/ruff format --check shared services tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# Upgrades are a deliberate step: resolve the newest versions in a scratch venv, then
# run `make test` and commit constraints.txt with what passed.
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet '.[dev]'
	.venv-lock/bin/python -m pip freeze --all --exclude lotse --exclude setuptools > $(CONSTRAINTS)
	rm -rf .venv-lock build

asyncapi: $(STAMP)
	$(BIN)/python -m shared.contracts.asyncapi > docs/asyncapi.yaml

bench-write: $(STAMP)
	$(BIN)/python -m bench.write

bench-propagation: $(STAMP)
	$(BIN)/python -m bench.propagation

bench-webhooks: $(STAMP)
	$(BIN)/python -m bench.webhooks

bench-funding-match: $(STAMP)
	$(BIN)/python -m bench.funding_match

bench-funding-publish: $(STAMP)
	$(BIN)/python -m bench.funding_publish

bench-search: $(STAMP)
	$(BIN)/python -m bench.search

bench-knowledge: $(STAMP)
	$(BIN)/python -m bench.knowledge

bench-dashboard: $(STAMP)
	$(BIN)/python -m bench.dashboard

clean:
	rm -rf data .pytest_cache .mypy_cache test-artifacts

bench-gateway-overhead: $(STAMP)
	$(BIN)/python -m bench.gateway_overhead

bench-sse-fanout: $(STAMP)
	$(BIN)/python -m bench.sse_fanout
