"""scripts/supervise.sh on a private data folder, without Airflow or Superset: supervisord with the heartbeat and
the restart-limit listener comes up, restarts a killed program, gives up past the limit, and `down` leaves no process
behind."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from tests.conftest import REPO

SCRIPT = REPO / "scripts" / "supervise.sh"
pytestmark = pytest.mark.skipif(
    not (REPO / ".env").exists() or not (REPO / ".venvs/supervisor/bin/supervisord").exists(),
    reason="needs .env (make up or urbanmon env-init) and .venvs/supervisor (scripts/bootstrap.sh)")


def _run(env, *args, check=True):
    return subprocess.run([str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=120, check=check)


def _pid(env, program):
    out = _run(env, "ctl", "pid", program, check=False).stdout.strip()
    return int(out) if out.isdigit() else 0


def _wait_running(env, program, deadline):
    # RUNNING (past startsecs): a death while STARTING is supervisord's startretries' business, not an outage
    while "RUNNING" not in _run(env, "ctl", "status", program, check=False).stdout:
        assert time.monotonic() < deadline, _run(env, "ctl", "status", check=False).stdout
        time.sleep(0.3)


def test_up_restart_give_up_and_down_leaves_nothing(tmp_path):
    env = {**os.environ, "URBANMON_DATA_DIR": str(tmp_path / "data"), "AIRFLOW_PORT": "1", "SUPERSET_PORT": "2",
           "URBANMON_HEARTBEAT_SECONDS": "2", "URBANMON_RESTART_LIMIT": "1"}
    _run(env, "up")
    sid = int((tmp_path / "data" / "supervisor" / "supervisord.pgid").read_text())
    try:
        _run(env, "up")  # idempotent: the running supervisord is kept
        assert int((tmp_path / "data" / "supervisor" / "supervisord.pgid").read_text()) == sid
        deadline = time.monotonic() + 30
        _wait_running(env, "heartbeat", deadline)
        old = _pid(env, "heartbeat")
        assert old
        os.kill(old, signal.SIGKILL)
        while _pid(env, "heartbeat") in (0, old) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert _pid(env, "heartbeat") not in (0, old)
        events = tmp_path / "data" / "supervisor" / "events.jsonl"
        while not events.exists() and time.monotonic() < deadline:  # the listener hears of it after the restart
            time.sleep(0.3)
        assert f'"pid": {old}' in events.read_text()
        assert not _run(env, "running", "airflow", check=False).returncode == 0  # never started here
        # a second death within the window is over URBANMON_RESTART_LIMIT=1: stopped for good, and recorded
        _wait_running(env, "heartbeat", time.monotonic() + 30)
        os.kill(_pid(env, "heartbeat"), signal.SIGKILL)
        deadline = time.monotonic() + 30
        while '"event": "gave_up"' not in events.read_text():
            assert time.monotonic() < deadline
            time.sleep(0.3)
        while "STOPPED" not in _run(env, "ctl", "status", "heartbeat", check=False).stdout:
            assert time.monotonic() < deadline, _run(env, "ctl", "status", "heartbeat", check=False).stdout
            time.sleep(0.3)
        assert _run(env, "failed", "heartbeat", check=False).returncode == 0
    finally:
        _run(env, "down")
    left = subprocess.run(["pgrep", "-s", str(sid)], capture_output=True, text=True).stdout.split()
    assert left == [], f"processes left in supervisord's session: {left}"
    _run(env, "down")  # idempotent too
