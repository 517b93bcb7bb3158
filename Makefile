# leerpad: two commands do all the set-up on a fresh Debian/Ubuntu machine with Python 3.11+.
#   make start   installs what is missing, builds what changed and serves the platform
#                (COHORT=naam make start: a named cohort)
#   make test    the same set-up plus the test tools, then lint and every test
#   make classroom  the same as make start, but the pupils of one class reach the apps and
#                the site over the school's Wi-Fi (HTTPS; CLASSROOM_HOST=<address> to choose it)
#   make hub     a cohort on many devices: JupyterHub with demo accounts (as root; see
#                site/docs/installeren.md)
# System packages (scripts/system-packages.sh) come from apt-get when run as root or with
# passwordless sudo; otherwise make stops at once with the one command to run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
COHORT ?= demo

.PHONY: start classroom test lint bench check clean python system-start system-test system-hub hub frontend

python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "leerpad heeft Python 3.11 of nieuwer nodig. Installeer het (bv. sudo apt-get install python3) of kies er een: make PYTHON=python3.11 $(MAKECMDGOALS)"; exit 1; }

$(INSTALLED): pyproject.toml | python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Python-omgeving installeren in $(VENV)/ (eenmalig, enkele minuten)"
	@$(BIN)/python -m pip install -q --upgrade pip
	@# setuptools warns that an editable install maps folders to subpackages (widgets/ is
	@# leerpad.widgets): that is our layout on purpose, so its one warning is not shown.
	@PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install -q -e '.[test]'
	@touch $(INSTALLED)

system-start:
	@bash scripts/system-packages.sh start

system-test:
	@bash scripts/system-packages.sh test

system-hub:
	@bash scripts/system-packages.sh hub

start: system-start $(INSTALLED)
	@$(BIN)/leerpad start --cohort $(COHORT)

# Classroom mode (leerpad.classroom): apps and site on the Wi-Fi, everything else on 127.0.0.1.
classroom: system-start $(INSTALLED)
	@$(BIN)/leerpad start --classroom --cohort $(COHORT) $(if $(CLASSROOM_HOST),--host $(CLASSROOM_HOST))

check: $(INSTALLED)
	$(BIN)/leerpad check

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# axe-core for the accessibility browser test, pinned in tests/package-lock.json.
AXE := tests/node_modules/.installed
$(AXE): tests/package.json tests/package-lock.json | system-test
	@npm ci --prefix tests --no-audit --no-fund --loglevel=error && touch $(AXE)

# The learner app's front-end (widgets/frontend), pinned in its package-lock.json. Its built
# bundle is in the repository (make start needs no Node); make frontend builds it again after
# a change to its source, and a test checks that the two match.
FRONTEND := widgets/frontend/node_modules/.installed
$(FRONTEND): widgets/frontend/package.json widgets/frontend/package-lock.json | system-test
	@npm ci --prefix widgets/frontend --no-audit --no-fund --loglevel=error && touch $(FRONTEND)

frontend: $(FRONTEND)
	@node widgets/frontend/build.mjs

# configurable-http-proxy for hub mode (JupyterHub's proxy), pinned in
# leerpad/hub/package-lock.json.
PROXY := leerpad/hub/node_modules/.installed
$(PROXY): leerpad/hub/package.json leerpad/hub/package-lock.json
	@npm ci --prefix leerpad/hub --no-audit --no-fund --loglevel=error && touch $(PROXY)

# Hub mode to try on this machine: two demo teachers and a trainer (HUB_PORT, default 8000).
hub: system-hub $(INSTALLED) $(PROXY)
	@$(BIN)/leerpad hub --cohort $(COHORT)

# Every test runs: a browser test never skips for want of Chromium (make installs it).
# Two workers: the tests on the shared platform in one, every other file whole in either
# (a scheduler in tests/conftest.py); the slowest tests are listed at the end, so a
# slow run shows where its time went.
test: system-test lint $(AXE) $(PROXY) $(FRONTEND)
	LEERPAD_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -n 2 --dist loadscope --durations=25

bench: $(INSTALLED)
	$(BIN)/python -m tests.bench

clean:
	rm -rf build var
