# leerpad: two commands do all the set-up on a fresh machine with Python 3.11+.
#   make start   builds what changed and serves the platform on 127.0.0.1
#                (COHORT=naam make start: a named cohort)
#   make test    the same set-up, then lint and every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: start test lint bench check clean

$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(INSTALLED)

# COHORT=gent make start: run that cohort (made with `leerpad cohort create`); default demo
start: $(INSTALLED)
	@$(BIN)/leerpad start $(if $(COHORT),--cohort $(COHORT))

check: $(INSTALLED)
	$(BIN)/leerpad check

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# axe-core for the accessibility browser test, pinned in tests/package-lock.json.
# Without npm the test skips with the reason (in CI, where .ci/run installs npm, it fails).
AXE := tests/node_modules/.installed
$(AXE): tests/package.json tests/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tests --no-audit --no-fund --loglevel=error && touch $(AXE); \
	else echo "npm ontbreekt: de toegankelijkheidstest (axe-core) wordt overgeslagen."; fi

test: lint $(AXE)
	$(BIN)/python -m pytest

bench: $(INSTALLED)
	$(BIN)/python -m tests.bench

clean:
	rm -rf build var
