"""Freshness deadlines: from each feed's release calendar (``release`` in sources/<feed>/feed.yaml: frequency and
expected lag after the period ends), when its next file is due, judged at an as-of moment.

Every feed the plan registry names is judged, not only those with a spec: a feed named by an indicator but with no
spec under sources/ yet is ``never_received`` with a note that no feed exists for it yet.

The as-of moment, per feed (``as_of_basis``): ``URBANMON_AS_OF`` (ISO date or datetime) for every feed if set
(``override``); else, for a feed whose loaded files are all shipped sample files (sources/<feed>/sample, the
generated ``synthetic_`` files), the sample's own as-of date ``data/sample_as_of`` when the sample landing wrote one
(``sample_as_of``: judged by today's clock an old sample is always overdue), and the detail says so; else the real
clock (``today``).

The latest period is the newest ``period`` (from the file name) of the feed's loaded files; its end plus one
frequency step is the next period's end, plus the expected lag the next due date (end of that day, Beijing time).
States: ``never_received`` (no file loaded), ``overdue`` (as-of past the due date), ``due_soon`` (due within
``DUE_SOON_DAYS``), ``on_time``. ``judge()`` replaces ops.feed_freshness (one row per feed); the operations
snapshot publishes it for the quality board, and the alerts read it to raise ``feed_overdue``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
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
    """The moment sample data is judged at (see the module docstring), timezone-aware: the override, else the
    sample's as-of date, else now."""
    return override_as_of() or sample_as_of_moment() or dt.datetime.now(dt.UTC)


def _moment(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=BEIJING)


def override_as_of() -> dt.datetime | None:
    """``URBANMON_AS_OF``: every feed judged at this moment."""
    text = os.environ.get("URBANMON_AS_OF")
    return _moment(text) if text else None


def sample_as_of_moment() -> dt.datetime | None:
    """``data/sample_as_of`` (written by the sample landing): the moment a sample-only feed is judged at."""
    sample = paths().data / "sample_as_of"
    text = sample.read_text(encoding="utf-8").strip() if sample.exists() else ""
    return _moment(text) if text else None


@functools.cache
def shipped_sample_sha256() -> frozenset[str]:
    """SHA-256 of every file shipped under sources/<feed>/sample (archives' members and plain files)."""
    import hashlib
    import tarfile

    out = set()
    for spec in load_specs().values():
        folder = spec.folder / spec.sample if spec.sample else None
        if folder is None or not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.name.endswith(".tar.gz"):
                with tarfile.open(path, "r:gz") as tar:
                    out.update(hashlib.sha256(tar.extractfile(m).read()).hexdigest()
                               for m in tar.getmembers() if m.isfile())
            elif path.is_file():
                out.add(hashlib.sha256(path.read_bytes()).hexdigest())
    return frozenset(out)


def feed_catalogue() -> list[dict]:
    """Every feed: those with a spec under sources/ and those the plan registry names without one (sorted by id)."""
    from urbanmon import registry

    specs = load_specs()
    named = {i.feed for i in registry.load().indicators.values() if i.feed}
    rows = [{"feed_id": f, "has_spec": f in specs, "title_zh": specs[f].title_zh if f in specs else None,
             "release_frequency": specs[f].release.frequency if f in specs else None,
             "is_named_by_registry": f in named} for f in sorted(set(specs) | named)]
    return rows


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
    """One row per feed (ops.feed_freshness), replacing the table's rows: every feed with a spec, and every feed
    the registry names without one (``never_received``, no feed exists yet). ``at`` judges every feed at it."""
    from urbanmon.ingest import is_sample

    override = at or override_as_of()
    sample_at = sample_as_of_moment()
    now = dt.datetime.now(dt.UTC)
    specs = load_specs()
    rows = []
    with warehouse.connect() as con:
        loaded = con.execute(
            "select feed_id, name, received_at, sha256 from ops.files "
            "where state in ('loaded', 'superseded', 'retired')").fetchall()
        for feed in feed_catalogue():
            if not feed["has_spec"]:
                at = override or now
                rows.append(_row(feed["feed_id"], at, None, None, None, "never_received",
                                 f"{feed['feed_id']}：尚无数据源（规划指标登记表列出，但尚未建立接入规范 "
                                 f"sources/{feed['feed_id']}/feed.yaml，无文件可收）；no feed exists yet",
                                 "override" if override else "today"))
                continue
            spec = specs[feed["feed_id"]]
            files = [(name, received, sha) for f, name, received, sha in loaded if f == spec.feed_id]
            if override:
                at, basis = override, "override"
            elif sample_at and files and all(is_sample(spec, name) or sha in shipped_sample_sha256()
                                             for name, _, sha in files):
                at, basis = sample_at, "sample_as_of"
            else:
                at, basis = now, "today"
            periods = [(m.group("period"), received) for name, received, _ in files if (m := spec.matches(name))]
            if not periods:
                rows.append(_row(spec.feed_id, at, None, None, None, "never_received",
                                 f"{spec.title_zh}：从未收到文件（发布周期：{spec.release.frequency}）", basis))
                continue
            last_period = max(periods, key=lambda p: parse_period(p[0])[0])[0]
            last_received = max(r for _, r in periods)
            due = next_due(spec, last_period)
            soon = dt.timedelta(days=DUE_SOON_DAYS.get(spec.release.frequency, 14))
            state = "overdue" if at > due else "due_soon" if due - at <= soon else "on_time"
            late = (at - due).days
            basis_zh = {"sample_as_of": "，仅有样例数据：按样例截止日判断", "override": "，指定判断时点"}.get(basis, "")
            detail = (f"{spec.title_zh}：最新期 {last_period}，下一期应于 {due:%Y-%m-%d} 前到达"
                      + (f"，已逾期 {late} 天" if state == "overdue" else "")
                      + f"（判断时点 {at.astimezone(BEIJING):%Y-%m-%d}{basis_zh}，状态：{STATE_ZH[state]}）")
            rows.append(_row(spec.feed_id, at, last_received, last_period, due, state, detail, basis))
        columns = ("feed_id", "as_of", "last_received_at", "last_period", "next_due_at", "state", "detail",
                   "as_of_basis")
        con.execute("begin transaction")
        con.execute("delete from ops.feed_freshness")
        con.executemany(f"insert into ops.feed_freshness ({', '.join(columns)}) values ({', '.join('?' * 8)})",
                        [[r[k] for k in columns] for r in rows])
        con.execute("commit")
    return rows


def _row(feed_id, at, last_received, last_period, due, state, detail, basis) -> dict:
    return {"feed_id": feed_id, "as_of": at, "last_received_at": last_received, "last_period": last_period,
            "next_due_at": due, "state": state, "detail": detail, "as_of_basis": basis}


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
