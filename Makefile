# Blogwerk: `make run` serves the demo on SQLite, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
PIP_INSTALL := $(PIP) install --quiet --disable-pip-version-check
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev lock lock-upgrade browser axe lint migrate messages bench clean css

# The pip that comes with Python is enough: every wheel, no build constraints.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Exact versions with hashes from the lock files (make lock), so every machine and CI
# installs the same; the lock holds setuptools too, so the project itself builds offline.
$(VENV)/.installed: $(BIN)/python pyproject.toml setup.py requirements.lock
	$(PIP_INSTALL) --require-hashes -r requirements.lock
	$(PIP_INSTALL) --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(PIP_INSTALL) --require-hashes -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Write the lock files from pyproject.toml after a dependency changed (pins that still fit
# are kept); `make lock-upgrade` moves every pin to the newest version within the bounds.
LOCK_FLAGS := --quiet --no-emit-index-url --no-emit-find-links --allow-unsafe --generate-hashes \
	--strip-extras --build-deps-for wheel --build-deps-for editable
lock: $(BIN)/python
	$(PIP_INSTALL) "pip-tools>=7.4,<8"
	$(BIN)/pip-compile $(LOCK_FLAGS) $(LOCK_UPGRADE) -o requirements.lock pyproject.toml
	$(BIN)/pip-compile $(LOCK_FLAGS) $(LOCK_UPGRADE) --extra dev -o requirements-dev.lock pyproject.toml

lock-upgrade:
	$(MAKE) lock LOCK_UPGRADE=--upgrade

migrate: install
	DEBUG=true $(BIN)/python manage.py migrate --noinput

run: install
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	@echo "Serving the demo on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "The worker for mail and periodic jobs runs beside it; Ctrl+C stops both."
	@DEBUG=true $(BIN)/python manage.py blogwerk_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Debian's Chromium drives the browser tests; Playwright's own download does not work here.
browser:
	@command -v chromium >/dev/null 2>&1 || scripts/install-chromium.sh

# axe-core for the accessibility checks in the browser tests, from the npm registry.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm is missing: the accessibility checks will be skipped." >&2; fi

axe: node_modules/axe-core/axe.min.js

# The Bootstrap subset reader pages load (static/css/bootstrap.subset.css, committed), made by
# PurgeCSS from npm; tests/config/test_html_valid.py fails when a page needs a rule it lacks.
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
	$(PIP_INSTALL) -e ".[bench]"
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/comments.py
	@echo "More (need PostgreSQL and Redis on 127.0.0.1): bench/votes.py, bench/load.py; bench/import_wxr.py. See bench/README.md."

clean:
	rm -rf $(VENV) staticfiles .pytest_cache node_modules
