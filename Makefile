# The README's two commands: `make up` (the platform's main job) and `make test` (the whole test suite).
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := .venvs/pipeline/bin/python

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

install:  ## install both environments from the committed locks (what is missing only)
	scripts/bootstrap.sh

# PROFILE=production: PostgreSQL, Redis, Celery workers on this machine (scripts/production.sh, docs/scale-out.md)
PROFILE ?= embedded
PLATFORM = $(if $(filter production,$(PROFILE)),scripts/production.sh,$(if $(filter embedded,$(PROFILE)),scripts/platform.sh,$(error PROFILE must be embedded (default) or production, not "$(PROFILE)")))

up:  ## install, initialise, start Airflow and Superset, land the samples, wait, import dashboards, print access
	$(PLATFORM) up

down:  ## stop everything, leave no process behind
	$(PLATFORM) down

status:  ## services, files per state, current snapshot
	$(PLATFORM) status

test: install  ## the whole test suite (starts its own platform on other ports and a temporary data folder)
	$(PY) -m pytest -ra

lint: install  ## ruff
	.venvs/pipeline/bin/ruff check urbanmon dags tests scripts

docs: install  ## regenerate what the serving models' dbt YAML describes: docs/serving-schema.md and superset/assets
	$(PY) -m urbanmon.schema_doc
	$(PY) superset/board_assets.py

bench: install  ## benchmarks -> docs/benchmarks.md (with the platform up, also through Airflow: make bench LIVE=1)
	$(PY) scripts/bench.py $(if $(LIVE),--live)

bench-board: install  ## boards in headless Chromium and the 总览 chart-data API (20 viewers), cold/warm, printed (platform up; make bench LIVE=1 writes them)
	$(PY) scripts/bench_board.py

lock:  ## re-resolve the pinned locks (needs the package registry)
	.venvs/tools/bin/uv pip compile --python-version 3.11 --no-header requirements/pipeline.in -o requirements/pipeline.lock
	.venvs/tools/bin/uv pip compile --python-version 3.11 --no-header requirements/superset.in -o requirements/superset.lock
	.venvs/tools/bin/uv pip compile --python-version 3.11 --no-header requirements/supervisor.in -o requirements/supervisor.lock
	# the production images and PROFILE=production: each base lock plus its extras, every base pin kept
	.venvs/tools/bin/uv pip compile --python-version 3.11 --no-header docker/pipeline.production.in -c requirements/pipeline.lock -o docker/pipeline.production.lock
	.venvs/tools/bin/uv pip compile --python-version 3.11 --no-header docker/superset.production.in -c requirements/superset.lock -o docker/superset.production.lock

report: install  ## evaluation report of a frozen edition: make report YEAR=2025 EDITION=mid-term [BY=editor: freeze it first]
	$(if $(YEAR),,$(error make report needs YEAR=<year>, e.g. make report YEAR=2025 EDITION=mid-term))
	$(PY) -m urbanmon.cli report --year $(YEAR) --edition $(or $(EDITION),annual) $(if $(BY),--freeze-by "$(BY)")

.PHONY: help install up down status test lint bench lock bench-board report
