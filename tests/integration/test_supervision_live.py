"""Live: a process `make up` started dies -> supervisord restarts it, the heartbeat alerts, files still flow.

Runs on the session's platform (tests/integration/conftest.py) and leaves it healthy: both killed components are
back, Airflow's health endpoint says so, and a file landed after the restarts is processed."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time

import pytest
import requests

from tests.conftest import REPO, real_city_file

pytestmark = pytest.mark.integration


def _ctl(platform, *args: str) -> str:
    return subprocess.run([str(REPO / "scripts/supervise.sh"), "ctl", *args], env=platform.env,
                          capture_output=True, text=True, timeout=60).stdout.strip()


def _pid(platform, program: str) -> int:
    out = _ctl(platform, "pid", program)
    return int(out) if out.isdigit() else 0


def _airflow_healthy(platform) -> bool:
    try:
        h = requests.get(f"{platform.airflow}/api/v2/monitor/health", timeout=3,
                         proxies={"http": None, "https": None}).json()
        return all(h[k]["status"] == "healthy" for k in ("metadatabase", "scheduler", "triggerer", "dag_processor"))
    except (requests.RequestException, ValueError, KeyError):
        return False


def _running_in_group(pgid: int) -> list[str]:
    """The processes of a process group that are not zombies."""
    out = subprocess.run(["ps", "-eo", "pid=,pgid=,stat="], capture_output=True, text=True).stdout
    return [pid for pid, group, stat in (line.split()[:3] for line in out.splitlines() if len(line.split()) >= 3)
            if group == str(pgid) and not stat.startswith("Z")]


def _kill_and_watch(platform, program: str, label: str) -> dict:
    """SIGKILL the program's process; wait for a new pid and for the heartbeat's alert about the dead one."""
    old = _pid(platform, program)
    assert old > 0, _ctl(platform, "status")
    t0 = time.monotonic()
    os.kill(old, signal.SIGKILL)
    new = 0
    while time.monotonic() - t0 < 30:
        new = _pid(platform, program)
        if new and new != old:
            break
        time.sleep(0.2)
    restarted_s = time.monotonic() - t0
    assert new and new != old, f"{program} not restarted within 30 s: {_ctl(platform, 'status')}"
    rows = []
    while time.monotonic() - t0 < 40:
        try:
            rows = platform.operations(
                "select kind, subject, body from alerts where kind in ('service_down', 'service_restarted') "
                "and body like ?", [f"%进程 {old}）%"])
        except Exception:  # noqa: BLE001 - a snapshot being swapped in: read again
            rows = []
        if rows:
            break
        time.sleep(0.5)
    alerted_s = time.monotonic() - t0
    assert len(rows) == 1, f"no heartbeat alert for {program} (pid {old}) within 40 s"
    # what the dead process started (its process group) went with it: no orphan beside the new process (killed
    # processes may stay zombies for a moment until they are reaped: those are not running)
    left = _running_in_group(old)
    deadline = time.monotonic() + 15
    while left and time.monotonic() < deadline:
        time.sleep(0.5)
        left = _running_in_group(old)
    assert left == [], f"orphans of {program} (pid {old}) still running: {left}"
    kind, subject, body = rows[0]
    assert label in subject and "意外退出" in body and "处理" in body, (kind, subject, body)
    return {"program": program, "old_pid": old, "new_pid": new, "restart_s": round(restarted_s, 1),
            "alert_s": round(alerted_s, 1), "alert_kind": kind}


def test_killed_components_are_restarted_alerted_and_files_still_flow(platform, record_property):
    t0 = time.monotonic()
    measured = [_kill_and_watch(platform, "airflow:airflow-triggerer", "触发器"),
                _kill_and_watch(platform, "airflow:airflow-scheduler", "调度器")]
    # one outage is one alert: the heartbeat beats again without adding another for the same exits
    for m in measured:
        n = platform.operations("select count(*) from alerts where body like ?", [f"%进程 {m['old_pid']}）%"])[0][0]
        assert n == 1, m

    # a file landed after the restarts is processed (a real day's file not loaded yet: the national file, or the
    # shipped sample's with its rows in another order, which changes its hash and no value)
    data = real_city_file("20200107")
    if platform.operations("select count(*) from files where sha256 = ?", [hashlib.sha256(data).hexdigest()])[0][0]:
        header, *rows = data.decode().splitlines()
        data = ("\n".join([header, *reversed(rows)]) + "\n").encode()
    t1 = time.monotonic()
    platform.drop("china_cities_20200107.csv", data)
    state, _ = platform.wait_for_file(hashlib.sha256(data).hexdigest(), timeout=300)
    assert state == "loaded"
    processed_s = time.monotonic() - t1

    # healthy for the tests after this one, and make status shows the heartbeat's view
    while not _airflow_healthy(platform) and time.monotonic() - t1 < 120:
        time.sleep(1)
    assert _airflow_healthy(platform)
    # the heartbeat's view catches up within a beat (URBANMON_HEARTBEAT_SECONDS, 30 by default)
    hb = platform.data / "supervisor" / "heartbeat.json"
    want = ("airflow-triggerer", "airflow-scheduler", "superset")
    while time.monotonic() - t1 < 180:
        seen = json.loads(hb.read_text(encoding="utf-8")).get("services", {}) if hb.exists() else {}
        if all(seen.get(p, {}).get("state") == "running" for p in want):
            break
        time.sleep(1)
    status = subprocess.run([str(REPO / ".venvs/pipeline/bin/python"), "-m", "urbanmon.cli", "status"],
                            env=platform.env, capture_output=True, text=True, timeout=120)
    beat = json.loads(status.stdout)["heartbeat"]
    assert not beat["stale"], beat
    for program in want:
        assert beat["services"][program].startswith("运行中"), beat
    measured.append({"file_processed_s": round(processed_s, 1), "test_s": round(time.monotonic() - t0, 1)})
    record_property("supervision", json.dumps(measured, ensure_ascii=False))
    print("supervision measured:", json.dumps(measured, ensure_ascii=False))
