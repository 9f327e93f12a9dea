"""A platform that watches itself: supervisord's restart limit and a heartbeat that does not depend on Airflow.

``scripts/supervise.sh`` runs supervisord, which starts the processes ``make up`` needs (Airflow's four components,
Superset) and restarts one that dies. Two small programs of this module run under it too:

- ``listen``: a supervisord event listener. Every unexpected exit is appended to ``supervisor/events.jsonl``; what
  the dead process left behind (its process group: a scheduler's workers, gunicorn's workers) is ended, so a
  restarted process never runs beside its predecessor's children; a program that died more than
  ``URBANMON_RESTART_LIMIT`` (5) times within ``URBANMON_RESTART_WINDOW`` seconds (600) is stopped for good: it gave
  up, and says so (supervisord's own limit, ``startretries``, only counts failures to start).
- ``heartbeat``: every ``URBANMON_HEARTBEAT_SECONDS`` (30; at once when the listener records an event) it looks at
  each supervised service and at files waiting in ``landing/<feed>/`` longer than ``URBANMON_LANDING_STUCK_SECONDS``
  (300), writes what is wrong into ``ops.alerts`` (stable ids: one outage is one alert; Chinese subject and body)
  and republishes the operations record. Its last beat is ``supervisor/heartbeat.json`` (``make status``).

The heartbeat takes the build database's turn (``warehouse.build_lock``) only when it has a new alert, and gives up
the beat rather than wait when the pipeline is building: it never makes a pipeline step fail or wait for long.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import logging
import os
import signal
import socket
import sys
import time
import xmlrpc.client
from pathlib import Path
from zoneinfo import ZoneInfo

from urbanmon.settings import BEIJING_TZ, paths

log = logging.getLogger(__name__)
LISTENER = "restart_limit"
HEARTBEAT = "heartbeat"
# what each service is, in words, and what stops working while it is down
SERVICES_ZH = {
    "airflow-api-server": ("Airflow 网页与接口服务", "Airflow 页面与接口不可用，任务无法上报状态"),
    "airflow-scheduler": ("Airflow 调度器", "流水线不会运行：新文件不会入库，看板数据不会更新"),
    "airflow-dag-processor": ("Airflow DAG 解析器", "DAG 定义的修改不会生效"),
    "airflow-triggerer": ("Airflow 触发器（监视落地区）", "落地区的新文件不会触发处理"),
    "superset": ("Superset 看板服务", "看板无法访问"),
    HEARTBEAT: ("平台心跳监测", "服务中断与积压文件不会告警"),
}
STATE_ZH = {"running": "运行中", "restarting": "正在重启", "down": "已停止运行", "gave_up": "已放弃自动重启",
            "stopped": "未运行（按指令停止或尚未启动）"}


def _int_env(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name) or default)
    except ValueError:
        return default


def supervisor_dir() -> Path:
    return paths().data / "supervisor"


def events_file() -> Path:
    return supervisor_dir() / "events.jsonl"


def heartbeat_file() -> Path:
    return supervisor_dir() / "heartbeat.json"


def _local(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, ZoneInfo(BEIJING_TZ)).strftime("%Y-%m-%d %H:%M:%S")


# --- talking to supervisord (XML-RPC over its unix socket, standard library only) -----------------------------------

class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float = 10):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self._path)


class _UnixTransport(xmlrpc.client.Transport):
    def __init__(self, path: str):
        super().__init__()
        self._path = path

    def make_connection(self, host):
        return _UnixConnection(self._path)


def rpc():
    """supervisord's XML-RPC interface (``SUPERVISOR_SERVER_URL`` inside its programs, else the data folder's)."""
    url = os.environ.get("SUPERVISOR_SERVER_URL") or ""
    path = url[len("unix://"):] if url.startswith("unix://") else str(supervisor_dir() / "supervisor.sock")
    return xmlrpc.client.ServerProxy("http://localhost/RPC2", transport=_UnixTransport(path)).supervisor


# --- the event listener: restart limit ------------------------------------------------------------------------------

def read_events(since: float = 0.0) -> list[dict]:
    path = events_file()
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue  # a line cut short by a crash: the next ones are whole again
        if event.get("at", 0) >= since:
            out.append(event)
    return out


def append_event(event: dict) -> None:
    path = events_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(event, ensure_ascii=False) + "\n")


def over_limit(exits: list[float], now: float, limit: int, window: float) -> bool:
    """More than ``limit`` unexpected exits within the last ``window`` seconds: stop restarting."""
    return sum(1 for t in exits if now - t <= window) > limit


def parse_tokens(text: str) -> dict:
    return dict(token.split(":", 1) for token in text.split() if ":" in token)


def handle_event(eventname: str, payload: dict, now: float | None = None, control=None) -> dict | None:
    """One supervisord event -> the record it adds to events.jsonl (None: nothing to record)."""
    now = time.time() if now is None else now
    name, group = payload.get("processname", ""), payload.get("groupname", "")
    if name == LISTENER:
        return None
    service = f"{group}:{name}"
    if eventname == "PROCESS_STATE_FATAL":
        event = {"at": now, "event": "gave_up", "service": service, "name": name,
                 "reason": "连续启动失败，supervisord 已不再尝试"}
        append_event(event)
        return event
    if eventname != "PROCESS_STATE_EXITED" or payload.get("expected") == "1":
        return None
    pid = int(payload.get("pid") or 0)
    event = {"at": now, "event": "exited", "service": service, "name": name, "pid": pid,
             "from_state": payload.get("from_state")}
    append_event(event)
    if pid > 1:
        # supervisord gave the dead process a group of its own: what is still in it is its orphans (killed again
        # until the group is empty: a worker of the dead scheduler may be forking a task process at that moment)
        kill_group(pid)
    limit, window = _int_env("URBANMON_RESTART_LIMIT", 5), _int_env("URBANMON_RESTART_WINDOW", 600)
    exits = [e["at"] for e in read_events(now - window) if e["event"] == "exited" and e["service"] == service]
    if over_limit(exits, now, limit, window):
        try:
            _stop_for_good(control or rpc(), service, pid)
        except (OSError, xmlrpc.client.Error) as exc:
            log.error("could not stop %s: %s", service, exc)
        gave_up = {"at": time.time(), "event": "gave_up", "service": service, "name": name,
                   "reason": f"{window // 60} 分钟内意外退出 {len(exits)} 次，超过上限 {limit} 次"}
        append_event(gave_up)
    return event


def kill_group(pgid: int, within: float = 5.0) -> None:
    """SIGKILL every process of a process group, again until none is left (or ``within`` seconds have passed)."""
    deadline = time.monotonic() + within
    while True:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            return
        if time.monotonic() >= deadline:
            return
        time.sleep(0.1)


def _stop_for_good(control, service: str, dead_pid: int, timeout: float = 15) -> None:
    """Stop a program that supervisord is restarting. Asked between the exit and the new spawn, supervisord signals
    the dead pid's group and then waits ``stopwaitsecs`` with the new process running: ask once the new process
    exists (or it is backing off)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = control.getProcessInfo(service)
        if info["statename"] in ("STOPPED", "STOPPING", "FATAL"):
            return
        if info["statename"] == "BACKOFF" or (info["statename"] in ("STARTING", "RUNNING")
                                              and info.get("pid") not in (0, dead_pid)):
            break
        time.sleep(0.2)
    control.stopProcess(service, False)


def listen(stdin=None, stdout=None) -> None:
    """supervisord's event listener protocol: READY, one header line, a payload of ``len`` bytes, RESULT."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    while True:
        stdout.write("READY\n")
        stdout.flush()
        line = stdin.readline()
        if not line:
            return
        headers = parse_tokens(line)
        payload = stdin.read(int(headers.get("len", 0)))
        try:
            handle_event(headers.get("eventname", ""), parse_tokens(payload))
        except Exception:  # a listener that dies stops the counting: log, answer, go on
            log.exception("event %s not handled", headers.get("eventname"))
        stdout.write("RESULT 2\nOK")
        stdout.flush()


# --- the heartbeat ----------------------------------------------------------------------------------------------------

def service_states(infos: list[dict], events: list[dict]) -> dict[str, dict]:
    """supervisord's process info + our events -> {name: {state, since, pid, group}} (state: running, restarting,
    down, gave_up, stopped)."""
    out = {}
    for info in infos:
        name, statename = info["name"], info["statename"]
        if name == LISTENER:
            continue
        mine = [e for e in events if e.get("name") == name]
        last_exit = max((e["at"] for e in mine if e["event"] == "exited"), default=None)
        last_gave_up = max((e["at"] for e in mine if e["event"] == "gave_up"), default=None)
        if statename == "RUNNING":
            state, since = "running", info.get("start")
        elif statename == "FATAL":
            state, since = "gave_up", last_gave_up or info.get("stop")
        elif statename in ("STOPPED", "STOPPING") and last_gave_up and last_gave_up >= (info.get("start") or 0):
            state, since = "gave_up", last_exit or last_gave_up
        elif statename in ("STOPPED", "STOPPING"):
            state, since = "stopped", info.get("stop")
        elif statename in ("STARTING", "BACKOFF") and last_exit and (info.get("start") or 0) - last_exit < 60:
            state, since = "restarting", last_exit  # supervisord restarts within seconds of an exit
        elif statename == "STARTING":
            state, since = "running", info.get("start")  # a start by make up, not an outage
        else:  # EXITED (between death and restart), BACKOFF after a failed first start, UNKNOWN
            state, since = "down", last_exit or info.get("stop")
        out[name] = {"state": state, "since": since, "pid": info.get("pid") or None, "group": info.get("group"),
                     "statename": statename}
    return out


def stuck_files(now: float, threshold: float) -> dict[str, list[tuple[str, float]]]:
    """Files in landing/<subdir>/ (complete names only) waiting longer than ``threshold`` seconds, oldest first."""
    from urbanmon.landing import is_candidate

    out: dict[str, list[tuple[str, float]]] = {}
    root = paths().landing
    if not root.is_dir():
        return out
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        waiting = []
        for entry in folder.iterdir():
            try:
                if entry.is_file() and is_candidate(entry.name) and now - entry.stat().st_mtime > threshold:
                    waiting.append((entry.name, entry.stat().st_mtime))
            except FileNotFoundError:
                continue  # taken by the pipeline while we looked
        if waiting:
            out[folder.name] = sorted(waiting, key=lambda x: (x[1], x[0]))
    return out


def _log_hint(name: str) -> str:
    logs = paths().data / "logs"
    return str(logs / ("superset.log" if name == "superset" else f"{name}.log"))


def compose_alerts(states: dict[str, dict], events: list[dict], stuck: dict, now: float, threshold: float,
                   recipients: list[str]) -> list[dict]:
    """What is wrong now, as alerts with stable ids (the same outage -> the same id, beat after beat)."""
    from urbanmon.alerts import stable_id

    limit, window = _int_env("URBANMON_RESTART_LIMIT", 5), _int_env("URBANMON_RESTART_WINDOW", 600)
    out = []
    for e in events:
        name = e.get("name", "")
        label, impact = SERVICES_ZH.get(name, (name, "—"))
        cur = states.get(name, {"state": "down", "since": None})
        if e["event"] == "exited":
            # one exit is one outage: seen while it lasts it is "down", seen only after the restart "restarted"
            back = cur["state"] == "running" and (cur.get("since") or 0) >= e["at"]
            recent = sum(1 for x in events if x["event"] == "exited" and x.get("name") == name
                         and 0 <= e["at"] - x["at"] <= window)
            common = (f"{label}（{name}，进程 {e.get('pid')}）于 {_local(e['at'])} 意外退出。监督进程 supervisord "
                      f"会自动重启它（{window // 60} 分钟内最多 {limit} 次，超过即停止重启并另发告警）；这是 "
                      f"{window // 60} 分钟内的第 {recent} 次退出。")
            if back:
                subject = f"【服务已自动重启】{label}：{_local(e['at'])} 意外退出，已恢复"
                body = (common + f"\n已于 {_local(cur['since'])} 重启，当前运行正常（进程 {cur.get('pid')}）。"
                        f"\n处理：无需立即处理；若反复出现，查看日志 {_log_hint(name)}，并检查内存与磁盘"
                        f"（free -m、df -h）。")
                kind = "service_restarted"
            else:
                subject = f"【服务中断】{label}：自 {_local(e['at'])} 起停止运行"
                body = (common + f"\n截至 {_local(now)}，状态：{STATE_ZH.get(cur['state'], cur['state'])}。"
                        f"\n影响：{impact}。\n处理：查看日志 {_log_hint(name)}；状态见 make status。若未能恢复，"
                        f"排除原因（内存、磁盘、配置）后运行 make up。")
                kind = "service_down"
            out.append({"alert_id": stable_id("service_exit", e.get("service"), e.get("pid"), e["at"]),
                        "kind": kind, "subject": subject, "body": body, "recipients": recipients})
        elif e["event"] == "gave_up":
            out.append({
                "alert_id": stable_id("service_gave_up", e.get("service"), e["at"]), "kind": "service_gave_up",
                "subject": f"【服务已放弃重启】{label}：自 {_local(e['at'])} 起停止运行，需要人工处理",
                "body": (f"{label}（{name}）反复意外退出，supervisord 已于 {_local(e['at'])} 停止自动重启"
                         f"（{e.get('reason', '')}）。\n影响：{impact}。\n处理：查看日志 {_log_hint(name)}，"
                         f"排除原因（内存、磁盘、配置）后运行 make up，它会重新启动该服务。"),
                "recipients": recipients})
    for subdir, files in sorted(stuck.items()):
        oldest_name, oldest_at = files[0]
        listing = "\n".join(f"  {n}（{_local(t)} 起）" for n, t in files[:10])
        more = f"\n  … 共 {len(files)} 个" if len(files) > 10 else ""
        out.append({
            "alert_id": stable_id("landing_stuck", subdir, oldest_name, oldest_at), "kind": "landing_stuck",
            "subject": f"【文件积压】落地区 {subdir}：{len(files)} 个文件超过 {int(threshold // 60)} 分钟未处理",
            "body": (f"落地区 {paths().landing / subdir} 中有 {len(files)} 个文件等待超过 {int(threshold // 60)} 分钟，"
                     f"最早的自 {_local(oldest_at)} 起：\n{listing}{more}\n通常是 Airflow 触发器或调度器未运行，"
                     f"或流水线卡住。处理：运行 make status 查看各服务状态与心跳；服务正常时查看 Airflow 中 "
                     f"该数据源 DAG 的运行记录。"),
            "recipients": recipients})
    return out


def record(alerts: list[dict], wait: float = 5.0) -> list[str]:
    """Insert the alerts not yet in ops.alerts (alerts' mechanism: stable id, insert if new, then mail) and
    republish the operations record. Raises warehouse.BuildBusy when the pipeline holds the build file."""
    from urbanmon import alerts as alerts_mod
    from urbanmon import publish, warehouse

    now = dt.datetime.now(dt.UTC)
    with warehouse.build_lock(wait=wait):
        with warehouse.connect() as con:
            fresh = [a for a in alerts if not con.execute(
                "select 1 from ops.alerts where alert_id = ?", [a["alert_id"]]).fetchone()]
            for a in fresh:
                con.execute("insert into ops.alerts values (?, ?, ?, ?, ?, ?, null, null)",
                            [a["alert_id"], a["kind"], a["subject"], a["body"], a["recipients"], now])
            if fresh:
                alerts_mod._send_pending(con)
        if fresh:
            publish.publish_snapshot(source_schema="ops", target=paths().operations_db,
                                     extra={"run_id": "heartbeat"})
    return [a["alert_id"] for a in fresh]


class Heartbeat:
    def __init__(self, control=None):
        self.control = control
        self.known: set[str] = set()  # alert ids already in ops.alerts: no need to open the build file for them
        self.started = time.time()

    def beat(self, now: float | None = None) -> dict:
        from urbanmon import alerts as alerts_mod
        from urbanmon import warehouse

        now = time.time() if now is None else now
        threshold = _int_env("URBANMON_LANDING_STUCK_SECONDS", 300)
        events = read_events(now - 86400)
        report: dict = {"at": now, "at_local": _local(now), "pid": os.getpid()}
        try:
            infos = (self.control or rpc()).getAllProcessInfo()
            states = service_states(infos, events)
        except (OSError, xmlrpc.client.Error) as exc:
            states, report["error"] = {}, f"supervisord unreachable: {exc}"
        stuck = stuck_files(now, threshold)
        config = alerts_mod.recipients()
        candidates = compose_alerts(states, events, stuck, now, threshold, alerts_mod._to(config, "run_failed", None))
        new = [a for a in candidates if a["alert_id"] not in self.known]
        report["recorded"] = []
        if new:
            try:
                report["recorded"] = record(new)
                self.known.update(a["alert_id"] for a in new)
            except warehouse.BuildBusy:
                report["deferred"] = len(new)  # the pipeline is building; next beat
        report["services"] = {n: {**s, "state_zh": STATE_ZH.get(s["state"], s["state"]),
                                  "since_local": _local(s["since"]) if s.get("since") else None}
                              for n, s in states.items()}
        report["landing_waiting"] = {k: len(v) for k, v in stuck.items()}
        tmp = heartbeat_file().with_suffix(".tmp")
        tmp.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        os.replace(tmp, heartbeat_file())
        return report

    def run(self) -> None:
        interval = _int_env("URBANMON_HEARTBEAT_SECONDS", 30)
        seen_size = -1
        next_at = 0.0
        while True:
            size = events_file().stat().st_size if events_file().exists() else 0
            # a beat every interval, and at once when the listener recorded something (an exit, a give-up)
            if time.monotonic() >= next_at or size != seen_size:
                seen_size = size
                try:
                    report = self.beat()
                    if report.get("deferred"):
                        next_at = time.monotonic() + min(5, interval)
                    else:
                        next_at = time.monotonic() + interval
                except Exception:
                    log.exception("beat failed")
                    next_at = time.monotonic() + interval
            time.sleep(1)


def last_beat() -> dict | None:
    """For ``urbanmon status``: the heartbeat's last report and how old it is."""
    path = heartbeat_file()
    if not path.exists():
        return None
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    age = time.time() - report.get("at", 0)
    # make down removes the socket: then the last beat's states are history, not the present
    up = (supervisor_dir() / "supervisor.sock").exists()
    return {"last_beat": report.get("at_local"), "age_s": round(age),
            "supervisord": "运行中" if up else "未运行（以下为最后一次心跳时的状态）",
            "stale": not up or age > 3 * _int_env("URBANMON_HEARTBEAT_SECONDS", 30),
            "services": {n: f"{s['state_zh']}（自 {s.get('since_local') or '—'}，进程 {s.get('pid') or '—'}）"
                         for n, s in (report.get("services") or {}).items()},
            "landing_waiting": report.get("landing_waiting"), "error": report.get("error")}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")
    if argv[:1] == ["listen"]:
        listen()
    elif argv[:1] == ["heartbeat"]:
        Heartbeat().run()
    elif argv[:1] == ["beat"]:
        print(json.dumps(Heartbeat().beat(), ensure_ascii=False, indent=1, default=str))
    else:
        print("usage: python -m urbanmon.supervision listen|heartbeat|beat", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
