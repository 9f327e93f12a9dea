"""Registry validation: every bad entry fails with a message naming it; the assessment over registry rows."""

from __future__ import annotations

import copy

import pytest
import yaml

from urbanmon import assessment, registry

UNITS = {"%": {"code": "%"}, "ratio": {"code": "ratio"}}
ENTRY = {
    "code": "reclaimed_water_use_pct", "kind": "headline", "headline_no": 1, "name_zh": "城镇再生水利用率",
    "name_en": "Urban reclaimed water utilisation", "category": "green", "unit": "%", "direction": "higher",
    "limits": {"min": 0, "max": 100}, "baseline": {"year": 2020, "value": 35, "qualifier": None, "text": "35"},
    "milestones": [{"year": 2025, "comparator": "reach", "value": 50, "text": "50", "cumulative": False},
                   {"year": 2035, "comparator": "reach", "value": 65, "text": "65", "cumulative": False}],
    "footnotes": [],
    "plan_ref": {"chapter": "第一章", "section": "四、主要目标", "quote": "城镇再生水利用率 % 35 50 65"},
    "formula": "reclaimed water used / wastewater treated", "feed": "environment__wastewater_plant_monthly",
    "release": {"frequency": "annual", "month": 3, "note": None}, "department": "市水务局", "per_district": True,
    "binding": False, "path": "linear", "method": "distance", "precision": 0, "value_kind": "annual",
}


def problems_of(*entries) -> list[str]:
    _, problems = registry.parse_indicators({"indicators": list(entries)}, UNITS)
    return problems


def variant(**changes) -> dict:
    entry = copy.deepcopy(ENTRY)
    for key, value in changes.items():
        if "." in key:
            outer, inner = key.split(".", 1)
            if outer == "milestones":
                entry["milestones"][0][inner] = value
            else:
                entry[outer][inner] = value
        else:
            entry[key] = value
    return entry


def test_a_valid_entry_has_no_problem():
    assert problems_of(ENTRY) == []


@pytest.mark.parametrize(("changes", "message"), [
    ({"unit": "亩/人"}, "unknown unit '亩/人'"),
    ({"milestones.value": 30}, "target 30 (2025) below the baseline 35 but the direction is 'higher'"),
    ({"milestones.comparator": "≈>"}, "unparsable comparator '≈>'"),
    ({"milestones.comparator": "<", "milestones.text": "<50"}, "comparator '<' contradicts direction 'higher'"),
    ({"direction": "sideways"}, "direction 'sideways' not one of"),
    ({"value_kind": "flow"}, "value_kind 'flow' not one of"),
    ({"value_kind": "cumulative"}, "value_kind cumulative goes with cumulative milestones"),
    ({"baseline.qualifier": "~"}, "baseline qualifier '~' unparsable"),
    ({"milestones.value": 120}, "target 120 (2025) outside the natural limits"),
    ({"milestones.year": 2040}, "milestone year 2040 outside the plan period"),
    ({"milestones.comparator": "about", "milestones.text": "50左右", "milestones.tolerance_pct": 5},
     "an 'about' target is one-sided in the desired direction (no tolerance_pct)"),
    # the plan's wording decides the comparator (民法典第1259条: 以上 includes the number, 超过 excludes it)
    ({"milestones.text": "50%以上"}, "comparator 'reach' contradicts its wording '50%以上'"),
    ({"milestones.comparator": ">", "milestones.text": "50%以上"}, "comparator '>' contradicts its wording"),
    ({"milestones.comparator": ">=", "milestones.text": "超过50%"}, "comparator '>=' contradicts its wording"),
    ({"milestones.comparator": ">=", "milestones.text": "50左右"}, "expected ['about']"),
    ({"milestones.wording": "50%以上"}, "comparator 'reach' contradicts its wording '50%以上'"),
    ({"milestones.colour": "green"}, "unknown keys ['colour']"),
    ({"milestones.comparator": "band", "milestones.low": 40, "milestones.high": 50, "milestones.text": "40—50"},
     "a band target needs band_reason"),
    # the precision judged at: never coarser than the plan's own cells
    ({"milestones.value": 50.5, "milestones.text": "50.5"}, "precision 0 is coarser than the plan's own cells (1"),
    ({"precision": 7}, "precision 7 must be a whole number of decimals 0..4"),
    ({"precision": None}, "precision None must be a whole number"),
    ({"category": "blue"}, "category 'blue' not one of"),
    ({"code": "Reclaimed Water"}, "code must be snake_case"),
    ({"plan_ref.quote": ""}, "plan_ref.quote missing"),
])
def test_bad_entries_are_named_with_their_rule(changes, message):
    problems = problems_of(variant(**changes))
    assert len(problems) == 1, problems
    assert message in problems[0]
    assert problems[0].startswith("indicators.yaml: entry 1 (")


def test_duplicate_codes_and_missing_keys():
    second = variant(headline_no=2)
    broken = copy.deepcopy(ENTRY)
    del broken["formula"]
    problems = problems_of(ENTRY, second, broken)
    assert "indicators.yaml: entry 2 (reclaimed_water_use_pct): duplicate code 'reclaimed_water_use_pct'" in problems
    no_precision = copy.deepcopy(ENTRY)
    del no_precision["precision"]
    assert problems_of(no_precision) == [
        "indicators.yaml: entry 1 (reclaimed_water_use_pct): missing keys ['precision']"]
    assert any(p.startswith("indicators.yaml: entry 3") and "missing keys ['formula']" in p for p in problems)


def test_lower_is_better_target_above_the_baseline_is_rejected():
    entry = variant(code="income_ratio", unit="ratio", direction="lower", limits={"min": 1, "max": None}, precision=2,
                    baseline={"year": 2020, "value": 2.61, "qualifier": None, "text": "2.61"},
                    milestones=[{"year": 2025, "comparator": "<", "value": 2.7, "text": "<2.7"}])
    assert problems_of(entry) == [
        "indicators.yaml: entry 1 (income_ratio): target 2.7 (2025) above the baseline 2.61 but the direction is "
        "'lower': a target in the wrong direction"]


def test_load_raises_with_every_problem(tmp_path):
    (tmp_path / "units.yaml").write_text(yaml.safe_dump({"units": list(UNITS.values())}), encoding="utf-8")
    (tmp_path / "areas.yaml").write_text("areas: []\n", encoding="utf-8")
    (tmp_path / "indicators.yaml").write_text(yaml.safe_dump(
        {"indicators": [variant(unit="furlong"), variant(code="x_two", headline_no=2, direction="up")]},
        allow_unicode=True), encoding="utf-8")
    with pytest.raises(registry.RegistryError) as err:
        registry.load(tmp_path)
    assert len(err.value.problems) == 2
    assert "entry 1 (reclaimed_water_use_pct): unknown unit 'furlong'" in str(err.value)
    assert "entry 2 (x_two): direction 'up'" in str(err.value)


def test_the_shipped_registry_is_valid():
    reg = registry.load()
    kinds = [i.kind for i in reg.indicators.values()]
    assert kinds.count("headline") == 22
    assert "air_quality_good_days_ratio" in reg.indicators
    assert {a.kind for a in reg.areas.values()} == {"city", "county", "functional_zone"}


def test_district_scores_rank_the_twelve_districts():
    indicators, units = registry.parse_indicators({"indicators": [ENTRY]}, UNITS)[0], UNITS
    reg = registry.Registry(indicators=indicators, units={k: {"name_zh": k} for k in units},
                            areas=registry.load().areas, version="test")
    catalog, milestones, areas = registry.catalog_rows(reg), registry.milestone_rows(reg), registry.area_rows(reg)
    districts = sorted(a["area_code"] for a in areas if a["area_kind"] == "county")
    values = [{"indicator_code": ENTRY["code"], "area_code": code, "year": 2021, "value": 30.0 + i,
               "is_primary_series": True} for i, code in enumerate(districts)]
    values.append({"indicator_code": ENTRY["code"], "area_code": "370100F01", "year": 2021, "value": 45.0,
                   "is_primary_series": True})
    progress = assessment.progress_rows(catalog, milestones, areas, values)
    scores = assessment.score_rows(catalog, areas, values, progress)
    ranked = sorted((s for s in scores if s["is_ranked"]), key=lambda s: s["rank"])
    assert [s["area_code"] for s in ranked] == districts[::-1]  # the highest value ranks first
    assert [s["rank"] for s in ranked] == list(range(1, 13))
    assert [s["area_code"] for s in ranked if s["is_commended"]] == districts[::-1][:3]
    zone = next(s for s in scores if s["area_code"] == "370100F01")
    assert zone["rank"] is None and zone["level_score"] == 100.0  # above every district: clipped to 100
    # every district has a reference status from its own first year against the city's targets
    assert {(p["area_code"], p["status"], p["is_reference"]) for p in progress if p["method"] == "distance"
            and p["milestone_year"] == 2025} == {(d, "baseline", True) for d in districts} | {
                ("370100F01", "baseline", True)}
    path = assessment.path_rows(catalog, milestones, values)
    assert [r["year"] for r in path] == list(range(2020, 2036))


# ───── done (基本建成/基本完成), areas (a target per named area), no_deadline (the plan states no year) ─────

DONE = {"year": 2025, "comparator": "done", "value": 1, "text": "基本建成", "evidence": "MWR designation"}


@pytest.mark.parametrize(("milestone", "message"), [
    ({k: v for k, v in DONE.items() if k != "evidence"}, "a done milestone needs evidence"),
    ({**DONE, "value": 100}, "a done milestone has value 1 (done), not 100.0"),
    ({**{k: v for k, v in DONE.items() if k != "evidence"}, "comparator": "reach"},
     "comparator 'reach' contradicts its wording '基本建成'"),
    ({"year": 2025, "comparator": "reach", "value": 100, "text": "全覆盖", "evidence": "x"},
     "evidence belongs to a done milestone only"),
    ({"year": 2025, "no_deadline": True, "comparator": "reach", "value": 100, "text": "全覆盖"},
     "no_deadline with a milestone year 2025"),
    ({"year": None, "comparator": "reach", "value": 100, "text": "全覆盖"}, "needs no_deadline: true"),
    ({"year": 2025, "comparator": "reach", "value": 100, "text": "全覆盖", "areas": "370102"},
     "areas must be a non-empty list of area codes"),
])
def test_bad_new_milestones_are_named(milestone, message):
    problems = problems_of(variant(milestones=[milestone], headline_no=None, kind="text_target",
                                   baseline={"year": None, "value": None, "qualifier": None, "text": None},
                                   unit="%", limits={"min": 0, "max": 100}))
    assert len(problems) == 1, problems
    assert problems[0].startswith("indicators.yaml: entry 1 (reclaimed_water_use_pct)") and message in problems[0]


def test_areas_must_be_known_and_good_new_milestones_parse():
    areas = {"370100", "370102", "370100F01"}
    entry = variant(kind="text_target", headline_no=None, direction="lower", unit="%",
                    baseline={"year": None, "value": None, "qualifier": None, "text": None},
                    milestones=[{"year": 2023, "comparator": "reach", "value": 0, "text": "清零",
                                 "areas": ["370102", "370199"]}])
    _, problems = registry.parse_indicators({"indicators": [entry]}, UNITS, area_codes=areas)
    assert problems == ["indicators.yaml: entry 1 (reclaimed_water_use_pct) milestone 1: unknown areas ['370199'] "
                        "(areas.yaml)"]
    entry["milestones"][0]["areas"] = ["370102", "370100F01"]
    done = variant(code="done_x", kind="text_target", headline_no=None, milestones=[DONE],
                   baseline={"year": None, "value": None, "qualifier": None, "text": None})
    standing = variant(code="standing_x", kind="text_target", headline_no=None,
                       baseline={"year": None, "value": None, "qualifier": None, "text": None},
                       milestones=[{"year": None, "no_deadline": True, "comparator": "about", "value": 70,
                                    "text": "70%左右"}])
    parsed, problems = registry.parse_indicators({"indicators": [entry, done, standing]}, UNITS, area_codes=areas)
    assert problems == []
    assert parsed["reclaimed_water_use_pct"].milestones[0].areas == ("370102", "370100F01")
    assert parsed["done_x"].milestones[0].evidence == "MWR designation"
    assert parsed["standing_x"].milestones[0].year is None and parsed["standing_x"].milestones[0].no_deadline
    reg = registry.Registry(indicators=parsed, units={k: {"name_zh": k} for k in UNITS}, areas={}, version="t")
    rows = {r["indicator_code"]: r for r in registry.milestone_rows(reg)}
    assert rows["reclaimed_water_use_pct"]["area_codes"] == "370102,370100F01"
    assert rows["standing_x"]["milestone_year"] is None and rows["done_x"]["area_codes"] is None
    assert {r["indicator_code"]: r["milestone_years"] for r in registry.catalog_rows(reg)}["standing_x"] == "无期限"


def _catalog_row(**changes) -> dict:
    row = {"indicator_code": "x", "direction": "higher", "baseline_year": None, "baseline_value": None,
           "baseline_qualifier": None, "limit_min": 0.0, "limit_max": 100.0, "path_method": "linear",
           "precision_decimals": 0, "unit": "%", "progress_method": "distance", "category": "green",
           "per_district": False, "is_binding": False}
    return {**row, **changes}


def _milestone_row(**changes) -> dict:
    row = {"indicator_code": "x", "milestone_year": 2025, "comparator": "reach", "target_value": 100.0,
           "is_cumulative": False, "period_start": None, "tolerance_pct": None, "band_low": None, "band_high": None,
           "area_codes": None}
    return {**row, **changes}


AREAS = [{"area_code": "370100", "area_kind": "city"}, {"area_code": "370102", "area_kind": "county"},
         {"area_code": "370103", "area_kind": "county"}]


def _values(area: str, series: dict[int, float]) -> list[dict]:
    return [{"indicator_code": "x", "area_code": area, "year": y, "value": v, "is_primary_series": True}
            for y, v in series.items()]


def test_a_target_for_named_areas_is_assessed_for_them_only_against_its_own_target():
    ind = _catalog_row(direction="lower", unit="km", limit_max=None)
    ms = [_milestone_row(milestone_year=2023, target_value=0.0, area_codes="370102")]
    values = (_values("370100", {2021: 90.0, 2022: 60.0}) + _values("370102", {2021: 10.0, 2022: 0.0})
              + _values("370103", {2021: 8.0, 2022: 4.0}))
    rows = [r for r in assessment.progress_rows([ind], ms, AREAS, values) if r["method"] == "distance"]
    assert {(r["area_code"], r["year"], r["status"], r["is_reference"]) for r in rows} == {
        ("370102", 2021, "baseline", False), ("370102", 2022, "achieved", False)}
    assert assessment.path_rows([ind], ms, values) == []  # no city target, no city path


def test_a_done_milestone_and_a_target_without_a_deadline():
    done = _catalog_row(indicator_code="x", unit="done", limit_max=1.0)
    ms = [_milestone_row(comparator="done", target_value=1.0)]
    rows = [r for r in assessment.progress_rows([done], ms, AREAS, _values("370100", {2023: 0.0, 2024: 1.0}))
            if r["method"] == "distance"]
    assert [(r["year"], r["status"], r["planned_value"]) for r in rows] == [
        (2023, "not_assessable", None), (2024, "achieved", None)]
    assert "尚未完成" in rows[0]["explanation"] and "目标2025年完成" in rows[0]["explanation"]
    path = assessment.path_rows([done], ms, _values("370100", {2023: 0.0}))
    assert [(p["year"], p["planned_value"], p["is_milestone"]) for p in path] == [(2025, 1.0, True)]

    standing = _catalog_row()
    ms = [_milestone_row(milestone_year=None, comparator="about", target_value=70.0)]
    rows = [r for r in assessment.progress_rows([standing], ms, AREAS, _values("370100", {2022: 66.0, 2023: 71.0}))
            if r["method"] == "pace"]
    assert [(r["year"], r["milestone_year"], r["status"]) for r in rows] == [(2022, 2022, "limited"),
                                                                            (2023, 2023, "achieved")]
    assert rows[0]["reason"] == "无期限目标：按是否达到目标水平评估" and "无期限目标约70%" in rows[0]["explanation"]
    assert assessment.path_rows([standing], ms, _values("370100", {2022: 66.0})) == []


# ───── a revised target (必要时对本规划进行修订): effective-dated, earlier years keep the earlier target ─────

REVISION = {"year": 2025, "comparator": "reach", "value": 60, "text": "60", "effective_from": "2024-07-01",
            "revision": "济南市新型城镇化规划中期评估修订（示例）"}


@pytest.mark.parametrize(("revision", "message"), [
    ({k: v for k, v in REVISION.items() if k != "effective_from"},
     "milestones must be in increasing year order, one per year (a changed target is a later version"),
    ({k: v for k, v in REVISION.items() if k != "revision"},
     "milestone 2025: effective_from without the plan revision it comes from"),
    ({**REVISION, "effective_from": "mid-2024"}, "effective_from 'mid-2024' is not a date"),
    ({**REVISION, "year": 2030}, "milestone 2030: a revised target needs the plan's original target of that year"),
])
def test_a_change_without_an_effective_date_or_its_revision_fails_naming_the_entry(revision, message):
    entry = copy.deepcopy(ENTRY)
    entry["milestones"].insert(1, revision)
    problems = problems_of(entry)
    assert any(message in p and p.startswith("indicators.yaml: entry 1 (reclaimed_water_use_pct)")
               for p in problems), problems


def test_a_revised_target_leaves_earlier_years_statuses_unchanged():
    # the 2025 target 50 is revised to 60 from 2024-07-01: 2023 is judged against 50, 2024 on against 60
    entry = copy.deepcopy(ENTRY)
    entry["milestones"].insert(1, REVISION)
    indicators, problems = registry.parse_indicators({"indicators": [entry]}, UNITS)
    assert problems == []
    reg = registry.Registry(indicators=indicators, units={k: {"name_zh": k} for k in UNITS},
                            areas=registry.load().areas, version="test")
    catalog, milestones, areas = registry.catalog_rows(reg), registry.milestone_rows(reg), registry.area_rows(reg)
    assert [(m["target_value"], m["is_current"], str(m["effective_from"])) for m in milestones
            if m["milestone_year"] == 2025] == [(50.0, False, "None"), (60.0, True, "2024-07-01")]
    assert catalog[0]["target_2025_text"] == "60"
    values = [{"indicator_code": ENTRY["code"], "area_code": "370100", "year": y, "value": v,
               "value_unrounded": v, "is_primary_series": True} for y, v in ((2020, 35.0), (2023, 45.0), (2024, 48.0))]
    rows = assessment.progress_rows(catalog, milestones, areas, values)
    progress = {(p["year"], p["milestone_year"]): p for p in rows if p["method"] == "distance"}
    # 2023: (45-35)/(50-35) = 0.667 over 3/5 elapsed -> 1.11 on track (under 60 it would be 0.667: needs acceleration)
    assert (progress[(2023, 2025)]["target_value"], progress[(2023, 2025)]["status"]) == (50.0, "on_track")
    # 2024: (48-35)/(60-35) = 0.52 over 4/5 -> 0.65 needs acceleration
    assert (progress[(2024, 2025)]["target_value"], progress[(2024, 2025)]["status"]) == (60.0, "needs_acceleration")
    assert progress[(2024, 2025)]["score"] == pytest.approx(0.65)
    # one row per year and milestone: the version in force, never both
    assert len([p for p in rows if p["method"] == "distance" and (p["year"], p["milestone_year"]) == (2024, 2025)]) == 1
    # the planned path runs to the target in force now
    path = {r["year"]: r["planned_value"] for r in assessment.path_rows(catalog, milestones, values)}
    assert path[2025] == 60.0


def test_an_incomplete_year_is_served_flagged_and_not_judged():
    # HJ 663: a year with fewer valid days than the rule asks is not judged, nor a point of any trend
    indicators, problems = registry.parse_indicators({"indicators": [ENTRY]}, UNITS)
    reg = registry.Registry(indicators=indicators, units={k: {"name_zh": k} for k in UNITS},
                            areas=registry.load().areas, version="test")
    catalog, milestones, areas = registry.catalog_rows(reg), registry.milestone_rows(reg), registry.area_rows(reg)
    note = "数据不完整：有效3个，HJ 663-2013 …，不予评价"
    values = [{"indicator_code": ENTRY["code"], "area_code": "370100", "year": y, "value": v, "value_unrounded": v,
               "is_primary_series": True, "is_complete": complete, "completeness_note": None if complete else note}
              for y, v, complete in ((2020, 35.0, True), (2021, 38.0, True), (2022, 99.0, False))]
    rows = [p for p in assessment.progress_rows(catalog, milestones, areas, values) if p["method"] == "distance"
            and p["milestone_year"] == 2025]
    by_year = {p["year"]: p for p in rows}
    assert (by_year[2022]["status"], by_year[2022]["reason"], by_year[2022]["actual_value"]) == (
        "not_assessable", note, 99.0)
    assert "无法评估" in by_year[2022]["explanation"] and note in by_year[2022]["explanation"]
    assert by_year[2021]["status"] == "on_track"  # (38-35)/(50-35) = 0.2 over 1/5: the 99 is no point of it
    projection = [p for p in assessment.progress_rows(catalog, milestones, areas, values)
                  if p["method"] == "projection" and p["year"] == 2021 and p["milestone_year"] == 2025]
    assert projection[0]["n_points"] == 2


def test_a_district_is_judged_against_its_share_of_an_additive_city_target():
    """5G base stations: the city's 6 (万个) are the districts' sum, so a district holding a fifth of the city's
    stations in 2020 is judged against a fifth of the target, not the whole of it (which would paint it red)."""
    counts = _catalog_row(unit="万个", limit_max=None, precision_decimals=1, baseline_year=2020, baseline_value=2.0,
                          is_additive=True)
    ms = [_milestone_row(target_value=6.0)]
    city, district = {2020: 2.0, 2023: 4.4}, {2020: 0.4, 2023: 0.88}  # the district grows as fast as the city
    values = _values("370100", city) + _values("370102", district)
    rows = {(r["area_code"], r["year"]): r for r in assessment.progress_rows([counts], ms, AREAS, values)
            if r["method"] == "distance"}
    assert rows[("370100", 2023)]["target_value"] == 6.0
    assert rows[("370102", 2023)]["target_value"] == 1.2  # 6 × 0.4 / 2.0
    assert rows[("370102", 2023)]["status"] == rows[("370100", 2023)]["status"] == "on_track"
    assert "占全市份额（20.0%）" in rows[("370102", 2023)]["reason"]

    # the same figures of a share (not additive): the district keeps the city's target
    share = {**counts, "unit": "%", "is_additive": False}
    rows = {(r["area_code"], r["year"]): r for r in assessment.progress_rows([share], ms, AREAS, values)
            if r["method"] == "distance"}
    assert rows[("370102", 2023)]["target_value"] == 6.0 and rows[("370102", 2023)]["status"] != "on_track"
