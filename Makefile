# UPP Tracker: `make run` serves the app with demo data, `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/tracker_test
# The port `make run` serves on: `PORT=5101 make run` for another.
PORT ?= 5000

.PHONY: run install dev test test-postgres test-browser test-deploy test-api-fuzz lint \
  security semgrep bench bench-search bench-import clean translations translations-extract translations-update translations-cyrillic

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs pinned versions only (constraints.txt), so every machine runs the same code.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev

# Gettext catalogs: extract the strings into the template, merge it into each
# language's catalog, compile the catalogs (run, test and CI compile them).
CATALOGS := tracker/translations
translations-extract: dev
	$(BIN)/pybabel -q extract -F babel.cfg -k lazy_gettext -k _l -k Np_:1,2 --no-location \
	  --sort-output -o $(CATALOGS)/messages.pot .

translations-update: translations-extract
	$(BIN)/pybabel -q update -i $(CATALOGS)/messages.pot -d $(CATALOGS) --no-fuzzy-matching

# Serbian Cyrillic is derived from Serbian Latin, letter for letter.
translations-cyrillic: dev
	$(BIN)/python scripts/sr_cyrillic.py

translations: install
	$(BIN)/pybabel -q compile -d $(CATALOGS)

run: install translations
	$(BIN)/flask --app tracker db upgrade
	$(BIN)/flask --app tracker seed-demo --if-empty
	$(BIN)/flask --app tracker run --host 127.0.0.1 --port $(PORT)

test: dev translations
	TEST_DATABASE_URL= $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: dev translations
	psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='tracker_test'" | grep -q 1 \
	  || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE tracker_test"
	TEST_DATABASE_URL=$(TEST_POSTGRES_URL) $(BIN)/pytest -m "not browser"

test-browser: dev translations
	TEST_DATABASE_URL= $(BIN)/pytest -m browser

# nginx in front of two gunicorn instances on PostgreSQL and Redis (deploy/):
# sessions, rate limits and figures shared, one instance killed under load.
# Needs nginx, PostgreSQL and Redis on loopback; makes and drops its own database.
test-deploy: dev translations
	$(BIN)/pytest -m deploy tests/deploy
# schemathesis against /api/v1/openapi.json under gunicorn, anonymously and
# with a bearer token of each role (30 s each): no server error, no answer
# the document does not declare.
test-api-fuzz: dev translations
	$(BIN)/python tests/api_fuzz.py --max-time 30

lint: dev
	$(BIN)/ruff check tracker tests bench scripts
	$(BIN)/ruff format --check tracker tests bench scripts

# Static checks: bandit (medium and high findings fail), then our own semgrep
# rules (tests/semgrep/rules.yml; registry rulesets are unreachable here),
# after proving each rule on its fixtures. pip-audit is not run: it cannot
# reach a vulnerability database from here and would report a false all-clear.
SEMGREP_VENV := .venv-semgrep
SEMGREP := SEMGREP_ENABLE_VERSION_CHECK=0 SEMGREP_SEND_METRICS=off $(SEMGREP_VENV)/bin/semgrep

$(SEMGREP_VENV)/.installed: constraints-semgrep.txt
	$(PYTHON) -m venv $(SEMGREP_VENV)
	$(SEMGREP_VENV)/bin/pip install -q --disable-pip-version-check -c constraints-semgrep.txt semgrep
	touch $@

semgrep: $(SEMGREP_VENV)/.installed

security: dev semgrep
	$(BIN)/bandit -q -r tracker -ll
	$(SEMGREP) --metrics=off --disable-version-check --quiet --test tests/semgrep/
	$(SEMGREP) scan --metrics=off --disable-version-check --error --quiet \
	  --config tests/semgrep/rules.yml tracker templates

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Not part of `make test`: builds (and caches) scale databases, then times pages.
bench: dev
	$(BIN)/python bench/run.py

# Only the search pages (every page with q=), at both scales, both databases.
bench-search: dev
	$(BIN)/python bench/run.py --only search

# 20,000 participation rows through /admin/import under gunicorn: check, then import.
bench-import: dev
	$(BIN)/python bench/run.py --import
