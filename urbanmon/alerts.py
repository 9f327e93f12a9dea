"""Alerts: a status that changed, a file quarantined, a feed overdue, a run that failed -> ops.alerts + e-mail.

``run(run_id)`` is called by ``pipeline.publish_operations`` before the operations record is published, after every
run (passed or failed). It compares each indicator's status per area (the default method, against the nearest
milestone, in the latest assessed year: the status the board shows first) in the current serving snapshot with the
status it saw last time (``ops.status_seen``):

- a changed status is a row of ``ops.status_changes`` with a Chinese explanation (what changed, from which file, the
  status inputs); the changes of one indicator in one snapshot make ONE alert to the indicator's recipients;
- a status seen for the first time (the first load, a new area or milestone) is recorded, not alerted;
- every quarantined file, every failed run step and every feed judged overdue (``ops.feed_freshness``) is an alert.

Each alert has a stable id (a hash of what it is about), inserted only if new: a re-run never alerts twice. Mail goes
over SMTP when ``URBANMON_SMTP_HOST`` is set (``URBANMON_SMTP_PORT``, ``URBANMON_SMTP_USER``,
``URBANMON_SMTP_PASSWORD``, ``URBANMON_SMTP_FROM``, ``URBANMON_SMTP_STARTTLS=1``); without it alerts are rows only.
Recipients come from ``registry/recipients.yaml``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import smtplib
from email.message import EmailMessage
from email.utils import formataddr

import duckdb
import yaml

from urbanmon import warehouse
from urbanmon.precision import format_value
from urbanmon.settings import REPO_ROOT, paths

log = logging.getLogger(__name__)
RECIPIENTS_FILE = REPO_ROOT / "registry" / "recipients.yaml"
NOT_CONFIGURED = "SMTP not configured (URBANMON_SMTP_HOST unset): recorded only"
# the status of every indicator and area the board shows first: default method, latest year, nearest milestone
CURRENT_SQL = """
select p.indicator_code, p.area_code, p.milestone_year, p.method_version as method, p.year, p.status, p.status_zh,
       p.actual_value, p.target_value, p.comparator, p.baseline_value, p.baseline_year, p.planned_value, p.score,
       p.explanation, c.name_zh, c.feed, c.unit_zh, coalesce(a.short_name, p.area_code) as area_name,
       p.precision_decimals, c.registry_version
from s.indicator_progress p
join s.indicator_catalog c using (indicator_code)
left join s.area_catalog a using (area_code)
where p.is_default_method
qualify p.year = max(p.year) over (partition by p.indicator_code, p.area_code)
    and p.milestone_year = min(p.milestone_year) over (partition by p.indicator_code, p.area_code, p.year)
"""


def stable_id(*parts) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:24]


def recipients() -> dict:
    if not RECIPIENTS_FILE.exists():
        return {}
    return yaml.safe_load(RECIPIENTS_FILE.read_text(encoding="utf-8")) or {}


def _to(config: dict, kind: str, key: str | None) -> list[str]:
    out = list(config.get("default") or [])
    if kind == "status_change":
        out += (config.get("indicators") or {}).get(key, [])
    elif kind in ("file_quarantined", "feed_overdue"):
        out += (config.get("feeds") or {}).get(key, [])
    elif kind == "run_failed":
        out += config.get("operations") or []
    return sorted(set(out))


COMPARATOR_ZH = {"reach": "达到", ">": "高于", ">=": "不低于", "<": "低于", "<=": "不高于", "about": "约为",
                 "band": "区间"}


def _fmt(value, decimals: int | None = None) -> str:
    """A figure as the boards show it: at the indicator's precision where it has one."""
    if value is None:
        return "—"
    if decimals is not None and isinstance(value, float):
        return format_value(value, decimals)
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def run(run_id: str | None = None, now: dt.datetime | None = None) -> dict:
    """Detect, record and send. Returns the new alerts' ids per kind."""
    now = now or dt.datetime.now(dt.UTC)
    config = recipients()
    new: list[dict] = []
    with warehouse.connect() as con:
        new += _status_changes(con, config, now)
        new += _quarantined(con, config, now)
        new += _failed_runs(con, config, now)
        new += _overdue(con, config, now)
        fresh = [a for a in new if not con.execute(
            "select 1 from ops.alerts where alert_id = ?", [a["alert_id"]]).fetchone()]
        for a in fresh:
            con.execute("insert into ops.alerts values (?, ?, ?, ?, ?, ?, null, null)",
                        [a["alert_id"], a["kind"], a["subject"], a["body"], a["recipients"], now])
        _send_pending(con)
    out: dict[str, list[str]] = {}
    for a in fresh:
        out.setdefault(a["kind"], []).append(a["alert_id"])
    return out


def _status_changes(con, config: dict, now: dt.datetime) -> list[dict]:
    serving = paths().serving_db
    if not serving.exists():
        return []
    con.execute(f"attach '{serving}' as s (read_only)")
    try:
        snapshot_id = con.execute("select snapshot_id from s.snapshot").fetchone()[0]
        cur = con.execute(CURRENT_SQL)
        names = [d[0] for d in cur.description]
        current = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.execute("detach s")
    first_ever = con.execute("select count(*) from ops.status_seen").fetchone()[0] == 0
    seen = {(r[0], r[1]): r for r in con.execute(
        "select indicator_code, area_code, milestone_year, method, year, status, status_zh, actual_value, "
        "snapshot_id from ops.status_seen").fetchall()}
    # the versions the statuses were judged under: a change of method or registry version changes statuses by itself
    versions = {"方法版本": ",".join(sorted({r["method"] for r in current if r["method"]})),
                "登记表版本": ",".join(sorted({r["registry_version"] for r in current if r["registry_version"]}))}
    seen_versions = dict(con.execute("select kind, version from ops.versions_seen").fetchall())
    rule_changed = [(k, seen_versions.get(k), v) for k, v in versions.items()
                    if k in seen_versions and seen_versions[k] != v]
    rule_lines: list[str] = []
    changes: dict[str, list[tuple[dict, tuple]]] = {}
    for row in current:
        before = seen.get((row["indicator_code"], row["area_code"]))
        if first_ever or before is None or before[5] == row["status"]:
            continue  # first sight of a status is recorded, not alerted
        changes.setdefault(row["indicator_code"], []).append((row, before))
    con.execute("begin transaction")
    try:
        alerts = []
        for code, items in sorted(changes.items()):
            feed = items[0][0]["feed"]
            file = con.execute(
                "select sha256, name from ops.files where feed_id = ? and state = 'loaded' "
                "order by processed_at desc, name desc limit 1", [feed]).fetchone() if feed else None
            lines = []
            for row, before in sorted(items, key=lambda x: (x[0]["area_code"] != "370100", x[0]["area_code"])):
                digits = row["precision_decimals"]
                reason = "（随评估口径更新）" if rule_changed else ""
                explanation = (
                    f"{reason}{row['name_zh']}（{row['area_name']}）的状态由“{before[6]}”（{before[4]}年，实际值 "
                    f"{_fmt(before[7], digits)}）变为“{row['status_zh']}”（{row['year']}年，实际值 "
                    f"{_fmt(row['actual_value'], digits)}"
                    f"{row['unit_zh'] or ''}）。引起变化的文件：{file[1] if file else '未知'}（数据源 {feed}，SHA-256 "
                    f"{file[0][:12] if file else '—'}）。判断依据：{row['milestone_year']}年目标"
                    f"{COMPARATOR_ZH.get(row['comparator'], row['comparator'] or '')} "
                    f"{_fmt(row['target_value'], digits)}，基期 {row['baseline_year']}年 "
                    f"{_fmt(row['baseline_value'], digits)}，规划路径值 {_fmt(row['planned_value'], digits)}，"
                    f"得分 {_fmt(row['score'])}，方法 {row['method']}。"
                    f"{row['explanation'] or ''}")
                change_id = stable_id(code, row["area_code"], row["milestone_year"], row["method"], snapshot_id)
                con.execute(
                    "insert into ops.status_changes select ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? where not exists "
                    "(select 1 from ops.status_changes where change_id = ?)",
                    [change_id, now, code, row["area_code"], row["milestone_year"], row["method"], before[5],
                     row["status"], before[8], snapshot_id, feed, file[0] if file else None,
                     file[1] if file else None, explanation, change_id])
                lines.append(explanation)
            if rule_changed:
                rule_lines += lines
                continue
            first = items[0][0]
            subject = (f"【状态变化】{first['name_zh']}：{len(items)}个地区的状态改变"
                       if len(items) > 1 else f"【状态变化】{first['name_zh']}（{first['area_name']}）："
                       f"{items[0][1][6]} → {first['status_zh']}")
            alerts.append({"alert_id": stable_id("status_change", code, snapshot_id), "kind": "status_change",
                           "subject": subject, "body": "\n\n".join(lines) + f"\n\n服务快照：{snapshot_id}",
                           "recipients": _to(config, "status_change", code)})
        if rule_changed:
            # a new method or registry version: announced once, with every status it changed, not one alert per
            # indicator (the changes themselves are in ops.status_changes as always)
            what = "；".join(f"{kind} {old or '—'} → {new}" for kind, old, new in rule_changed)
            alerts.append({
                "alert_id": stable_id("rule_change", *(new for _, _, new in rule_changed), snapshot_id),
                "kind": "rule_change",
                "subject": f"【评估口径更新】{what}：{len(rule_lines)}项状态随之改变",
                "body": (f"评估方法或规划登记表的版本已更新（{what}）。"
                         + ("以下状态的改变来自口径更新，而非新数据；" if rule_lines else "当前状态均未因此改变；")
                         + "已冻结的评估版本不受影响。\n\n" + "\n\n".join(rule_lines)
                         + f"\n\n服务快照：{snapshot_id}"),
                "recipients": sorted({*_to(config, "run_failed", None),
                                      *(a for code in changes for a in _to(config, "status_change", code))})})
        con.executemany("delete from ops.versions_seen where kind = ?", [[k] for k in versions])
        con.executemany("insert into ops.versions_seen values (?, ?, ?)", [[k, v, now] for k, v in versions.items()])
        con.execute("delete from ops.status_seen")
        con.executemany("insert into ops.status_seen values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [[r["indicator_code"], r["area_code"], r["milestone_year"], r["method"], r["year"],
                          r["status"], r["status_zh"], r["actual_value"], snapshot_id, now] for r in current])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return alerts


def _quarantined(con, config: dict, now: dt.datetime) -> list[dict]:
    out = []
    for feed, sha, name, rule, error in con.execute(
            "select feed_id, sha256, name, rule, error from ops.files where state = 'quarantined' "
            "order by processed_at, name").fetchall():
        out.append({"alert_id": stable_id("file_quarantined", feed, sha), "kind": "file_quarantined",
                    "subject": f"【文件隔离】{name}（{feed}）",
                    "body": f"数据源 {feed} 的文件 {name}（SHA-256 {sha[:12]}）未通过检查，已移入隔离区，未入库。"
                            f"\n规则：{rule or '—'}\n原因：{error or '—'}",
                    "recipients": _to(config, "file_quarantined", feed)})
    return out


def _failed_runs(con, config: dict, now: dt.datetime) -> list[dict]:
    out = []
    for run_id, dag_id, step, started_at, message in con.execute(
            "select run_id, dag_id, step, started_at, message from ops.runs where state = 'failed' "
            "order by started_at").fetchall():
        out.append({"alert_id": stable_id("run_failed", run_id, step, started_at), "kind": "run_failed",
                    "subject": f"【运行失败】{dag_id or ''} {step}",
                    "body": f"流水线运行 {run_id} 的步骤 {step} 于 {started_at} 失败，本次未发布新的数据快照。"
                            f"\n错误信息：{(message or '')[:2000]}",
                    "recipients": _to(config, "run_failed", None)})
    return out


def _overdue(con, config: dict, now: dt.datetime) -> list[dict]:
    out = []
    try:
        rows = con.execute("select feed_id, next_due_at, last_period, detail from ops.feed_freshness "
                           "where state = 'overdue' order by feed_id").fetchall()
    except duckdb.CatalogException:
        return out
    for feed, due, period, detail in rows:
        out.append({"alert_id": stable_id("feed_overdue", feed, due), "kind": "feed_overdue",
                    "subject": f"【数据逾期】{feed}",
                    "body": detail or f"数据源 {feed} 应于 {due} 前提供新数据，最近一期为 {period or '无'}。",
                    "recipients": _to(config, "feed_overdue", feed)})
    return out


def smtp_settings() -> dict | None:
    host = os.environ.get("URBANMON_SMTP_HOST")
    if not host:
        return None
    return {"host": host, "port": int(os.environ.get("URBANMON_SMTP_PORT") or 25),
            "user": os.environ.get("URBANMON_SMTP_USER") or None,
            "password": os.environ.get("URBANMON_SMTP_PASSWORD") or None,
            "sender": os.environ.get("URBANMON_SMTP_FROM") or "urbanmon@localhost",
            "starttls": os.environ.get("URBANMON_SMTP_STARTTLS") == "1"}


def _send_pending(con) -> None:
    """Send every alert not sent yet (a failed send keeps its error and is tried again on the next run)."""
    settings = smtp_settings()
    pending = con.execute(
        "select alert_id, subject, body, recipients from ops.alerts where sent_at is null and "
        "(error is null or error <> ?) order by created_at, alert_id", [NOT_CONFIGURED]).fetchall()
    if not pending:
        return
    if settings is None:
        con.execute("update ops.alerts set error = ? where sent_at is null and error is null", [NOT_CONFIGURED])
        return
    try:
        smtp = smtplib.SMTP(settings["host"], settings["port"], timeout=30)
    except OSError as exc:
        con.execute("update ops.alerts set error = ? where sent_at is null", [f"SMTP connect failed: {exc}"])
        return
    try:
        if settings["starttls"]:
            smtp.starttls()
        if settings["user"]:
            smtp.login(settings["user"], settings["password"] or "")
        for alert_id, subject, body, to in pending:
            if not to:
                con.execute("update ops.alerts set error = 'no recipients' where alert_id = ?", [alert_id])
                continue
            msg = EmailMessage()
            msg["Subject"] = subject
            msg["From"] = formataddr(("济南新型城镇化监测平台", settings["sender"]))
            msg["To"] = ", ".join(to)
            msg["Message-ID"] = f"<{alert_id}@urbanmon>"
            msg.set_content(body)
            try:
                smtp.send_message(msg)
                con.execute("update ops.alerts set sent_at = ?, error = null where alert_id = ?",
                            [dt.datetime.now(dt.UTC), alert_id])
            except smtplib.SMTPException as exc:
                con.execute("update ops.alerts set error = ? where alert_id = ?", [f"send failed: {exc}", alert_id])
    finally:
        try:
            smtp.quit()
        except smtplib.SMTPException:
            pass
