"""Freshness deadlines: from each feed's release calendar (``release`` in sources/<feed>/feed.yaml: frequency and
expected lag after the period ends), when its next file is due, judged at an as-of moment.

The as-of moment: ``URBANMON_AS_OF`` (ISO date or datetime) if set; else ``data/sample_as_of`` if the sample landing
wrote one (the samples are old: judged by today's clock every feed would be overdue); else the real clock.

The latest period is the newest ``period`` (from the file name) of the feed's loaded files; its end plus one
frequency step is the next period's end, plus the expected lag the next due date (end of that day, Beijing time).
States: ``never_received`` (no file loaded), ``overdue`` (as-of past the due date), ``due_soon`` (due within
``DUE_SOON_DAYS``), ``on_time``. ``judge()`` replaces ops.feed_freshness (one row per feed); the operations
snapshot publishes it for the quality board, and the alerts read it to raise ``feed_overdue``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
from zoneinfo import ZoneInfo

from urbanmon import warehouse
from urbanmon.feeds.spec import FeedSpec, load_specs
from urbanmon.settings import BEIJING_TZ, paths

BEIJING = ZoneInfo(BEIJING_TZ)
STEP_MONTHS = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}
DUE_SOON_DAYS = {"daily": 1, "monthly": 7, "quarterly": 14, "semiannual": 14, "annual": 30}
STATE_ZH = {"on_time": "按时", "due_soon": "即将到期", "overdue": "已逾期", "never_received": "从未收到"}


def as_of() -> dt.datetime:
    """The moment freshness is judged at (see the module docstring), timezone-aware."""
    text = os.environ.get("URBANMON_AS_OF")
    if not text:
        sample = paths().data / "sample_as_of"
        if sample.exists():
            text = sample.read_text(encoding="utf-8").strip()
    if not text:
        return dt.datetime.now(dt.UTC)
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=BEIJING)


def parse_period(text: str) -> tuple[dt.date, str]:
    """A file name's period -> (its first day, its grain): 2024 -> year, 2024-06 -> month, 20240601 or
    2024-06-01 -> day."""
    digits = re.sub(r"\D", "", text)
    if len(digits) == 4:
        return dt.date(int(digits), 1, 1), "year"
    if len(digits) == 6:
        return dt.date(int(digits[:4]), int(digits[4:]), 1), "month"
    if len(digits) == 8:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:])), "day"
    raise ValueError(f"not a period: {text!r}")


def _add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end(start: dt.date, grain: str, frequency: str) -> dt.date:
    """The last day a period covers: a year's 31 December; a month's last day; a dated file's own day, or (a
    quarterly or monthly series named by its first day) the day before the next period starts."""
    if grain == "year":
        return dt.date(start.year, 12, 31)
    if grain == "month":
        return _add_months(start, 1) - dt.timedelta(days=1)
    if frequency in ("monthly", "quarterly", "semiannual"):
        return _add_months(start, STEP_MONTHS[frequency]) - dt.timedelta(days=1)
    return start


def next_due(spec: FeedSpec, last_period: str) -> dt.datetime:
    """End of the day (Beijing) the period after ``last_period`` is due."""
    start, grain = parse_period(last_period)
    frequency = spec.release.frequency
    end = period_end(start, grain, frequency)
    if frequency == "daily":
        next_end = end + dt.timedelta(days=1)
    else:
        next_end = _add_months(end + dt.timedelta(days=1), STEP_MONTHS.get(frequency, 12)) - dt.timedelta(days=1)
    due_day = next_end + dt.timedelta(days=spec.release.expected_lag_days)
    return dt.datetime.combine(due_day + dt.timedelta(days=1), dt.time(0), tzinfo=BEIJING)


def judge(at: dt.datetime | None = None) -> list[dict]:
    """One row per feed (ops.feed_freshness), replacing the table's rows."""
    at = at or as_of()
    rows = []
    with warehouse.connect() as con:
        loaded = con.execute(
            "select feed_id, name, received_at from ops.files "
            "where state in ('loaded', 'superseded', 'retired')").fetchall()
        for spec in load_specs().values():
            periods = [(m.group("period"), received) for f, name, received in loaded
                       if f == spec.feed_id and (m := spec.matches(name))]
            if not periods:
                rows.append(_row(spec, at, None, None, None, "never_received",
                                 f"{spec.title_zh}：从未收到文件（发布周期：{spec.release.frequency}）"))
                continue
            last_period = max(periods, key=lambda p: parse_period(p[0])[0])[0]
            last_received = max(r for _, r in periods)
            due = next_due(spec, last_period)
            soon = dt.timedelta(days=DUE_SOON_DAYS.get(spec.release.frequency, 14))
            state = "overdue" if at > due else "due_soon" if due - at <= soon else "on_time"
            late = (at - due).days
            detail = (f"{spec.title_zh}：最新期 {last_period}，下一期应于 {due:%Y-%m-%d} 前到达"
                      + (f"，已逾期 {late} 天" if state == "overdue" else "")
                      + f"（判断时点 {at.astimezone(BEIJING):%Y-%m-%d}，状态：{STATE_ZH[state]}）")
            rows.append(_row(spec, at, last_received, last_period, due, state, detail))
        con.execute("begin transaction")
        con.execute("delete from ops.feed_freshness")
        con.executemany("insert into ops.feed_freshness values (?, ?, ?, ?, ?, ?, ?)",
                        [[r[k] for k in ("feed_id", "as_of", "last_received_at", "last_period", "next_due_at",
                                          "state", "detail")] for r in rows])
        con.execute("commit")
    return rows


def _row(spec, at, last_received, last_period, due, state, detail) -> dict:
    return {"feed_id": spec.feed_id, "as_of": at, "last_received_at": last_received, "last_period": last_period,
            "next_due_at": due, "state": state, "detail": detail}


def sample_as_of(periods: dict[str, list[str]]) -> dt.date:
    """The sample's own as-of date: the day after the newest period any sample file covers (feeds whose sample
    is older than that are honestly overdue; a demo shows the overdue state without drowning in it)."""
    ends = []
    for feed_id, names in periods.items():
        spec = load_specs()[feed_id]
        for period in names:
            start, grain = parse_period(period)
            ends.append(period_end(start, grain, spec.release.frequency))
    return max(ends) + dt.timedelta(days=1)
