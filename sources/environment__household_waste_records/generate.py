"""Synthetic sample of the monthly household-waste records by district, 2019-2025 (calibration: urbanmon/synth.py).

Tonnages per district and month as the bureau's weighbridge and sorting statistics give them (collected, recovered
for use, incinerated, landfilled, 万吨); the indicators are computed downstream. Calibration:

- waste generated: 0.55 t per resident a year in 2020 (population: synth.population), +1.5 % a year per person,
  more in summer; generated = collected + recovered;
- recovered: each district's share of the waste generated is synth.district_values('waste_recycling_pct') weighted
  by its waste generated, so the city's is synth.city_series: 35 % in 2020, the plan's baseline (the plan asks to
  keep ≥ 35 %);
- treatment of the collected waste (no synth entry: the plan's milestones for these two are 2023 ones, which
  synth.city_series does not handle): the city's landfilled share falls 23 → 15 (2020) → 9.5 → 5.5 → 1.2 (2023:
  "基本实现零填埋", nearly) → 0.3 → 0 % (2025), about 5 % goes to biological treatment of kitchen waste and the
  rest is incinerated: 72 → 80 (2020) → 85.5 → 89.5 → 93.8 (2023: the plan's ≥ 90 % met) → 94.7 → 95 %; the
  outer counties landfill longest.

Formats vary the way real deliveries do: CSV in odd years (GB18030 in 2021), XLSX in even years, 月份 as 2021-03 in
CSV and 2020年3月 in XLSX, a title row and footnotes, 济阳区 as 济阳县 in 2019.
"""

from __future__ import annotations

import math

from urbanmon import synth

NAMES = {"370102": "历下区", "370103": "市中区", "370104": "槐荫区", "370105": "天桥区", "370112": "历城区",
         "370113": "长清区", "370114": "章丘区", "370115": "济阳区", "370116": "莱芜区", "370117": "钢城区",
         "370124": "平阴县", "370126": "商河县"}
HEADER = ["区县", "月份", "生活垃圾清运量（万吨）", "回收利用量（万吨）", "焚烧处理量（万吨）", "填埋处理量（万吨）"]
GENERATED_T_PER_RESIDENT_2020 = 0.55
LANDFILL_PCT = {2019: 23.0, 2020: 15.0, 2021: 9.5, 2022: 5.5, 2023: 1.2, 2024: 0.3, 2025: 0.0}
OTHER_PCT = 5.0  # kitchen waste treated biologically (and other routes), of the waste collected
# how long a district keeps landfilling, relative to the city (the outer counties longest)
LANDFILL_PROFILE = {"370102": 0.3, "370103": 0.4, "370104": 0.5, "370105": 0.6, "370112": 0.8, "370113": 1.3,
                    "370114": 1.1, "370115": 1.6, "370116": 1.2, "370117": 1.7, "370124": 2.2, "370126": 2.4}


def _season(month: int) -> float:
    return 1 + 0.08 * math.cos(2 * math.pi * (month - 7.5) / 12)


def district_year(year: int) -> dict[str, dict[str, float]]:
    """Annual tonnages (万吨) per district."""
    d = synth.DISTRICTS
    generated = {k: synth.population(k, year) * GENERATED_T_PER_RESIDENT_2020 * 1.015 ** (year - 2020) for k in d}
    recycling = synth.district_values("waste_recycling_pct", year, weights=generated)
    collected = {k: generated[k] * (1 - recycling[k] / 100) for k in d}
    # landfilled share per district: the profile scaled so that the collected-weighted mean is the city's
    weighted = sum(LANDFILL_PROFILE[k] * collected[k] for k in d) / sum(collected.values())
    landfill = {k: min(LANDFILL_PCT[year] * LANDFILL_PROFILE[k] / weighted, 100 - OTHER_PCT) for k in d}
    out = {}
    for k in d:
        other = OTHER_PCT * (1 + 0.2 * (2 * synth.rng("waste_other", k).random() - 1))
        out[k] = {"collected": collected[k], "recycled": generated[k] - collected[k],
                  "landfilled": collected[k] * landfill[k] / 100,
                  "incinerated": collected[k] * (100 - landfill[k] - other) / 100}
    return out


def year_rows(year: int) -> list[list]:
    rows = []
    annual = district_year(year)
    weights = {m: _season(m) for m in range(1, 13)}
    total = sum(weights.values())
    for k, a in annual.items():
        name = "济阳县" if (k == "370115" and year == 2019) else NAMES[k]
        # the month's recovery varies a little around the year's (centred: the year adds up to the annual figures)
        phase = synth.rng("waste_month", k).random() * 12
        raw = {m: 0.03 * math.sin(2 * math.pi * (m + phase) / 12) for m in range(1, 13)}
        centre = sum(weights[m] / total * raw[m] for m in raw)
        for m in range(1, 13):
            share = weights[m] / total
            wobble = raw[m] - centre
            recycled = a["recycled"] * share * (1 + wobble)
            collected = a["collected"] * share + a["recycled"] * share * -wobble
            incinerated = a["incinerated"] / a["collected"] * collected
            landfilled = a["landfilled"] / a["collected"] * collected
            month = f"{year}年{m}月" if year % 2 == 0 else f"{year}-{m:02d}"
            rows.append([name, month, round(collected, 2), round(recycled, 2), round(incinerated, 2),
                         round(landfilled, 2)])
    return rows


def generate(seed: int) -> dict[str, bytes]:
    files = {}
    for year in synth.YEARS:
        title = [f"济南市生活垃圾清运及处理情况（分区县、分月）{year}年"]
        notes = [["注：回收利用量指可回收物回收量及厨余垃圾资源化利用量；生活垃圾产生量=清运量+回收利用量；"
                  "清运量均已无害化处理，除焚烧、填埋外为厨余垃圾生化处理等。"],
                 ["数据来源：济南市城市管理局（模拟样例数据，非官方统计）"]]
        rows = [title, HEADER, *year_rows(year), [], *notes]
        name = f"synthetic_jinan_household_waste_{year}"
        if year % 2 == 0:
            files[f"{name}.xlsx"] = synth.xlsx_bytes(rows, f"{year}年")
        else:
            files[f"{name}.csv"] = synth.csv_bytes(rows, "gb18030" if year == 2021 else "utf-8")
    return files
