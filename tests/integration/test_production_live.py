"""Live: the production shape on this machine (`make up PROFILE=production`, scripts/production.sh) — PostgreSQL,
Redis, Airflow with two Celery workers, Superset on PostgreSQL with its chart cache in Redis — started on free
ports and a temporary data folder, fed real daily files, then a worker lost while it runs the build.

One platform for the module; the tests run in order and each builds on the one before."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import REPO, real_city_file
from tests.integration.conftest import Platform, _free_port
from tests.sockets import listeners, session_pids

pytestmark = pytest.mark.integration

PSQL = "/usr/lib/postgresql/15/bin/psql"
DAILY_AQI_CHART = "9ee39185-eedf-5371-933b-4d372df7f2f6"  # 济南市日空气质量指数 (superset/assets/charts)
FIRST_DAY, SECOND_DAY = "20200105", "20200106"
HEARTBEAT_TIMEOUT_S = 20  # the default (300 s) would take 5 minutes to notice a lost worker
FIGURES: dict[str, float] = {}  # measured here; written to $URBANMON_FIGURES_FILE if set (docs/scale-out.md)


def _figure(name: str, value: float) -> None:
    FIGURES[name] = round(value, 1)
    target = os.environ.get("URBANMON_FIGURES_FILE")
    if target:
        Path(target).write_text(json.dumps(FIGURES, indent=1) + "\n", encoding="utf-8")


class Production(Platform):
    def __init__(self, data: Path, env: dict):
        super().__init__(data, env)
        self.sup_conf = data / "supervisor" / "production.conf"

    def sql(self, database: str, query: str) -> list[list[str]]:
        out = subprocess.run(
            [PSQL, "-h", "127.0.0.1", "-p", self.env["PRODUCTION_POSTGRES_PORT"], "-U", self.setting("POSTGRES_USER"),
             "-d", database, "-tA", "-F", "\t", "-c", query],
            env={**os.environ, "PGPASSWORD": self.setting("POSTGRES_PASSWORD")}, capture_output=True, text=True,
            timeout=30)
        assert out.returncode == 0, out.stderr
        return [line.split("\t") for line in out.stdout.splitlines() if line]

    def ctl(self, *args: str) -> str:
        return subprocess.run([str(REPO / ".venvs/supervisor/bin/supervisorctl"), "-c", str(self.sup_conf), *args],
                              capture_output=True, text=True, timeout=60).stdout.strip()

    def redis_keys(self, db: int, pattern: str) -> list[str]:
        auth = {**os.environ, "REDISCLI_AUTH": self.setting("REDIS_PASSWORD")}
        out = subprocess.run(["redis-cli", "-p", self.env["PRODUCTION_REDIS_PORT"], "-n", str(db), "--scan",
                              "--pattern", pattern], env=auth, capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        return out.stdout.split()

    def chart(self, session: requests.Session, chart_id: int) -> dict:
        r = session.get(f"{self.superset}/api/v1/chart/{chart_id}/data/", timeout=120)
        assert r.status_code == 200, r.text[:500]
        return r.json()["result"][0]


def _superset_env(env: dict) -> dict:
    out = subprocess.run([str(REPO / ".venvs/pipeline-production/bin/python"), "-m", "urbanmon.production", "env",
                          "superset"], env=env, capture_output=True, text=True, timeout=60, check=True).stdout
    values = dict(env)
    for line in out.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        values[key] = subprocess.run(["bash", "-c", f"printf %s {value}"], capture_output=True, text=True).stdout
    return values


@pytest.fixture(scope="module")
def prod():
    # PostgreSQL and Redis run as their own users when the tests run as root: the folder must be reachable by them
    base = Path(tempfile.mkdtemp(prefix="urbanmon-production-", dir="/tmp"))
    base.chmod(0o755)
    data = base / "data"
    env = {
        **os.environ,
        "URBANMON_DATA_DIR": str(data),
        "AIRFLOW_PORT": str(_free_port()), "SUPERSET_PORT": str(_free_port()),
        "PRODUCTION_POSTGRES_PORT": str(_free_port()), "PRODUCTION_REDIS_PORT": str(_free_port()),
        "PRODUCTION_SCHEDULER_HEALTH_PORT": str(_free_port()),
        "URBANMON_PRODUCTION_SERVICES_ONLY": "1",
        # a password starting with "-" (1 in 64 of the generated ones before urbanmon.cli.token): the init must take it
        # as the value it is, not as an option (it once kept this platform from starting)
        "AIRFLOW_ADMIN_PASSWORD": "-" + secrets.token_urlsafe(16),
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(HEARTBEAT_TIMEOUT_S),
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
    }
    log = base / "production-up.log"
    t0 = time.monotonic()
    with open(log, "w") as fh:
        up = subprocess.run([str(REPO / "scripts/production.sh"), "up"], env=env, stdout=fh,
                            stderr=subprocess.STDOUT, timeout=900)
    sid_file = data / "supervisor" / "supervisord.pgid"
    sid = int(sid_file.read_text()) if sid_file.exists() else None
    try:
        if up.returncode != 0:
            pytest.fail(f"production.sh up failed ({up.returncode}):\n" + log.read_text(errors="replace")[-4000:])
        _figure("services_up_s", time.monotonic() - t0)
        yield Production(data, env)
    finally:
        down = subprocess.run([str(REPO / "scripts/production.sh"), "down"], env=env, capture_output=True,
                              text=True, timeout=600)
        left = session_pids(sid) if sid else []
        shutil.rmtree(base, ignore_errors=True)
        assert down.returncode == 0, down.stdout + down.stderr
        assert not left, f"make down PROFILE=production left processes: {left}"


def test_services_run_and_listen_on_loopback_only(prod):
    status = prod.ctl("status")
    programs = {line.split()[0]: line.split()[1] for line in status.splitlines()}
    assert set(programs) >= {"stores:postgres", "stores:redis", "airflow:airflow-worker-1", "airflow:airflow-worker-2",
                             "airflow:airflow-scheduler", "superset:superset-worker"}, status
    assert set(programs.values()) == {"RUNNING"}, status
    sid = int((prod.data / "supervisor" / "supervisord.pgid").read_text())
    found = listeners(session_pids(sid))
    assert not [item for item in found if not item.loopback], found
    expected = {int(prod.env[k]) for k in ("AIRFLOW_PORT", "SUPERSET_PORT", "PRODUCTION_POSTGRES_PORT",
                                           "PRODUCTION_REDIS_PORT", "PRODUCTION_SCHEDULER_HEALTH_PORT")}
    assert {item.port for item in found} == expected, found


def _wait_processed(prod: Production, data: bytes, started: float) -> str:
    sha = hashlib.sha256(data).hexdigest()
    state, _ = prod.wait_for_file(sha, timeout=240)
    assert state == "loaded"
    _figure("landing_to_snapshot_s", time.monotonic() - started)
    return sha


def _jinan_aqi(prod: Production, day: str) -> float:
    iso = f"{day[:4]}-{day[4:6]}-{day[6:]}"
    rows = prod.serving("select aqi from air_quality_daily where area_name = '济南' "
                        "and location_type = 'city' and standard = 'HJ 633-2012' and date = ?", [iso])
    assert len(rows) == 1, rows
    return rows[0][0]


def _superset_value(result: dict, day: str) -> float | None:
    """The chart's value of ``day`` (its x axis is the date, as epoch milliseconds at 00:00 UTC)."""
    wanted = [row["aqi_daily"] for row in result["data"]
              if time.strftime("%Y%m%d", time.gmtime(row["date"] / 1000)) == day]
    return wanted[0] if wanted else None


def test_a_landed_file_runs_on_celery_workers_and_reaches_superset_through_redis(prod):
    data = real_city_file(FIRST_DAY)
    started = time.monotonic()
    prod.drop(f"china_cities_{FIRST_DAY}.csv", data)
    _wait_processed(prod, data, started)
    sid = int((prod.data / "supervisor" / "supervisord.pgid").read_text())
    _figure("resident_mb_all_services", sum(_rss_kb(pid) for pid in session_pids(sid)) / 1024)

    # Airflow's metadata is in PostgreSQL: every task of the runs ran on one of the two Celery workers (the value
    # is served before the run's last task, publish_operations, has finished: wait for the runs to end)
    query = ("select dag_id, task_id, state, hostname from task_instance where dag_id in "
             "('ingest__air_quality__cnemc_city_hourly', 'transform_validate_publish')")
    deadline = time.monotonic() + 180
    rows = prod.sql("airflow", query)
    while any(r[2] in ("running", "queued", "scheduled", "") for r in rows) and time.monotonic() < deadline:
        time.sleep(2)
        rows = prod.sql("airflow", query)
    assert {r[1] for r in rows} >= {"ingest", "build_validate_publish"}, rows
    assert {r[2] for r in rows} == {"success"}, rows
    assert {_worker(r[3]) for r in rows} <= {"worker1", "worker2"}, rows
    # the Celery results backend is PostgreSQL too
    assert int(prod.sql("airflow", "select count(*) from celery_taskmeta where status = 'SUCCESS'")[0][0]) >= 2

    # Superset: dashboards imported through its API, its metadata in PostgreSQL
    senv = _superset_env(prod.env)
    bundle = prod.data.parent / "assets.zip"
    py = str(REPO / ".venvs/superset-production/bin/python")
    subprocess.run([py, str(REPO / "superset/render_assets.py"), "--zip", str(bundle)], env=senv, check=True,
                   capture_output=True, timeout=120)
    subprocess.run([py, str(REPO / "superset/api_client.py"), "import-assets", str(bundle)],
                   env={**senv, "SUPERSET_URL": prod.superset}, check=True, capture_output=True, timeout=300)
    assert ["济南市日空气质量指数（AQI，HJ 633-2012）"] in prod.sql(
        "superset", "select slice_name from slices where slice_name like '济南市日空气质量指数%'")
    assert [prod.setting("SUPERSET_ADMIN_USER")] in prod.sql("superset", "select username from ab_user")

    session = prod.superset_session()
    chart_id = session.get(f"{prod.superset}/api/v1/chart/", params={
        "q": f"(filters:!((col:uuid,opr:eq,value:'{DAILY_AQI_CHART}')))"}, timeout=60).json()["result"][0]["id"]
    prod.chart_id = chart_id
    first = prod.chart(session, chart_id)
    assert _superset_value(first, FIRST_DAY) == _jinan_aqi(prod, FIRST_DAY)
    again = prod.chart(session, chart_id)
    assert again["is_cached"] is True and again["cache_key"] == first["cache_key"]
    keys = prod.redis_keys(4, "superset_chart_data_snap:*")
    assert any(k.endswith(first["cache_key"]) for k in keys), keys
    prod.first_keys = set(keys)


def _worker(hostname: str) -> str:
    """task_instance.hostname of a task run by a worker of the one-machine start: "<host>-worker1" -> "worker1"."""
    return hostname.rsplit("-", 1)[-1]


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _worker_pids(prod: Production) -> dict[str, int]:
    return {f"worker{i}": int(prod.ctl("pid", f"airflow:airflow-worker-{i}")) for i in (1, 2)}


def _ancestors(pid: int) -> list[int]:
    out = []
    while pid > 1:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            break
        pid = int(stat.rsplit(")", 1)[1].split()[1])
        out.append(pid)
    return out


def _all_pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_lost_worker_is_retried_on_the_other_and_the_rows_land_once(prod):
    workers = _worker_pids(prod)
    data = real_city_file(SECOND_DAY)
    sha = hashlib.sha256(data).hexdigest()
    prod.drop(f"china_cities_{SECOND_DAY}.csv", data)

    # the build of the new file is running on a worker: its task process descends from that worker
    deadline, victim, task_pid = time.monotonic() + 180, None, None
    while time.monotonic() < deadline and victim is None:
        rows = prod.sql("airflow", "select ti.hostname, ti.pid from task_instance ti join dag_run dr "
                                   "on dr.dag_id = ti.dag_id and dr.run_id = ti.run_id "
                                   "where ti.task_id = 'build_validate_publish' and ti.state = 'running' "
                                   "and ti.try_number = 1 and dr.start_date > now() - interval '5 minutes'")
        for hostname, pid in rows:
            name = _worker(hostname)
            if pid and name in workers and workers[name] in _ancestors(int(pid)):
                victim, task_pid = name, int(pid)
        time.sleep(0.3)
    assert victim, "the build never ran on a worker"
    other = ({"worker1", "worker2"} - {victim}).pop()

    # The worker is lost: its process group (worker, Celery pool, task supervisors) and the process groups of its
    # task runners, which Airflow puts in groups of their own (os.setpgid in airflow.sdk's supervisor) — as when
    # the machine under it dies.
    tree = [pid for pid in _all_pids() if workers[victim] in _ancestors(pid)]
    assert task_pid in tree
    groups = {workers[victim]} | {_pgid(pid) for pid in tree} - {None, os.getpgid(0)}
    killed_at = time.monotonic()
    for group in groups:
        os.killpg(group, signal.SIGKILL)
    prod.ctl("stop", f"airflow:airflow-{victim.replace('worker', 'worker-')}")  # lost for good, not restarted
    time.sleep(1)
    assert not _alive(task_pid), "the task process outlived its worker"

    state, _ = prod.wait_for_file(sha, timeout=HEARTBEAT_TIMEOUT_S + 240)
    assert state == "loaded"
    _figure("worker_killed_to_snapshot_s", time.monotonic() - killed_at)
    tries = prod.sql("airflow", "select try_number, hostname, state from task_instance_history "
                                "where task_id = 'build_validate_publish' and hostname like '%-" + victim + "'")
    # the lost try is history, not a success (Airflow records it as failed or up_for_retry)
    assert tries and all(r[2] in ("failed", "up_for_retry") for r in tries), tries
    query = ("select ti.try_number, ti.hostname, ti.state from task_instance ti join dag_run dr "
             "on dr.dag_id = ti.dag_id and dr.run_id = ti.run_id "
             "where ti.task_id = 'build_validate_publish' order by dr.start_date")
    final = prod.sql("airflow", query)
    deadline = time.monotonic() + 180  # the file is served before the retried task has finished its last steps
    while final and final[-1][2] in ("running", "queued", "scheduled", "") and time.monotonic() < deadline:
        time.sleep(2)
        final = prod.sql("airflow", query)
    retried = [r for r in final if int(r[0]) >= 2]
    assert retried and [_worker(retried[-1][1]), retried[-1][2]] == [other, "success"], final

    # the file's rows are in the snapshot exactly once: one row per city and hour of the file
    text = data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    hours = {row[1] for row in table[1:] if row[0] == SECOND_DAY}
    counted = prod.serving("select count(*), count(distinct (location_id, observed_at)) from air_quality_hourly "
                           "where source_file_sha256 = ? and area_name = '济南'", [sha])[0]
    assert counted == (len(hours), len(hours)), (counted, len(hours))

    # Superset shows the new day at once: the new snapshot's key, not the cached result of the old one
    session = prod.superset_session()
    fresh = prod.chart(session, prod.chart_id)
    assert not fresh.get("is_cached")
    assert _superset_value(fresh, SECOND_DAY) == _jinan_aqi(prod, SECOND_DAY)
    new_keys = set(prod.redis_keys(4, "superset_chart_data_snap:*")) - prod.first_keys
    assert any(k.endswith(fresh["cache_key"]) for k in new_keys), new_keys
