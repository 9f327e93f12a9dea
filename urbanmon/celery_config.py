"""Celery configuration of the production profile's Airflow workers: Airflow's defaults plus the task preload.

``[celery] celery_config_options`` points here (urbanmon.production.airflow_env, docker-compose.yml). Celery imports
the ``imports`` modules in the worker's main process before it forks its pool, and Airflow forks each task process
from a pool process, so tasks start with urbanmon.preload's modules in memory: the CeleryExecutor counterpart of the
embedded platform's forkserver preload (scripts/env.sh).
"""

from __future__ import annotations

from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG

CELERY_CONFIG = {**DEFAULT_CELERY_CONFIG,
                 "imports": (*DEFAULT_CELERY_CONFIG.get("imports", ()), "urbanmon.preload")}
