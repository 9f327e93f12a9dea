"""Synthetic sample of the unified department report form, 2019-2025 (calibration: urbanmon/synth.py).

Raw counts per district and item, as the departments fill in the form (long: 年度, 地区, 填报单位, 指标项目, 计量单位,
数值); the indicators are computed downstream. For each share indicator the district totals (schools, hospitals,
villages …) are drawn first, the city numerator is the city share of synth.city_series × the city total, rounded to
a whole count, and it is split over the districts by synth.district_values (weighted by the totals) with the largest
remainder method, never above a district's total. Per-capita items use the populations of the district tables
(sources/statistics__jinan_bureau_district_tables/generate.py, loaded from there), so 2020 gives the plan's
baselines: 4.4 physicians per 1,000, smart campus 95.1 %, HD video 70 %, villages with collective income ≥ 10万元
66.5 %; the items without a baseline start at synth.START.

Formats vary the way real deliveries do: XLSX in odd years, CSV in even years (GB18030 in 2022), a title row and
footnotes, a 全市 row (the district sum) in 2021 and 2024 only, 年度 written as 2020年 in 2020.
"""

from __future__ import annotations

import importlib.util
import math
from functools import cache
from pathlib import Path

import yaml

from urbanmon import synth

HERE = Path(__file__).resolve().parent
NAMES = {"370102": "历下区", "370103": "市中区", "370104": "槐荫区", "370105": "天桥区", "370112": "历城区",
         "370113": "长清区", "370114": "章丘区", "370115": "济阳区", "370116": "莱芜区", "370117": "钢城区",
         "370124": "平阴县", "370126": "商河县"}
HEADER = ["年度", "地区", "填报单位", "指标项目", "计量单位", "数值"]
CITY_ROW_YEARS = (2021, 2024)

# share indicators: (indicator, numerator item, total item, the city total in 2019, its yearly growth, weighting)
SHARES = [
    ("smart_hospital_coverage_pct", "smart_hospitals", "hospitals_grade_2_plus", 104, 0.03, "population"),
    ("smart_campus_coverage_pct", "smart_campus_schools", "primary_secondary_schools", 1146, 0.008, "population"),
    ("hd_video_surveillance_coverage_pct", "hd_video_covered_key_areas", "key_public_areas", 5820, 0.04, "urban"),
    ("e_licence_usage_pct", "e_licence_uses", "licence_verifications", 8_460_000, 0.09, "population"),
    ("community_elderly_care_facility_compliance_pct", "elderly_care_compliant_communities",
     "communities_requiring_elderly_care", 1392, 0.02, "urban"),
    ("villages_collective_income_100k_pct", "villages_collective_income_100k", "administrative_villages", 4680,
     -0.012, "rural"),
    ("village_logistics_coverage_pct", "logistics_covered_villages", "eligible_villages", None, None, "rural"),
]
# a total that is part of another: the eligible villages (with road access) are 88-98 % of the administrative ones
PART_OF = {"eligible_villages": ("administrative_villages", 0.88, 0.98)}
# per-capita indicators: (indicator, item); items per 1,000 residents
PER_1000 = [("physicians_per_1000", "licensed_physicians"), ("infant_care_places_per_1000", "infant_care_places")]


@cache
def items() -> dict[str, dict]:
    doc = yaml.safe_load((HERE / "items.yaml").read_text(encoding="utf-8"))
    return {entry["code"]: entry for entry in doc["items"]}


@cache
def district_tables():
    """The district tables generator: the population every per-capita item is calibrated on."""
    path = HERE.parent / "statistics__jinan_bureau_district_tables" / "generate.py"
    spec = importlib.util.spec_from_file_location("urbanmon_generator_district_tables_for_departments", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def populations(year: int) -> dict[str, float]:
    """Year-end resident population (万人) of 全市 and the districts, as the district tables print them."""
    rows = district_tables().year_rows(year)
    out = {"370100": rows[0][1]}
    for row in rows[1:]:
        code = next(c for c, n in NAMES.items() if n == row[0] or (c == "370114" and row[0] == "章丘市"))
        out[code] = row[1]
    return out


def allocate(targets: dict[str, float], total: int, caps: dict[str, int] | None = None) -> dict[str, int]:
    """Whole numbers near ``targets`` that add up to ``total`` (largest remainder), none above its cap."""
    caps = caps or {k: math.inf for k in targets}
    scale = total / sum(targets.values()) if sum(targets.values()) else 0
    scaled = {k: min(v * scale, caps[k]) for k, v in targets.items()}
    out = {k: int(math.floor(v)) for k, v in scaled.items()}
    rest = total - sum(out.values())
    order = sorted(targets, key=lambda k: (-(scaled[k] - math.floor(scaled[k])), k))
    while rest > 0:
        room = [k for k in order if out[k] < caps[k]]
        if not room:
            raise ValueError(f"cannot place {rest} more: every area is at its cap")
        for k in room[:rest]:
            out[k] += 1
        rest = total - sum(out.values())
    return out


def _weights(kind: str, year: int) -> dict[str, float]:
    pop = populations(year)
    if kind == "population":
        return {d: pop[d] for d in synth.DISTRICTS}
    urban = {d: synth.URBAN_SHARE_2020[d] / 100 for d in synth.DISTRICTS}
    if kind == "urban":
        return {d: pop[d] * (urban[d] + 0.05) for d in synth.DISTRICTS}
    return {d: pop[d] * (1.02 - urban[d]) for d in synth.DISTRICTS}  # rural: even 历下区 keeps a few villages


def totals(item: str, city_2019: int, growth: float, weighting: str, year: int) -> dict[str, int]:
    """A share's total (schools, hospitals, villages …) per district: seeded offsets around the weighting, a city
    total growing by ``growth`` a year."""
    city = round(city_2019 * (1 + growth) ** (year - 2019))
    w = _weights(weighting, 2020)
    targets = {d: w[d] * (1 + 0.2 * (2 * synth.rng("department_totals", item, d).random() - 1)) for d in w}
    floor = max(1, city // 400)
    out = allocate({d: max(v, 0.0) for d, v in targets.items()}, city - floor * len(targets))
    return {d: v + floor for d, v in out.items()}


def year_values(year: int) -> dict[str, dict[str, float]]:
    """item code -> district code -> value of ``year``."""
    out: dict[str, dict[str, float]] = {}
    for code, numerator, total_item, city_2019, growth, weighting in SHARES:
        if total_item in PART_OF:
            whole, lo, hi = PART_OF[total_item]
            den = {d: max(1, round(n * (lo + (hi - lo) * synth.rng("department_part", total_item, d).random())))
                   for d, n in out[whole].items()}
        else:
            den = totals(total_item, city_2019, growth, weighting, year)
        share = synth.city_series(code)[year]
        num_city = round(share / 100 * sum(den.values()))
        rates = synth.district_values(code, year, weights={d: float(den[d]) for d in den})
        out[numerator] = allocate({d: rates[d] / 100 * den[d] for d in den}, num_city, caps=den)
        out[total_item] = den
    pop = populations(year)
    for code, item in PER_1000:
        rate = synth.city_series(code)[year]
        total = round(rate * pop["370100"] * 10)  # per 1,000 residents; population in 万人
        rates = synth.district_values(code, year, weights={d: pop[d] for d in synth.DISTRICTS})
        out[item] = allocate({d: rates[d] * pop[d] * 10 for d in synth.DISTRICTS}, total)
    city = synth.city_series("vocational_training_attendances")[year]
    split = synth.district_values("vocational_training_attendances", year, additive=True)
    out["vocational_training_attendances_wan"] = synth.fix_total(
        {d: split[d] for d in synth.DISTRICTS}, round(city, 2), 2)
    return out


def _number(value: float, integer: bool):
    return int(value) if integer else round(value, 2)


def year_rows(year: int) -> list[list]:
    values = year_values(year)
    year_text = f"{year}年" if year == 2020 else year
    rows = []
    areas = (["370100"] if year in CITY_ROW_YEARS else []) + list(synth.DISTRICTS)
    for area in areas:
        for code, item in items().items():
            if area == "370100":
                value, name, unit = sum(values[code].values()), "全市", item["department"]
            else:
                value, name, unit = values[code][area], NAMES[area], NAMES[area] + item["district_unit"]
            rows.append([year_text, name, unit, item["name_zh"], item["unit"], _number(value, item["integer"])])
    return rows


def generate(seed: int) -> dict[str, bytes]:
    files = {}
    for year in synth.YEARS:
        title = [f"济南市新型城镇化监测部门统一报表（{year}年度）"]
        notes = [["注：各项为年末数或全年累计数；全市数为各区县合计，功能区数据含在所在区县内。"],
                 ["资料来源：市直有关部门及各区县（模拟样例数据，非官方统计）"]]
        rows = [title, HEADER, *year_rows(year), [], *notes]
        name = f"synthetic_jinan_department_reports_{year}"
        if year % 2:
            files[f"{name}.xlsx"] = synth.xlsx_bytes(rows, f"{year}年度")
        else:
            files[f"{name}.csv"] = synth.csv_bytes(rows, "gb18030" if year == 2022 else "utf-8")
    return files
