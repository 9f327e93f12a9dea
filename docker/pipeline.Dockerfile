# The pipeline image: Airflow 3 (CeleryExecutor, FAB auth manager), dbt-duckdb, Great Expectations, DuckDB and the
# platform's code. One image for every Airflow service of docker-compose.yml. Build context: the repository root.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/urbanmon/venv \
    PATH=/opt/urbanmon/venv/bin:$PATH \
    PYTHONPATH=/opt/urbanmon/app \
    URBANMON_REPO_ROOT=/opt/urbanmon/app \
    URBANMON_DATA_DIR=/opt/urbanmon/data \
    AIRFLOW_HOME=/opt/airflow \
    DBT_SEND_ANONYMOUS_USAGE_STATS=false \
    GX_ANALYTICS_ENABLED=False

# curl for the health checks, tini to forward signals and reap children (Celery, dbt subprocesses); chromium and
# fonts-noto-cjk print the Chinese evaluation reports to PDF and draw their charts (urbanmon/reports.py)
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl tini chromium fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

# Exactly the committed locks, nothing resolved at build time: the environment the tests ran against, plus the
# production extras (Celery, FAB, PostgreSQL drivers) resolved with the same pins.
COPY requirements/pipeline.lock /tmp/locks/pipeline.lock
COPY docker/pipeline.production.lock /tmp/locks/pipeline.production.lock
RUN python -m venv "$VIRTUAL_ENV" \
    && pip install --no-deps -r /tmp/locks/pipeline.lock -r /tmp/locks/pipeline.production.lock \
    && pip check \
    && rm -rf /tmp/locks

# uid 50000, gid 0: the Airflow images' convention; the Superset image uses the same uid, so both read and write the
# shared data volume
RUN useradd --uid 50000 --gid 0 --home-dir /opt/airflow --create-home --shell /bin/bash urbanmon \
    && mkdir -p /opt/urbanmon/data/landing/air_quality /opt/urbanmon/data/archive /opt/airflow/logs \
    && chown -R 50000:0 /opt/urbanmon/data /opt/airflow \
    && chmod -R g+rwX /opt/urbanmon/data /opt/airflow

# The code is owned by root and read-only for the service user; dbt writes its target/ and logs/ under the data
# folder (urbanmon.pipeline), not into the project.
WORKDIR /opt/urbanmon/app
COPY pyproject.toml ./
COPY urbanmon/ urbanmon/
COPY dags/ dags/
COPY sources/ sources/
COPY dbt_project/ dbt_project/
COPY expectations/ expectations/
COPY registry/ registry/

USER 50000
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["airflow", "version"]
