"""Synthetic sample of the annual forest and green-space survey, 2019-2025 (calibration: urbanmon/synth.py).

Areas per district as the bureau tabulates them (land, forest, built-up area in km², green and park green space in
ha); the indicators are computed downstream. Calibration:

- land area: the districts' areas (rounded, summing to Jinan's 10 244.45 km²), fixed;
- forest: the city's coverage is synth.city_series('forest_coverage_pct') (11.4 % in 2020, the plan's baseline, as
  adjusted under 自然资发〔2022〕5号), split over the districts by a fixed profile (the southern mountain districts
  well above, the plain north of the Yellow River well below) weighted by land area;
- built-up area: 2020 figures per district growing 1-3 % a year; green space of the built-up area: the districts'
  green-space ratios are synth.district_values('built_up_area_green_ratio_pct') weighted by built-up area, so the
  city's is synth.city_series (35.5 % in 2020, synth.START; 36.9 % in 2025, short of the plan's 37 %);
- park green space: per urban resident (城镇常住人口 of the district tables, read from that feed's generator, the
  one population every per-capita figure uses) synth.district_values('park_green_space_per_capita') weighted by
  urban population, so the city's is synth.city_series: 12.2 m² in 2020, the plan's baseline.

Formats vary the way real deliveries do: XLSX in odd years, CSV in even years (GB18030 in 2020), a title row and
footnotes, a 全市 row (the district sum) in 2020 and 2024, 高新区 (a functional zone: shown, never summed) from
2023, 莱芜区 as 莱城区 in 2019.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from urbanmon import synth

HERE = Path(__file__).resolve().parent
NAMES = {"370102": "历下区", "370103": "市中区", "370104": "槐荫区", "370105": "天桥区", "370112": "历城区",
         "370113": "长清区", "370114": "章丘区", "370115": "济阳区", "370116": "莱芜区", "370117": "钢城区",
         "370124": "平阴县", "370126": "商河县"}
HEADER = ["区县", "国土面积（平方公里）", "森林面积（平方公里）", "建成区面积（平方公里）", "建成区绿地面积（公顷）",
          "公园绿地面积（公顷）"]
LAND_KM2 = {"370102": 100.9, "370103": 280.3, "370104": 151.6, "370105": 258.8, "370112": 1298.6,
            "370113": 1178.4, "370114": 1721.2, "370115": 1076.2, "370116": 1794.55, "370117": 506.1,
            "370124": 715.0, "370126": 1162.8}
# forest density relative to the city: the mountains south of the city high, the Yellow River plain low
FOREST_PROFILE = {"370102": 1.1, "370103": 1.9, "370104": 0.45, "370105": 0.4, "370112": 1.5, "370113": 1.35,
                  "370114": 1.05, "370115": 0.3, "370116": 1.2, "370117": 1.6, "370124": 1.1, "370126": 0.25}
BUILT_UP_2020_KM2 = {"370102": 70.0, "370103": 75.0, "370104": 65.0, "370105": 70.0, "370112": 180.0,
                     "370113": 55.0, "370114": 75.0, "370115": 40.0, "370116": 70.0, "370117": 30.0, "370124": 22.0,
                     "370126": 22.0}
ZONE = "370100F01"  # 高新区, shown from 2023 (overlaps 历下, 历城, 章丘)
CITY_ROW_YEARS = (2020, 2024)


@cache
def district_tables():
    """The district tables generator: the urban population park green space per capita is calibrated on."""
    path = HERE.parent / "statistics__jinan_bureau_district_tables" / "generate.py"
    spec = importlib.util.spec_from_file_location("urbanmon_sample_district_tables", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def urban_population(year: int) -> dict[str, float]:
    """城镇常住人口 (万人) per district as the district tables of ``year`` print it."""
    rows = district_tables().year_rows(year)
    return dict(zip(synth.DISTRICTS, (row[2] for row in rows[1:]), strict=True))


def year_values(year: int) -> dict[str, list[float]]:
    d = synth.DISTRICTS
    forest_rate = synth.city_series("forest_coverage_pct")[year]
    land_total = sum(LAND_KM2.values())
    scale = forest_rate * land_total / sum(FOREST_PROFILE[k] * forest_rate * LAND_KM2[k] for k in d)
    forest = {k: FOREST_PROFILE[k] * scale * forest_rate / 100 * LAND_KM2[k] for k in d}
    built = {k: BUILT_UP_2020_KM2[k] * (1 + 0.01 + 0.02 * synth.rng("built_up", k).random()) ** (year - 2020)
             for k in d}
    built = {k: round(v, 1) for k, v in built.items()}
    green_rate = synth.district_values("built_up_area_green_ratio_pct", year, weights=built)
    urban = urban_population(year)
    park_rate = synth.district_values("park_green_space_per_capita", year, weights=urban)
    out = {}
    for k in d:
        green_ha = green_rate[k] / 100 * built[k] * 100
        out[k] = [LAND_KM2[k], round(forest[k], 2), built[k], round(green_ha, 1), round(park_rate[k] * urban[k], 1)]
    return out


def year_rows(year: int) -> list[list]:
    values = year_values(year)
    rows = []
    if year in CITY_ROW_YEARS:
        total = [round(sum(v[i] for v in values.values()), 2) for i in range(5)]
        rows.append(["全市", *total])
    for k, v in values.items():
        rows.append(["莱城区" if (k == "370116" and year == 2019) else NAMES[k], *v])
    if year >= 2023:
        # the zone's own survey figures: parts of the districts it overlaps
        members = synth.ZONES[ZONE]
        part = [round(0.2 * sum(values[m][i] for m in members), 2) for i in range(5)]
        rows.append(["高新区", *part])
    return rows


def generate(seed: int) -> dict[str, bytes]:
    files = {}
    for year in synth.YEARS:
        title = [f"济南市森林资源与城市绿地情况统计表（{year}年）"]
        notes = [["注：森林面积按自然资源部、国家林业和草原局《关于共同做好森林、草原、湿地调查监测工作的意见》"
                  "（自然资发〔2022〕5号）口径，不包括园地中的经济林；"
                  "绿地面积按《城市绿地分类标准》（CJJ/T 85-2017）。"],
                 ["资料来源：济南市园林和林业绿化局（模拟样例数据，非官方统计）"]]
        rows = [title, HEADER, *year_rows(year), [], *notes]
        name = f"synthetic_jinan_forest_greenspace_survey_{year}"
        if year % 2:
            files[f"{name}.xlsx"] = synth.xlsx_bytes(rows, f"{year}年")
        else:
            files[f"{name}.csv"] = synth.csv_bytes(rows, "gb18030" if year == 2020 else "utf-8")
    return files
