"""Superset configuration inside the docker-compose deployment (SUPERSET_CONFIG_PATH of docker/superset.Dockerfile).

Everything of superset/superset_config.py applies (secret key checks, Chinese UI, CSP, limits, no data cache);
this file adds only what several containers need to share: the Celery broker and results backend of
superset-worker, SQL Lab's async results, the UI state caches and the chart-data cache, all in Redis (the local mode
keeps them in files). The chart-data cache stays keyed by the published snapshot (superset/snapshot_cache.py): a new
snapshot makes every earlier entry unreachable at once, on every Superset node that shares this Redis.
The metadata database comes from SUPERSET_METADATA_URI (PostgreSQL), read by the base configuration.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import types
from pathlib import Path
from urllib.parse import quote

from cachelib.redis import RedisCache

_BASE = Path(os.environ.get("URBANMON_REPO_ROOT", "/opt/urbanmon/app")) / "superset" / "superset_config.py"
_spec = importlib.util.spec_from_file_location("urbanmon_superset_base_config", _BASE)
_base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_base)
globals().update({name: value for name, value in vars(_base).items() if name.isupper()})

if not os.environ.get("SUPERSET_METADATA_URI", "").startswith("postgresql"):
    raise RuntimeError("SUPERSET_METADATA_URI must point to the PostgreSQL metadata database in production")

REDIS_HOST = os.environ.get("SUPERSET_REDIS_HOST", "redis")
REDIS_PORT = int(os.environ.get("SUPERSET_REDIS_PORT", "6379"))
_REDIS_PASSWORD = os.environ.get("SUPERSET_REDIS_PASSWORD", "")
if not _REDIS_PASSWORD:
    raise RuntimeError("SUPERSET_REDIS_PASSWORD is not set")
# Airflow's Celery broker uses database 0 of the same server
_REDIS_URL = f"redis://:{quote(_REDIS_PASSWORD, safe='')}@{REDIS_HOST}:{REDIS_PORT}"


class CeleryConfig:
    broker_url = f"{_REDIS_URL}/1"
    result_backend = f"{_REDIS_URL}/1"
    imports = ("superset.sql_lab", "superset.tasks.scheduler")
    worker_prefetch_multiplier = 1
    task_acks_late = False
    broker_connection_retry_on_startup = True


CELERY_CONFIG = CeleryConfig

RESULTS_BACKEND = RedisCache(
    host=REDIS_HOST, port=REDIS_PORT, password=_REDIS_PASSWORD, db=2, key_prefix="superset_results"
)


def _redis_cache(prefix: str, timeout_s: int) -> dict:
    return {
        "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": f"{_REDIS_URL}/3",
        "CACHE_KEY_PREFIX": f"superset_{prefix}_",
        "CACHE_DEFAULT_TIMEOUT": timeout_s,
    }


FILTER_STATE_CACHE_CONFIG = _redis_cache("filter_state", _base.FILTER_STATE_CACHE_CONFIG["CACHE_DEFAULT_TIMEOUT"])
EXPLORE_FORM_DATA_CACHE_CONFIG = _redis_cache(
    "explore_form_data", _base.EXPLORE_FORM_DATA_CACHE_CONFIG["CACHE_DEFAULT_TIMEOUT"]
)


def _snapshot_redis_factory(app, config, args, options):
    """Flask-Caching's factory protocol: Redis entries (database 4), keyed by the published snapshots."""
    from flask_caching.backends.rediscache import RedisCache as FlaskRedisCache

    options = dict(options)
    watched = options.pop("watched")
    inner = FlaskRedisCache(host=REDIS_HOST, port=REDIS_PORT, password=_REDIS_PASSWORD, db=4,
                            default_timeout=config["CACHE_DEFAULT_TIMEOUT"], key_prefix="superset_chart_data_")
    return sys.modules["urbanmon_snapshot_cache"].SnapshotKeyedCache(inner, watched)


# Flask-Caching imports CACHE_TYPE by its dotted name (the base configuration registers its module the same way)
_module = types.ModuleType("urbanmon_snapshot_redis_cache")
_module.factory = _snapshot_redis_factory
sys.modules[_module.__name__] = _module
DATA_CACHE_CONFIG = {
    "CACHE_TYPE": "urbanmon_snapshot_redis_cache.factory",
    "CACHE_DEFAULT_TIMEOUT": _base.DATA_CACHE_CONFIG["CACHE_DEFAULT_TIMEOUT"],
    "CACHE_OPTIONS": _base.DATA_CACHE_CONFIG["CACHE_OPTIONS"],
}
