"""The statisticians' views (issue 18): headline_status, indicator_inputs, aqi_breakpoints, the league table's
components and indicator_coverage, each held against the tables it must agree with (on the session build)."""

from __future__ import annotations

import math
from collections import defaultdict

import pytest

from tests.dbt.test_dbt_build import BREAKPOINTS_24H, IAQI_LEVELS
from urbanmon import freshness, registry
from urbanmon.precision import round_gbt8170

CITY = "370100"


def rows(con, sql: str, params=None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def test_headline_status_agrees_with_progress_values_and_the_registry(dbt_build):
    reg = registry.load()
    with dbt_build.connect() as con:
        headline = {(r["indicator_code"], r["area_code"], r["year"]): r
                    for r in rows(con, "select * from serving.headline_status")}
        progress = rows(con, "select * from serving.indicator_progress where is_default_method")
        probability = {(r[0], r[1], r[2], r[3]): r[4] for r in con.execute(
            "select indicator_code, area_code, year, milestone_year, probability_meet "
            "from serving.indicator_progress where method = 'projection'").fetchall()}
        values = {(r["indicator_code"], r["area_code"], r["year"]): r for r in rows(
            con, "select * from serving.indicator_values where is_primary_series and area_code in "
                 "(select area_code from serving.area_catalog)")}
        behind = dict(con.execute("select status, is_behind from serving.status_vocabulary").fetchall())
    assert set(headline) == set(values)
    # the status is the default method's against the nearest milestone from the year on
    nearest: dict[tuple, dict] = {}
    for p in sorted(progress, key=lambda p: (p["milestone_year"] is None, p["milestone_year"] or 0), reverse=True):
        nearest[(p["indicator_code"], p["area_code"], p["year"])] = p
    judged = 0
    for key, row in headline.items():
        p = nearest.get(key)
        assert (row["status"], row["status_zh"], row["status_colour"]) == (
            (p["status"], p["status_zh"], p["status_colour"]) if p else (None, None, None)), key
        if p:
            judged += 1
            assert (row["milestone_year"], row["progress_method"], row["method_version"]) == (
                p["milestone_year"], p["method"], p["method_version"])
            assert row["is_behind"] is behind[p["status"]]
            assert row["probability_meet"] == probability[(*key, p["milestone_year"])]
            assert row["is_behind"] is (p["status_colour"] in ("yellow", "orange", "red"))
        ind = reg.indicators[key[0]]
        assert row["value_kind"] == ind.value_kind
        assert row["unit_zh"] == reg.units[ind.unit]["name_zh"]
        assert row["annual_value"] == values[key]["value"] and row["value_source"] == values[key]["value_source"]
        if ind.value_kind != "cumulative":
            assert row["value"] == values[key]["value"]
        if row["milestone_year"] is not None:
            texts = {m.text for m in ind.milestones if m.year == row["milestone_year"]}
            if row["is_reference"] and reg.units[ind.unit].get("additive"):  # the city's target, scaled: both said
                assert row["target_text"].split("（全市目标")[0] in texts, (key, row["target_text"], texts)
            else:
                assert row["target_text"] in texts, (key, row["target_text"], texts)
    assert judged > 1000
    assert any(r["probability_meet"] is not None for r in headline.values())
    assert {r["unit_zh"] for r in headline.values() if r["unit"] == "%"} == {"%"}
    assert "百分比" not in {u["name_zh"] for u in reg.units.values()}


def test_a_cumulative_target_shows_the_running_total_beside_the_years_amount(dbt_build):
    code = "vocational_training_attendances"
    ind = registry.load().indicators[code]
    start = next(m.period_start for m in ind.milestones if m.cumulative)
    with dbt_build.connect() as con:
        annual = dict(con.execute(
            "select year, value from serving.indicator_values where indicator_code = ? and area_code = ? "
            "and is_primary_series", [code, CITY]).fetchall())
        headline = rows(con, "select * from serving.headline_status where indicator_code = ? and area_code = ? "
                             "and year >= ? order by year", [code, CITY, start])
        kinds = con.execute("select distinct value_kind from serving.indicator_values where indicator_code = ?",
                            [code]).fetchall()
    assert ind.value_kind == "cumulative" and kinds == [("cumulative",)]
    assert len(headline) >= 3
    for row in headline:
        running = sum(v for y, v in annual.items() if start <= y <= row["year"])
        assert row["value_kind"] == "cumulative" and row["annual_value"] == annual[row["year"]]
        assert row["value"] == pytest.approx(round_gbt8170(running, ind.precision), abs=1e-9)
    assert headline[-1]["value"] > 3 * headline[-1]["annual_value"]


# the scale from numerator / denominator to the value, per unit (a count in 万个 is the count / 10 000)
SCALE = {"%": 100.0, "万个": 1e-4, "个/千人": 1.0, "人/千人": 1.0, "ratio": 1.0, "m²/人": 1.0}
# at least one indicator per feed kind: hourly air files, plant months, area months, survey, department reports,
# district tables, cells, grid cells, operator reports, and the published figures
REPRODUCED = ["air_quality_good_days_ratio", "reclaimed_water_use_pct", "wwtp_class_iv_effluent_pct",
              "waste_recycling_pct", "forest_coverage_pct", "park_green_space_per_capita", "e_licence_usage_pct",
              "physicians_per_1000", "urbanization_rate_hukou_pct", "urban_rural_income_ratio",
              "five_g_base_stations", "five_g_coverage_pct", "fibre_to_home_coverage_pct"]


def test_indicator_inputs_reproduce_every_value_and_name_its_files(dbt_build):
    with dbt_build.connect() as con:
        values = rows(con, "select * from serving.indicator_values")
        # the inputs summed per value and role, with their files and units
        parts = {(r["indicator_code"], r["area_name"], r["year"], r["method"]): r for r in rows(con, """
            select indicator_code, area_name, year, method,
                coalesce(sum(value) filter (where role = 'numerator'), 0) as numerator,
                coalesce(sum(value) filter (where role = 'denominator'), 0) as denominator,
                list_sort(list_distinct(flatten(list(source_file_sha256)))) as files,
                string_agg(distinct unit, ', ' order by unit) filter (where role = 'numerator') as numerator_unit
            from serving.indicator_inputs group by all""")}
        # every file an input names is a loaded file of the operations record (and so in the archive)
        unknown = con.execute(
            "select count(*) from (select unnest(source_file_sha256) as sha from serving.indicator_inputs) "
            "where sha not in (select sha256 from ops.files where state = 'loaded')").fetchone()[0]
        units = dict(con.execute("select indicator_code, unit from serving.indicator_catalog").fetchall())
    assert unknown == 0
    reproduced = defaultdict(int)
    for v in values:
        p = parts.get((v["indicator_code"], v["area_name"], v["year"], v["method"]))
        assert p, f"no inputs for {v['indicator_code']} {v['area_name']} {v['year']} {v['method']}"
        assert p["numerator"] == pytest.approx(v["numerator"], rel=1e-9, abs=1e-6), v
        assert p["denominator"] == pytest.approx(v["denominator"] or 0.0, rel=1e-9, abs=1e-6), v
        assert p["files"] == v["source_file_sha256"] and p["numerator_unit"] == v["numerator_unit"]
        if v["indicator_code"] in REPRODUCED and v["value_source"] != "official":
            scale = SCALE[units[v["indicator_code"]]]
            value = scale * p["numerator"] / p["denominator"] if p["denominator"] else scale * p["numerator"]
            assert value == pytest.approx(v["value_unrounded"], rel=1e-9, abs=1e-9), v
            reproduced[v["indicator_code"]] += 1
    assert set(reproduced) == set(REPRODUCED)
    official = [v for v in values if v["value_source"] == "official"]
    assert official and all(len(v["source_file_sha256"]) == 1 for v in official)
    # units of the parts: days for air, tonnes for plants, persons in thousands under a per-1000 indicator
    by_code = {(v["indicator_code"], v["numerator_unit"], v["denominator_unit"]) for v in values
               if v["value_source"] != "official" and v["denominator_unit"]}
    assert ("air_quality_good_days_ratio", "天", "天") in by_code
    assert ("reclaimed_water_use_pct", "万吨", "万吨") in by_code
    assert ("physicians_per_1000", "人", "千人") in by_code


def _iaqi(c: float, segments: list[dict]) -> float | None:
    for s in segments:
        if c <= s["bp_hi"]:
            return round((s["iaqi_hi"] - s["iaqi_lo"]) / (s["bp_hi"] - s["bp_lo"]) * (c - s["bp_lo"]) + s["iaqi_lo"], 6)
    return 500.0 if segments[-1]["iaqi_hi"] == 500 else None


def test_the_served_breakpoints_reproduce_the_served_daily_aqi_of_both_standards(dbt_build):
    with dbt_build.connect() as con:
        table = rows(con, "select * from serving.aqi_breakpoints order by standard, pollutant, averaging, segment")
        days = rows(con, "select * from serving.air_quality_daily where location_type = 'city' and aqi is not null")
    segments: dict[tuple, list[dict]] = defaultdict(list)
    for r in table:
        segments[(r["standard"], r["pollutant"], r["averaging"])].append(r)
    # HJ 633-2012 is table 1 of the standard (typed in independently in test_dbt_build)
    independent = {"so2": "SO2", "no2": "NO2", "pm10": "PM10", "co": "CO", "pm2_5": "PM2.5"}
    for pollutant, name in independent.items():
        s = segments[("HJ 633-2012", pollutant, "24h")]
        assert [s[0]["bp_lo"]] + [x["bp_hi"] for x in s] == BREAKPOINTS_24H[name]
        assert [s[0]["iaqi_lo"]] + [x["iaqi_hi"] for x in s] == IAQI_LEVELS
    assert [x["bp_hi"] for x in segments[("HJ 633-2012", "o3", "8h")]] == BREAKPOINTS_24H["O3_8h"][1:]
    def bounds(standard):
        return {(k[1], k[2], x["segment"], x["bp_lo"], x["bp_hi"], x["iaqi_lo"], x["iaqi_hi"])
                for k, v in segments.items() if k[0] == standard for x in v}

    # HJ 633-2026 differs only in the PM2.5 and PM10 24-hour tables, at IAQI 100: 60 and 120 µg/m³
    assert {(r[0], r[1]) for r in bounds("HJ 633-2026") ^ bounds("HJ 633-2012")} == {("pm2_5", "24h"),
                                                                                     ("pm10", "24h")}
    at_100 = {(k[0], k[1]): next(x["bp_hi"] for x in v if x["iaqi_hi"] == 100)
              for k, v in segments.items() if k[2] == "24h" and k[1] in ("pm2_5", "pm10")}
    assert at_100 == {("HJ 633-2012", "pm2_5"): 75, ("HJ 633-2026", "pm2_5"): 60,
                      ("HJ 633-2012", "pm10"): 150, ("HJ 633-2026", "pm10"): 120}
    assert all(r["is_provisional"] == (r["standard"] == "HJ 633-2026") for r in table)
    columns = {"pm2_5": "pm2_5_ugm3", "pm10": "pm10_ugm3", "so2": "so2_ugm3", "no2": "no2_ugm3", "co": "co_mgm3"}
    checked = 0
    for d in days:
        if any(d[c] is None for c in columns.values()) or d["o3_8h_max_ugm3"] is None:
            continue
        if d["o3_8h_max_ugm3"] > 800:
            continue  # the standard switches to the 1-hour O3 sub-index there
        subs = [_iaqi(d[c], segments[(d["standard"], p, "24h")]) for p, c in columns.items()]
        subs.append(_iaqi(d["o3_8h_max_ugm3"], segments[(d["standard"], "o3", "8h")]))
        assert max(math.ceil(s) for s in subs) == d["aqi"], d
        checked += 1
    assert checked > 500 and {d["standard"] for d in days} == {"HJ 633-2012", "HJ 633-2026"}


def test_the_league_table_recomputes_from_its_served_components_and_weights(dbt_build):
    with dbt_build.connect() as con:
        components = rows(con, "select * from serving.district_score_components")
        scores = rows(con, "select * from serving.district_scores")
    rule = __import__("urbanmon.league", fromlist=["load_rule"]).load_rule()
    by_area: dict[tuple, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for c in components:
        by_area[(c["area_code"], c["year"])][c["category"]].append(c)
    assert len(scores) == len(by_area) > 10
    for s in scores:
        cats = by_area[(s["area_code"], s["year"])]
        level = {k: sum(c["level_score"] for c in v) / len(v) for k, v in cats.items()}
        improve = {k: [c["improvement_score"] for c in v if c["improvement_score"] is not None]
                   for k, v in cats.items()}
        improve = {k: sum(v) / len(v) for k, v in improve.items() if v}
        level_score = sum(level.values()) / len(level)
        improvement = sum(improve.values()) / len(improve) if improve else None
        assert (s["level_weight"], s["improvement_weight"]) == (rule.level_weight, rule.improvement_weight)
        assert s["level_score"] == pytest.approx(round(level_score, 2), abs=1e-9)
        for category, value in level.items():
            assert s[f"level_{category}"] == pytest.approx(round(value, 2), abs=1e-9)
        for category, value in improve.items():
            assert s[f"improvement_{category}"] == pytest.approx(round(value, 2), abs=1e-9)
        overall = level_score if improvement is None else (
            s["level_weight"] * level_score + s["improvement_weight"] * improvement)
        assert s["overall_score"] == pytest.approx(round(overall, 2), abs=1e-9)
    assert any(s["improvement_score"] is not None for s in scores)


def test_coverage_says_real_sample_or_none_and_every_registry_feed_is_listed(dbt_build):
    reg = registry.load()
    with dbt_build.connect() as con:
        coverage = {r["indicator_code"]: r for r in rows(con, "select * from serving.indicator_coverage")}
        sources = defaultdict(set)
        for code, source in con.execute(
                "select indicator_code, value_source from serving.indicator_values where is_primary_series "
                "and area_code in (select area_code from serving.area_catalog)").fetchall():
            sources[code].add(source)
    assert set(coverage) == set(reg.indicators)
    for code, row in coverage.items():
        expected = ("real" if sources[code] & {"official", "computed_real"} else "sample" if sources[code]
                    else "none")
        assert row["coverage"] == expected, code
    # the session build holds three real CNEMC days of 2020 and the real published figures
    assert coverage["air_quality_good_days_ratio"]["coverage"] == "real"
    assert coverage["air_quality_good_days_ratio"]["real_first_year"] == 2020
    assert coverage["five_g_base_stations"]["coverage"] == "sample"
    housing = coverage["shantytown_urban_village_renewal_done"]
    assert (housing["coverage"], housing["has_feed_spec"], housing["coverage_zh"]) == ("none", False, "尚无数据源")
    # every feed the registry names is one freshness judges (as never_received where nothing came)
    assert {i.feed for i in reg.indicators.values() if i.feed} <= {f["feed_id"] for f in freshness.feed_catalogue()}


@pytest.mark.parametrize("block", ["headline_status", "indicator_inputs", "aqi_breakpoints",
                                   "district_score_components"])
def test_the_documented_queries_run_and_answer(dbt_build, block):
    """The SQL in the docs blocks of these tables (docs/serving-schema.md) runs against the build and answers."""
    import re

    from urbanmon.schema_doc import docs_blocks

    text = docs_blocks()[f"serving_schema__{block}"]
    statements = [s for q in re.findall(r"```sql\n(.*?)```", text, re.S) for s in q.split(";") if s.strip()]
    assert statements
    with dbt_build.connect() as con:
        con.execute("use serving")
        answers = [con.execute(s).fetchall() for s in statements]
        if block == "district_score_components":
            served = {(a, y): (lv, im, ov) for a, y, lv, im, ov in con.execute(
                "select area_code, year, level_score, improvement_score, overall_score from district_scores"
            ).fetchall()}
    assert all(answers)
    if block == "headline_status":
        assert len(answers[0]) == 22  # one row per headline indicator
    if block == "district_score_components":
        assert len(answers[0]) == len(served)
        for area, year, *scores in answers[0]:
            for documented, stored in zip(scores, served[(area, year)], strict=True):
                # the same rounding; a sum of floats in another order may fall on the other side of a half
                assert (documented is None and stored is None) or documented == pytest.approx(stored, abs=0.011)
