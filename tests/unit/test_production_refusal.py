"""`make up PROFILE=production` with a wrong secret refuses before anything starts, and names the setting."""

from __future__ import annotations

import os
import subprocess

from tests.conftest import REPO


def test_a_short_secret_stops_the_start_before_anything_runs(tmp_path):
    data = tmp_path / "data"
    env = {**os.environ, "URBANMON_DATA_DIR": str(data), "AIRFLOW_SECRET_KEY": "Xk3-9aQ_zP",
           "AIRFLOW_PORT": "1", "SUPERSET_PORT": "1"}
    result = subprocess.run([str(REPO / "scripts/production.sh"), "up"], env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "AIRFLOW_SECRET_KEY is too short (10 characters, at least 32)" in result.stderr
    # nothing started, nothing initialised: no PostgreSQL cluster, no supervisord
    assert not (data / "production").exists()
    assert not (data / "supervisor" / "supervisor.sock").exists()
