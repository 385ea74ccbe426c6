# OpenTEMIS: `make demo` and `make test` are all a new user needs (Python 3.11 + make).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
export DJANGO_SETTINGS_MODULE := opentemis.settings

.PHONY: help install install-cluster demo serve test test-pg test-browser test-cluster cluster cluster-down lint format bench messages clean

help:
	@echo "make demo          install, load the demo dataset and serve http://$(HOST):$(PORT)"
	@echo "make test          run the test suite (SQLite)"
	@echo "make test-pg       run the suite on PostgreSQL (DATABASE_URL or local server)"
	@echo "make test-browser  real-browser journeys (Debian chromium)"
	@echo "make bench         benchmarks on the national dataset (PostgreSQL); writes docs/benchmarks.md"
	@echo "make cluster       the scale-out topology on this machine (docs/operations.md); make cluster-down"
	@echo "make test-cluster  bring a small cluster up, kill a node during a rush, check nothing was lost"
	@echo "make lint          ruff, the apps' layers (import-linter) and types (mypy)"

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# The cluster's extras (moto's S3 server, redis, django-storages) and HAProxy (Debian's package).
$(BIN)/.cluster-installed: $(BIN)/.installed
	command -v haproxy >/dev/null || (apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null)
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev,cluster]'
	touch $@

install-cluster: $(BIN)/.cluster-installed

# CLUSTER_ARGS, e.g. "--nodes 2 --workers 1 --data none"; see python deploy/cluster.py up -h.
cluster: install-cluster
	$(BIN)/python deploy/cluster.py up $(CLUSTER_ARGS)

cluster-down:
	$(BIN)/python deploy/cluster.py down

test-cluster: install-cluster
	$(BIN)/python -m pytest -m cluster -p no:cacheprovider tests/cluster

demo: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py demo
	@# The background worker (print-all forms, exports) runs beside the web server, and stops with it.
	$(BIN)/python manage.py db_worker --no-reload -v0 & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn opentemis.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 --access-logfile -

serve: install
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py db_worker --no-reload -v0 & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn opentemis.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4

test: install
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider

test-pg: install
	bash scripts/with-pg-db.sh $(BIN)/python -m pytest -n 2 -p no:cacheprovider

test-browser: install
	$(BIN)/python -m pytest -m browser -p no:cacheprovider tests/browser

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# The apps' layers (pyproject.toml, [tool.importlinter]; docs/decisions/0014-layers.md).
	$(BIN)/lint-imports --no-cache
	@# Types, strict (pyproject.toml, [tool.mypy]; django-stubs and the DRF stubs).
	$(BIN)/mypy opentemis

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	bash bench/run.sh

messages: install
	$(BIN)/python scripts/compile_messages.py

clean:
	rm -rf $(VENV) var/opentemis.sqlite3* var/static
