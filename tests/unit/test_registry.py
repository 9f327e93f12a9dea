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
    "binding": False, "path": "linear", "method": "distance", "precision": 0,
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
