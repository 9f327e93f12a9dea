# The Superset image: Superset 6 with the DuckDB driver (the same DuckDB version as the pipeline image, so it reads
# the snapshots the pipeline writes), the platform's Superset configuration and dashboards as code.
# One image for superset, superset-worker and superset-init of docker-compose.yml. Build context: the repository root.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/superset/venv \
    PATH=/opt/superset/venv/bin:$PATH \
    URBANMON_REPO_ROOT=/opt/urbanmon/app \
    URBANMON_DATA_DIR=/opt/urbanmon/data \
    SUPERSET_CONFIG_PATH=/opt/urbanmon/app/docker/superset_production_config.py \
    FLASK_APP=superset \
    SUPERSET_HOME=/opt/superset/home

# curl for the health check, tini to forward signals and reap children (gunicorn, Celery)
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl tini \
    && rm -rf /var/lib/apt/lists/*

COPY requirements/superset.lock /tmp/locks/superset.lock
COPY docker/superset.production.lock /tmp/locks/superset.production.lock
RUN python -m venv "$VIRTUAL_ENV" \
    && pip install --no-deps -r /tmp/locks/superset.lock -r /tmp/locks/superset.production.lock \
    && pip check \
    && rm -rf /tmp/locks

# same uid as the pipeline image (see docker/pipeline.Dockerfile)
RUN useradd --uid 50000 --gid 0 --home-dir /opt/superset/home --create-home --shell /bin/bash superset \
    && mkdir -p /opt/urbanmon/data/superset \
    && chown -R 50000:0 /opt/urbanmon/data /opt/superset/home \
    && chmod -R g+rwX /opt/urbanmon/data /opt/superset/home

WORKDIR /opt/urbanmon/app
COPY superset/ superset/
COPY docker/superset_production_config.py docker/superset_production_config.py

USER 50000
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["superset", "version"]
