"""The scheduler's forkserver preload (urbanmon.preload): importable, thread-free, and wired into the platform."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_preload_imports_everything_and_starts_no_thread():
    """Forking a process that runs threads can deadlock the child: the preload may only import."""
    code = (
        "import json, sys, threading\n"
        "import urbanmon.preload as p\n"
        "print(json.dumps({'threads': [t.name for t in threading.enumerate()],\n"
        "                  'missing': [m for m in p.MODULES if m not in sys.modules]}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(REPO)}, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"threads": ["MainThread"], "missing": []}


def _exports(script: Path) -> dict[str, str]:
    out = {}
    for line in script.read_text().splitlines():
        if line.startswith("export AIRFLOW__") and "=" in line:
            key, value = line[len("export "):].split("=", 1)
            out[key] = value.split("${", 1)[1].split(":-", 1)[1].rstrip("}") if value.startswith("${") else value
    return out


def test_embedded_scheduler_preloads_through_a_forkserver():
    """scripts/env.sh holds the embedded platform's Airflow settings: the LocalExecutor's workers come from a
    forkserver that has imported urbanmon.preload (and Airflow, as the workers would otherwise re-import it)."""
    exports = _exports(REPO / "scripts/env.sh")
    assert exports["AIRFLOW__SCHEDULER__MP_START_METHOD"] == "forkserver"
    preload = exports["AIRFLOW__SCHEDULER__MP_FORKSERVER_PRELOAD"].split(",")
    assert {"airflow", "urbanmon.preload"} <= set(preload)


def test_dag_files_do_not_import_the_preload():
    """The DAG processor parses the DAG files often: the heavy imports belong to the task processes only."""
    code = "import sys, urbanmon.dag_factory; print(sorted(m for m in ('great_expectations', 'pandas', " \
           "'urbanmon.preload') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(REPO)}, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_production_celery_workers_preload_too():
    """The production profile (CeleryExecutor) gets the same preload through Celery's ``imports``."""
    import pytest

    from urbanmon import production

    env = production.airflow_env(production.COMPOSE, production.compose_secret)
    path = env["AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS"]
    python = REPO / ".venvs/pipeline-production/bin/python"  # the environment with Airflow's Celery provider
    if not python.exists():
        pytest.skip("no production environment here (make install PROFILE=production)")
    module, _, name = path.rpartition(".")
    code = f"import json, {module} as m; print(json.dumps(list(m.{name}['imports'])))"
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(REPO)}, check=True)
    assert "urbanmon.preload" in json.loads(out.stdout.strip().splitlines()[-1])
