"""urbanmon.supervision without a running supervisord: the listener's protocol and restart limit, the states, the
alerts (stable ids, Chinese), their recording into ops.alerts and the build file's turn-taking."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time

import duckdb
import pytest

from urbanmon import supervision, warehouse


class FakeControl:
    def __init__(self, infos=None):
        self.infos, self.stopped = infos or [], []

    def stopProcess(self, name, wait):  # noqa: N802 - supervisord's RPC name
        self.stopped.append(name)
        return True

    def getAllProcessInfo(self):  # noqa: N802
        return self.infos

    def getProcessInfo(self, name):  # noqa: N802 - restarted by supervisord, with a new pid
        return {"statename": "STOPPED" if name in self.stopped else "STARTING", "pid": 1}


def exited(name: str, pid: int, group: str = "airflow") -> dict:
    return {"processname": name, "groupname": group, "from_state": "RUNNING", "expected": "0", "pid": str(pid)}


def test_over_limit_counts_only_the_window():
    now = 10_000.0
    assert not supervision.over_limit([now - 1] * 5, now, limit=5, window=600)
    assert supervision.over_limit([now - 1] * 6, now, limit=5, window=600)
    assert not supervision.over_limit([now - 700] * 6 + [now], now, limit=5, window=600)


def test_listener_speaks_supervisors_protocol_and_records_the_exit(data_dir):
    payload = "processname:airflow-triggerer groupname:airflow from_state:RUNNING expected:0 pid:999999"
    header = f"ver:3.0 server:supervisor serial:1 pool:restart_limit poolserial:1 eventname:PROCESS_STATE_EXITED " \
             f"len:{len(payload)}\n"
    out = io.StringIO()
    supervision.listen(io.StringIO(header + payload), out)
    assert out.getvalue() == "READY\nRESULT 2\nOKREADY\n"
    (event,) = supervision.read_events()
    assert (event["event"], event["name"], event["pid"]) == ("exited", "airflow-triggerer", 999999)


def test_an_expected_exit_and_the_listener_itself_are_not_recorded(data_dir):
    assert supervision.handle_event("PROCESS_STATE_EXITED", {**exited("superset", 5, "superset"), "expected": "1"}) \
        is None
    assert supervision.handle_event("PROCESS_STATE_EXITED", exited("restart_limit", 5, "restart_limit")) is None
    assert supervision.read_events() == []


def test_the_dead_process_group_is_ended_with_it(data_dir):
    # what supervisord's child leaves behind: a process in the dead one's own group (pgid = the dead pid)
    orphan = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        supervision.handle_event("PROCESS_STATE_EXITED", exited("airflow-scheduler", orphan.pid), control=FakeControl())
        assert orphan.wait(timeout=5) == -9
    finally:
        if orphan.poll() is None:
            orphan.kill()


def test_restart_limit_stops_the_program_and_records_that_it_gave_up(data_dir, monkeypatch):
    monkeypatch.setenv("URBANMON_RESTART_LIMIT", "2")
    control = FakeControl()
    for i in range(3):
        supervision.handle_event("PROCESS_STATE_EXITED", exited("airflow-scheduler", 10**7 + i), now=1000.0 + i,
                                 control=control)
    assert control.stopped == ["airflow:airflow-scheduler"]
    kinds = [e["event"] for e in supervision.read_events()]
    assert kinds == ["exited", "exited", "exited", "gave_up"]
    assert "超过上限 2 次" in supervision.read_events()[-1]["reason"]


def _info(name, statename, start=0.0, stop=0.0, pid=0, group="airflow"):
    return {"name": name, "group": group, "statename": statename, "start": start, "stop": stop, "pid": pid}


def test_service_states():
    events = [{"at": 100.0, "event": "exited", "name": "airflow-triggerer", "service": "airflow:airflow-triggerer",
               "pid": 7},
              {"at": 200.0, "event": "gave_up", "name": "airflow-scheduler", "service": "airflow:airflow-scheduler"}]
    infos = [_info("airflow-triggerer", "STARTING", start=100.5), _info("airflow-scheduler", "STOPPED", start=50),
             _info("superset", "RUNNING", start=10, pid=3, group="superset"), _info("airflow-api-server", "STOPPED"),
             _info("airflow-dag-processor", "STARTING", start=5000), _info("restart_limit", "RUNNING")]
    states = supervision.service_states(infos, events)
    assert {n: s["state"] for n, s in states.items()} == {
        "airflow-triggerer": "restarting", "airflow-scheduler": "gave_up", "superset": "running",
        "airflow-api-server": "stopped", "airflow-dag-processor": "running"}
    assert states["airflow-triggerer"]["since"] == 100.0


def test_one_outage_is_one_alert_whether_seen_down_or_after_the_restart():
    e = {"at": 100.0, "event": "exited", "name": "airflow-triggerer", "service": "airflow:airflow-triggerer", "pid": 7}
    down = supervision.compose_alerts({"airflow-triggerer": {"state": "restarting", "since": 100.0}}, [e], {}, 101.0,
                                      300, ["ops@example.org"])
    back = supervision.compose_alerts({"airflow-triggerer": {"state": "running", "since": 101.0, "pid": 8}}, [e], {},
                                      130.0, 300, [])
    assert down[0]["alert_id"] == back[0]["alert_id"]
    assert (down[0]["kind"], back[0]["kind"]) == ("service_down", "service_restarted")
    assert "【服务中断】Airflow 触发器" in down[0]["subject"] and "落地区的新文件不会触发处理" in down[0]["body"]
    assert "进程 7）" in down[0]["body"] and "处理：" in down[0]["body"]
    assert down[0]["recipients"] == ["ops@example.org"]


def test_files_waiting_in_landing_make_one_alert_per_folder(data_dir):
    folder = data_dir / "landing" / "air_quality"
    folder.mkdir(parents=True)
    for name in ("a.csv", "b.csv", ".c.csv.part", "d.csv.part"):
        (folder / name).write_text("x")
        os.utime(folder / name, (1000, 1000))
    (folder / "fresh.csv").write_text("x")
    stuck = supervision.stuck_files(time.time(), 300)
    assert [n for n, _ in stuck["air_quality"]] == ["a.csv", "b.csv"]
    (alert,) = supervision.compose_alerts({}, [], stuck, time.time(), 300, [])
    assert alert["kind"] == "landing_stuck" and "2 个文件超过 5 分钟未处理" in alert["subject"]


def test_record_writes_ops_alerts_once_and_publishes_the_operations_record(data_dir):
    alert = {"alert_id": "abc", "kind": "service_down", "subject": "【服务中断】x", "body": "y", "recipients": []}
    assert supervision.record([alert]) == ["abc"]
    assert supervision.record([alert]) == []
    con = duckdb.connect(str(data_dir / "serving" / "operations.duckdb"), read_only=True)
    try:
        assert con.execute("select kind, subject from alerts").fetchall() == [("service_down", "【服务中断】x")]
    finally:
        con.close()


def test_the_heartbeat_waits_its_turn_and_gives_up_the_beat_rather_than_block(data_dir):
    lock = data_dir / "build" / ".lock"
    lock.parent.mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl,sys,time; h=open(sys.argv[1],'a+'); fcntl.flock(h, fcntl.LOCK_EX); print('held', flush=True); "
        "time.sleep(30)"), str(lock)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        t0 = time.monotonic()
        with pytest.raises(warehouse.BuildBusy):
            supervision.record([{"alert_id": "x", "kind": "k", "subject": "s", "body": "b", "recipients": []}],
                               wait=0.5)
        assert time.monotonic() - t0 < 3
    finally:
        holder.kill()
        holder.wait()
    # the turn is the process's own to take again (re-entrant): connect inside build_lock does not deadlock
    with warehouse.build_lock(wait=1), warehouse.connect() as con:
        assert con.execute("select count(*) from ops.alerts").fetchone()[0] == 0


def test_a_beat_writes_its_report_for_make_status(data_dir):
    control = FakeControl([_info("airflow-scheduler", "RUNNING", start=time.time() - 5, pid=42)])
    report = supervision.Heartbeat(control).beat()
    assert report["services"]["airflow-scheduler"]["state_zh"] == "运行中"
    (data_dir / "supervisor" / "supervisor.sock").touch()  # supervisord up
    beat = supervision.last_beat()
    assert beat["stale"] is False and beat["services"]["airflow-scheduler"].startswith("运行中")
    (data_dir / "supervisor" / "supervisor.sock").unlink()  # make down
    beat = supervision.last_beat()
    assert beat["stale"] is True and beat["supervisord"].startswith("未运行")
