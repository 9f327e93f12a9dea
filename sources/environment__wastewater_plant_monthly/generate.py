"""Synthetic sample of the wastewater plants' monthly returns, 2019-2025 (calibration: urbanmon/synth.py).

24 plausible (invented) urban plants over the 12 districts, each with a design capacity that changes when the plant
is expanded, a commissioning month for the plants built during the sample, and an effluent class that changes when
the plant is upgraded; every month a row with the wastewater treated and the reclaimed water used. The indicators
are computed downstream, the calibration is:

- capacity at year end: 186 (2019), 190 (2020), 195, 202, 212, 218, 225 万吨/日 in 2025, behind the plan's 230;
- plants meeting 准Ⅳ类 or better in most of their months: 4 of 20 (2019), 5 of 21 (2020), 7/22, 9/23, 11/23
  (47.8 % in 2023: the plan's 40 % met), 13/24, 14/24 (58.3 % in 2025, just short of 60 %); one plant upgraded in
  April (counts that year), one in August and one in October 2025 (do not), a winter dip to 一级A at one plant;
- reclaimed water: each district's utilisation is synth.district_values('reclaimed_water_use_pct') weighted by its
  wastewater treated, so the city's (sum of all plants) is synth.city_series: 35 % in 2020 (the plan's baseline),
  then the plan's path at its PACE; plants of a district differ around it, and more is reused in summer.

Formats vary the way real deliveries do: XLSX in odd years (月份 as 2021年03月), CSV in even years (月份 as 2020-03;
GB18030 in 2022, 月份 as 2022年3月 there), a title row and footnotes, 章丘区 as 章丘市 in 2019.
"""

from __future__ import annotations

import calendar
import math

from urbanmon import synth

CODE = "reclaimed_water_use_pct"
NAMES = {"370102": "历下区", "370103": "市中区", "370104": "槐荫区", "370105": "天桥区", "370112": "历城区",
         "370113": "长清区", "370114": "章丘区", "370115": "济阳区", "370116": "莱芜区", "370117": "钢城区",
         "370124": "平阴县", "370126": "商河县"}
HEADER = ["污水处理厂名称", "所在区县", "月份", "设计处理能力（万吨/日）", "污水处理量（万吨）", "再生水利用量（万吨）",
          "出水水质类别"]

# name, district, commissioned (year, month) or None (before 2019), capacity steps [((year, month), 万吨/日)],
# effluent class steps [((year, month), class)]; the first step applies from the start
PLANTS = [
    ("济南市水质净化一厂", "370105", None, [((2019, 1), 30)], [((2019, 1), "准IV类")]),
    ("济南市水质净化二厂", "370112", None, [((2019, 1), 30)], [((2019, 1), "准IV类"), ((2022, 1), "IV类")]),
    ("济南市水质净化三厂", "370112", None, [((2019, 1), 20), ((2023, 7), 30)],
     [((2019, 1), "一级A"), ((2022, 1), "准IV类")]),
    ("济南市水质净化四厂", "370104", None, [((2019, 1), 10), ((2025, 5), 15)], [((2019, 1), "准IV类")]),
    ("济南市西区污水处理厂", "370104", None, [((2019, 1), 10)], [((2019, 1), "一级A"), ((2023, 3), "准IV类")]),
    ("历下区东部污水处理厂", "370102", None, [((2019, 1), 8)], [((2019, 1), "准IV类")]),
    ("市中区南区污水处理厂", "370103", None, [((2019, 1), 6)], [((2019, 1), "一级A"), ((2021, 4), "准IV类")]),
    ("市中区兴隆污水处理厂", "370103", None, [((2019, 1), 3)], [((2019, 1), "一级A")]),
    ("济南市水质净化五厂", "370112", None, [((2019, 1), 10)], [((2019, 1), "一级A"), ((2023, 1), "准IV类")]),
    ("历城区唐冶污水处理厂", "370112", None, [((2019, 1), 3), ((2020, 1), 5)], [((2019, 1), "一级A")]),
    ("长清区污水处理厂", "370113", None, [((2019, 1), 6)], [((2019, 1), "一级A"), ((2024, 1), "准IV类")]),
    ("长清区大学城污水处理厂", "370113", None, [((2019, 1), 4)], [((2019, 1), "一级A"), ((2020, 1), "准IV类")]),
    ("章丘区第一污水处理厂", "370114", None, [((2019, 1), 8)], [((2019, 1), "一级A")]),
    ("章丘区明水污水处理厂", "370114", None, [((2019, 1), 6)], [((2019, 1), "一级A")]),
    ("济阳区污水处理厂", "370115", None, [((2019, 1), 5)], [((2019, 1), "一级A")]),
    ("莱芜区城区污水处理厂", "370116", None, [((2019, 1), 10), ((2025, 1), 12)],
     [((2019, 1), "一级A"), ((2025, 1), "准IV类")]),
    ("莱芜区高新区污水处理厂", "370116", None, [((2019, 1), 4)], [((2019, 1), "一级A")]),
    ("钢城区污水处理厂", "370117", None, [((2019, 1), 5), ((2022, 1), 7)], [((2019, 1), "一级A")]),
    ("平阴县污水处理厂", "370124", None, [((2019, 1), 4)], [((2019, 1), "一级A"), ((2025, 8), "准IV类")]),
    ("商河县污水处理厂", "370126", None, [((2019, 1), 4), ((2024, 1), 6)],
     [((2019, 1), "一级B"), ((2020, 1), "一级A"), ((2025, 10), "准IV类")]),
    ("平阴县第二污水处理厂", "370124", (2020, 1), [((2020, 1), 2)], [((2020, 1), "一级A")]),
    ("历城区郭店污水处理厂", "370112", (2021, 1), [((2021, 1), 5)], [((2021, 1), "准IV类")]),
    ("起步区崔寨污水处理厂", "370115", (2022, 1), [((2022, 1), 5)], [((2022, 1), "准IV类")]),
    ("章丘区圣井污水处理厂", "370114", (2024, 1), [((2024, 1), 4)], [((2024, 1), "准IV类")]),
]
# months a plant fell back to 一级A (low winter temperatures slow nitrification)
DIPS = {("济南市水质净化一厂", 2021, 1), ("济南市水质净化一厂", 2021, 2)}


def _step(steps, year: int, month: int):
    value = steps[0][1]
    for (y, m), v in steps:
        if (y, m) <= (year, month):
            value = v
    return value


def _season(month: int, amplitude: float) -> float:
    """1 + amplitude in mid-summer, 1 - amplitude in mid-winter."""
    return 1 + amplitude * math.cos(2 * math.pi * (month - 7.5) / 12)


def plant_months(year: int) -> list[dict]:
    """The plants' monthly records of ``year`` (values unrounded)."""
    out = []
    for name, district, commissioned, capacities, classes in PLANTS:
        load = 0.80 + 0.12 * synth.rng("wwtp_load", name, year).random()
        for month in range(1, 13):
            if commissioned and (year, month) < commissioned:
                continue
            days = calendar.monthrange(year, month)[1]
            capacity = _step(capacities, year, month)
            cls = "一级A" if (name, year, month) in DIPS else _step(classes, year, month)
            noise = 1 + 0.03 * (2 * synth.rng("wwtp_month", name, year, month).random() - 1)
            out.append({"plant": name, "district": district, "month": month, "capacity": capacity,
                        "treated": capacity * days * load * _season(month, 0.06) * noise, "class": cls})
    # reclaimed water: the district's utilisation (weighted by treated), plants around it, more in summer
    treated = {d: sum(r["treated"] for r in out if r["district"] == d) for d in synth.DISTRICTS}
    rates = synth.district_values(CODE, year, weights=treated)
    for district in synth.DISTRICTS:
        rows = [r for r in out if r["district"] == district]
        plants = sorted({r["plant"] for r in rows})
        factor = {p: 1 + 0.2 * (2 * synth.rng("wwtp_reuse", p).random() - 1) for p in plants}
        weighted = sum(r["treated"] * factor[r["plant"]] for r in rows)
        scale = rates[district] / 100 * treated[district] / weighted
        for plant in plants:
            own = [r for r in rows if r["plant"] == plant]
            seasonal = sum(r["treated"] * _season(r["month"], 0.15) for r in own) / sum(r["treated"] for r in own)
            for r in own:
                r["reclaimed"] = r["treated"] * factor[plant] * scale * _season(r["month"], 0.15) / seasonal
    return out


def year_rows(year: int) -> list[list]:
    rows = []
    for r in plant_months(year):
        if year % 2:
            month = f"{year}年{r['month']:02d}月"
        elif year == 2022:
            month = f"{year}年{r['month']}月"
        else:
            month = f"{year}-{r['month']:02d}"
        area = "章丘市" if (r["district"] == "370114" and year == 2019) else NAMES[r["district"]]
        rows.append([r["plant"], area, month, r["capacity"], round(r["treated"], 2), round(r["reclaimed"], 2),
                     r["class"]])
    return rows


def generate(seed: int) -> dict[str, bytes]:
    files = {}
    for year in synth.YEARS:
        title = [f"济南市城市污水处理厂运行情况月报汇总（{year}年）"]
        notes = [["注：污水处理量、再生水利用量为当月累计；出水水质类别为当月监测达到的最高类别，准IV类指化学需氧量、"
                  "氨氮、总磷达到地表水IV类标准。"],
                 ["数据来源：济南市水务局（模拟样例数据，非官方统计）"]]
        rows = [title, HEADER, *year_rows(year), [], *notes]
        name = f"synthetic_jinan_wastewater_plants_monthly_{year}"
        if year % 2:
            files[f"{name}.xlsx"] = synth.xlsx_bytes(rows, f"{year}年")
        else:
            files[f"{name}.csv"] = synth.csv_bytes(rows, "gb18030" if year == 2022 else "utf-8")
    return files
