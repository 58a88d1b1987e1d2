# Blogwerk: `make run` serves the demo on SQLite, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
PIP_INSTALL := $(PIP) install --quiet --disable-pip-version-check --build-constraint build-constraints.txt
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev browser axe lint migrate messages bench clean css

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check --upgrade "pip>=25.3"

$(VENV)/.installed: $(BIN)/python pyproject.toml build-constraints.txt
	$(PIP_INSTALL) -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP_INSTALL) -e ".[dev]"
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	DEBUG=true $(BIN)/python manage.py migrate --noinput

run: install
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	@echo "Serving the demo on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Debian's Chromium drives the browser tests; Playwright's own download does not work here.
browser:
	@command -v chromium >/dev/null 2>&1 || scripts/install-chromium.sh

# axe-core for the accessibility checks in the browser tests, from the npm registry.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm is missing: the accessibility checks will be skipped." >&2; fi

axe: node_modules/axe-core/axe.min.js

# The Bootstrap subset the pages load (static/css/bootstrap.subset.css, committed): PurgeCSS from npm.
css: install axe
	node scripts/build-css.mjs

test: install-dev browser axe
	$(BIN)/ruff check --quiet .
	$(BIN)/ruff format --check --quiet .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .

MESSAGES_IGNORE := --ignore=.venv --ignore=bench --ignore=tests --ignore=node_modules --ignore=test-artifacts --ignore=staticfiles --ignore=media
messages: install
	DEBUG=true $(BIN)/python manage.py makemessages -l de -l en --no-obsolete $(MESSAGES_IGNORE)
	DEBUG=true $(BIN)/python manage.py makemessages -d djangojs -l de -l en --no-obsolete $(MESSAGES_IGNORE)
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

bench: install-dev
	$(BIN)/python -m pip install --quiet -e ".[bench]" --build-constraint build-constraints.txt
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/comments.py
	@echo "More (need PostgreSQL and Redis on 127.0.0.1): bench/votes.py, bench/load.py; bench/import_wxr.py. See bench/README.md."

clean:
	rm -rf $(VENV) staticfiles .pytest_cache node_modules
