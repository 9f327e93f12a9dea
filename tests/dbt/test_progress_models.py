"""The registry, planned paths, progress and league tables as dbt builds them (on the session build's real days)."""

from __future__ import annotations

import shutil

import pytest
import yaml

from tests.dbt.conftest import run_dbt
from urbanmon import registry
from urbanmon.precision import round_gbt8170


def test_catalog_holds_every_registry_entry(dbt_build):
    reg = registry.load()
    with dbt_build.connect() as con:
        codes = {r[0] for r in con.execute("select indicator_code from serving.indicator_catalog").fetchall()}
        milestones = con.execute("select count(*) from serving.indicator_milestones").fetchone()[0]
        areas = dict(con.execute("select area_kind, count(*) from serving.area_catalog group by 1").fetchall())
        version = con.execute("select distinct registry_version from serving.indicator_catalog").fetchall()
    assert codes == set(reg.indicators)
    assert milestones == sum(len(i.milestones) for i in reg.indicators.values())
    assert areas == {"city": 1, "county": 12, "functional_zone": 3}
    assert version == [(reg.version,)]


def test_jinan_2020_from_three_real_days_is_shown_flagged_and_not_judged_under_any_method(dbt_build):
    """The session build holds three real days of 2020: HJ 663 asks 324 valid days for a year's figure, so the value
    is served (flagged incomplete) and no method judges it; the explanation says why."""
    with dbt_build.connect() as con:
        rows = con.execute(
            "select method, method_version, milestone_year, status, reason, actual_value, is_reference, "
            "is_default_method, explanation from serving.indicator_progress "
            "where indicator_code = 'air_quality_good_days_ratio' and area_code = '370100' and year = 2020 "
            "order by milestone_year, method").fetchall()
        actual, complete, note, valid_days = con.execute(
            "select value, is_complete, completeness_note, denominator from serving.indicator_values "
            "where indicator_code = 'air_quality_good_days_ratio' and area_code = '370100' and year = 2020 "
            "and is_primary_series").fetchone()
    assert complete is False and valid_days < 324 and f"有效{int(valid_days)}个" in note and "HJ 663" in note
    assert [r[0] for r in rows] == ["distance", "pace", "projection"]
    assert {r[2] for r in rows} == {2025}
    for method, version, _, status, reason, value, is_reference, _, explanation in rows:
        assert version.startswith(method + "-")
        assert (status, reason, is_reference) == ("not_assessable", note, False)
        assert value == pytest.approx(actual)
        assert explanation.startswith("无法评估：") and "目标65.2%" in explanation and "324" in explanation
    assert sum(r[7] for r in rows) == 1  # exactly one default method


def test_a_district_is_judged_as_a_reference_from_its_own_baseline(dbt_build):
    # the air feed's 章丘 column is 章丘区 (370114): a county-level district
    with dbt_build.connect() as con:
        # its baseline is its own value in the baseline year: 2020 where the plan gives one, else its first year with
        # data (a text target without a baseline whose sample starts in 2019)
        rows = con.execute(
            "select distinct p.area_kind, p.is_reference, p.baseline_source, p.baseline_value = v.value "
            "from serving.indicator_progress as p join serving.indicator_values as v "
            "on v.indicator_code = p.indicator_code and v.area_code = p.area_code and v.year = p.baseline_year "
            "and v.is_primary_series where p.area_code = '370114' and p.year = 2020 "
            # a cumulative target (2021-2025 total) has no start point in 2020: its period has not begun
            "and p.indicator_code not in "
            "(select indicator_code from serving.indicator_milestones where is_cumulative)"
        ).fetchall()
        others = con.execute(
            "select count(*) from serving.indicator_progress where area_code not in "
            "(select area_code from serving.area_catalog)").fetchone()[0]
    assert rows == [("county", True, "area_baseline_year", True)]
    assert others == 0  # other cities of the air feed get values, no status


def test_planned_path_of_the_good_day_ratio(dbt_build):
    with dbt_build.connect() as con:
        path = dict(con.execute(
            "select year, planned_value from serving.indicator_path "
            "where indicator_code = 'air_quality_good_days_ratio' order by year").fetchall())
        sources = {r[0] for r in con.execute("select distinct start_source from serving.indicator_path").fetchall()}
    assert sorted(path) == list(range(2020, 2026))
    assert path[2020] == pytest.approx(62.0) and path[2025] == pytest.approx(65.2)
    # 62 + 3.2 x 3/5 = 63.92, served at the indicator's precision (one decimal, GB/T 8170): 63.9
    assert path[2023] == 63.9
    assert sources <= {"plan", "first_available", "cumulative_zero", "milestones_only"}
    assert "cumulative_zero" in sources  # the [100] five-year training total runs from zero


def test_the_cumulative_target_is_judged_and_drawn_as_one_running_total(dbt_build):
    """职业技能培训 [100] over 2021-2025: the progress methods, the served path and 指标详情 use one running total."""
    with dbt_build.connect() as con:
        annual = dict(con.execute(
            "select year, value_unrounded from serving.indicator_values where indicator_code = "
            "'vocational_training_attendances' and area_code = '370100' and is_primary_series").fetchall())
        path = dict(con.execute(
            "select year, actual_value from serving.indicator_path where indicator_code = "
            "'vocational_training_attendances' and actual_value is not null").fetchall())
        board = dict(con.execute(
            "select year, actual_value from serving.board_indicator_path where indicator_code = "
            "'vocational_training_attendances' and is_running_total and actual_value is not null").fetchall())
        progress = con.execute(
            "select year, method, actual_value, score, status from serving.indicator_progress where indicator_code = "
            "'vocational_training_attendances' and area_code = '370100' and year > 2020").fetchall()
    assert 2021 in path and len(path) >= 2
    running = 0.0
    for year in sorted(path):
        running += annual[year]
        assert path[year] == round_gbt8170(running, 1), year  # one decimal (the registry's precision)
    assert board == path
    for year, _, actual, _, _ in progress:
        assert actual == path[year]
    # distance and pace compare the same ratio (running total / planned running total) with the same thresholds:
    # one number, one status
    for year in path:
        judged = {(None if score is None else round(score, 9), status) for y, method, _, score, status in progress
                  if y == year and method in ("distance", "pace")}
        assert len(judged) == 1, (year, judged)


def test_a_broken_registry_fails_the_build_naming_the_entry(dbt_build, scratch, monkeypatch):
    broken = scratch / "registry"
    shutil.copytree(registry.registry_dir(), broken)
    doc = yaml.safe_load((broken / "indicators.yaml").read_text(encoding="utf-8"))
    entry = next(i for i in doc["indicators"] if i["code"] == "air_quality_good_days_ratio")
    entry["unit"] = "furlongs"
    (broken / "indicators.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("URBANMON_REGISTRY_DIR", str(broken))
    returncode, output, _ = run_dbt(dbt_build.data, dbt_build.target.parent, "--select", "registry_indicators",
                                    "--no-write-json", command="run")
    assert returncode != 0
    assert "air_quality_good_days_ratio" in output and "unknown unit 'furlongs'" in output
