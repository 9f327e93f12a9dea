"""The chart-data cache serves a result only for the snapshot it was computed from: Superset's own Flask-Caching,
configured from superset_config.py, in the Superset environment (where it runs), against files swapped in the way
the publisher swaps them (os.replace)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SUPERSET_PY = REPO / ".venvs" / "superset" / "bin" / "python"

SCRIPT = r'''
import importlib.util, json, os, sys
from pathlib import Path
from flask import Flask
from flask_caching import Cache

spec = importlib.util.spec_from_file_location("superset_config", sys.argv[1])
cfg = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cfg)
serving = Path(os.environ["URBANMON_DATA_DIR"]) / "serving"
serving.mkdir(parents=True, exist_ok=True)

def publish(name, content):  # what urbanmon.publish does: a new file, then os.replace
    tmp = serving / f".{name}.tmp"
    tmp.write_bytes(content)
    os.replace(tmp, serving / name)

publish("warehouse.duckdb", b"snapshot 1")
publish("operations.duckdb", b"operations 1")
app = Flask("t")
cache = Cache()
cache.init_app(app, config=cfg.DATA_CACHE_CONFIG)
with app.app_context():
    out = {"backend": type(cache.cache).__name__}
    cache.set("chart", "result of snapshot 1")
    out["same_snapshot"] = cache.get("chart")
    publish("warehouse.duckdb", b"snapshot 2")
    out["after_serving_publish"] = cache.get("chart")
    cache.set("chart", "result of snapshot 2")
    out["refilled"] = cache.get("chart")
    publish("operations.duckdb", b"operations 2")
    out["after_operations_publish"] = cache.get("chart")
    # a query that looked up before a publication and stores after it keeps the prefix it looked up with
    assert cache.get("slow") is None
    publish("warehouse.duckdb", b"snapshot 3")
    cache.set("slow", "computed on snapshot 2")
    out["slow_after_publish"] = cache.get("slow")
    out["files"] = len(list(Path(cfg.DATA_CACHE_CONFIG["CACHE_DIR"]).iterdir()))
print(json.dumps(out))
'''


@pytest.mark.skipif(not SUPERSET_PY.exists(), reason="the Superset environment is not installed (make install)")
def test_a_new_snapshot_makes_every_cached_result_unreachable(tmp_path):
    env = {**os.environ, "URBANMON_DATA_DIR": str(tmp_path / "data"),
           "SUPERSET_SECRET_KEY": "Zq8vT3nLw0Rk5yHc2GmJ7pXs4dBf9aUe"}
    proc = subprocess.run([str(SUPERSET_PY), "-c", SCRIPT, str(REPO / "superset" / "superset_config.py")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["backend"] == "SnapshotKeyedCache"
    assert out["same_snapshot"] == "result of snapshot 1"
    assert out["after_serving_publish"] is None
    assert out["refilled"] == "result of snapshot 2"
    assert out["after_operations_publish"] is None
    assert out["slow_after_publish"] is None
    assert out["files"] >= 3  # stored on disk, shared by the gunicorn workers
