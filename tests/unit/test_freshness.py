"""Freshness deadlines from each feed's release calendar, judged at an as-of moment (ops.feed_freshness)."""

from __future__ import annotations

import datetime as dt

import pytest

from urbanmon import freshness, warehouse
from urbanmon.feeds.spec import get_spec, load_specs

BJ = freshness.BEIJING


def _loaded(feed_id: str, name: str, received: str = "2025-01-01T00:00:00+00:00") -> None:
    with warehouse.connect() as con:
        con.execute("insert into ops.files (feed_id, sha256, name, state, received_at, processed_at) "
                    "values (?, ?, ?, 'loaded', ?::timestamptz, now())", [feed_id, name, name, received])


@pytest.mark.parametrize(("feed_id", "period", "due"), [
    ("air_quality__cnemc_city_hourly", "20200103", "2020-01-06"),  # next day 01-04 + 1 day lag, end of day
    ("statistics__nbs_city_annual", "2024", "2026-10-28"),  # 2025 ends 12-31, + 300 days
    ("telecom__ookla_speedtest_fixed_tiles", "2025-01-01", "2025-07-31"),  # Q2 ends 06-30, + 30 days
    ("telecom__opencellid_cells", "20241231", "2026-03-02"),  # dated annual snapshot: a year on + 60 days
])
def test_next_due_from_release_calendar(feed_id, period, due):
    assert freshness.next_due(get_spec(feed_id), period) == dt.datetime.fromisoformat(due).replace(tzinfo=BJ)


def test_judge_states_at_an_as_of_date(data_dir, monkeypatch):
    _loaded("statistics__nbs_city_annual", "nbs_csnd_jinan_2023.json")
    _loaded("statistics__nbs_city_annual", "nbs_csnd_jinan_2024.json")
    _loaded("environment__household_waste_records", "jinan_household_waste_2024.csv")  # due 2026-03-02
    _loaded("telecom__coverage_grid", "jinan_5g_coverage_grid_2023.xlsx")  # 2024 due 2025-03-31
    monkeypatch.setenv("URBANMON_AS_OF", "2026-02-15")
    rows = {r["feed_id"]: r for r in freshness.judge()}
    feeds = {f["feed_id"] for f in freshness.feed_catalogue()}
    assert set(rows) == feeds and set(load_specs()) < feeds
    nbs = rows["statistics__nbs_city_annual"]
    assert nbs["last_period"] == "2024" and nbs["state"] == "on_time"
    assert rows["environment__household_waste_records"]["state"] == "due_soon"
    grid = rows["telecom__coverage_grid"]
    assert grid["state"] == "overdue" and "已逾期" in grid["detail"] and "2025-04-01" in grid["detail"]
    assert rows["telecom__opencellid_cells"]["state"] == "never_received"
    assert "从未收到" in rows["telecom__opencellid_cells"]["detail"]
    with warehouse.connect() as con:
        stored = con.execute("select count(*), count(distinct feed_id), min(as_of) from ops.feed_freshness").fetchone()
    assert stored[:2] == (len(feeds), len(feeds))
    assert stored[2] == dt.datetime(2026, 2, 15, tzinfo=BJ)
    freshness.judge()  # judged again: replaced, not appended
    with warehouse.connect() as con:
        assert con.execute("select count(*) from ops.feed_freshness").fetchone()[0] == len(feeds)


def test_as_of_from_the_sample_file_and_the_override(data_dir, monkeypatch):
    monkeypatch.delenv("URBANMON_AS_OF", raising=False)
    assert abs((freshness.as_of() - dt.datetime.now(dt.UTC)).total_seconds()) < 60
    (data_dir / "sample_as_of").write_text("2026-01-01\n")
    assert freshness.as_of() == dt.datetime(2026, 1, 1, tzinfo=BJ)
    monkeypatch.setenv("URBANMON_AS_OF", "2030-05-05T08:00:00+00:00")
    assert freshness.as_of() == dt.datetime(2030, 5, 5, 8, tzinfo=dt.UTC)


def test_sample_as_of_is_the_day_after_the_newest_sample_period(data_dir):
    from urbanmon import cli

    value = cli.write_sample_as_of()
    assert (data_dir / "sample_as_of").read_text().strip() == value
    assert dt.date.fromisoformat(value) > dt.date(2024, 12, 31)


def test_every_feed_the_registry_names_is_judged_even_without_a_spec(data_dir, monkeypatch):
    from urbanmon import registry

    monkeypatch.delenv("URBANMON_AS_OF", raising=False)
    named = {i.feed for i in registry.load().indicators.values() if i.feed}
    without_spec = named - set(load_specs())
    assert "housing__jinan_housing_renewal_reports" in without_spec
    rows = {r["feed_id"]: r for r in freshness.judge()}
    assert named <= set(rows)
    for feed_id in without_spec:
        row = rows[feed_id]
        assert row["state"] == "never_received" and row["last_period"] is None, row
        assert "尚无数据源" in row["detail"] and "no feed exists yet" in row["detail"]
        assert row["as_of_basis"] == "today"
        assert abs((row["as_of"] - dt.datetime.now(dt.UTC)).total_seconds()) < 60


def test_sample_only_feeds_are_judged_at_the_sample_date_and_say_so(data_dir, monkeypatch):
    monkeypatch.delenv("URBANMON_AS_OF", raising=False)
    (data_dir / "sample_as_of").write_text("2026-01-01\n")
    _loaded("statistics__nbs_city_annual", "synthetic_nbs_csnd_jinan_2024.json")  # a generated sample file
    _loaded("environment__household_waste_records", "jinan_household_waste_2024.csv")  # a real file
    rows = {r["feed_id"]: r for r in freshness.judge()}
    sample = rows["statistics__nbs_city_annual"]
    assert sample["as_of_basis"] == "sample_as_of" and sample["as_of"] == dt.datetime(2026, 1, 1, tzinfo=BJ)
    assert "仅有样例数据：按样例截止日判断" in sample["detail"] and "2026-01-01" in sample["detail"]
    real = rows["environment__household_waste_records"]
    assert real["as_of_basis"] == "today" and abs((real["as_of"] - dt.datetime.now(dt.UTC)).total_seconds()) < 60
    assert real["state"] == "overdue"  # 2025 was due by 2026-03-02: judged against today, not the sample date
    with warehouse.connect() as con:
        assert con.execute("select as_of_basis from ops.feed_freshness where feed_id = ?",
                           ["statistics__nbs_city_annual"]).fetchone()[0] == "sample_as_of"
