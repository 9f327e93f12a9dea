"""Synthetic sample of the operators' district broadband reports, 2019-2025 (calibration: urbanmon/synth.py).

Raw household counts per district and operator, never shares. Per district: households = year-end resident
population / household size; the 全网 (all operators, each household once) fibre-into-home and gigabit-capable
households are synth.district_values of fibre_to_home_coverage_pct (2020 = 38 %, the sample's start below the plan's
"<40") and gigabit_capable_household_pct (START 35 %) weighted by households, so the city's share (sum over the
districts) is the city series; each operator reaches part of them (China Mobile the most), the operators' sum
exceeding 全网 by the households served twice. The 2019 report has no gigabit column yet (the older form), so
the gigabit share starts in 2020 (its first year, the baseline of a target without one in the plan). Formats
vary: XLSX in odd years, CSV in even years (GB18030 in 2022), a title row and footnotes, 章丘区 as 章丘市 in 2019."""

from __future__ import annotations

from urbanmon import synth

NAMES = {"370102": "历下区", "370103": "市中区", "370104": "槐荫区", "370105": "天桥区", "370112": "历城区",
         "370113": "长清区", "370114": "章丘区", "370115": "济阳区", "370116": "莱芜区", "370117": "钢城区",
         "370124": "平阴县", "370126": "商河县"}
HEADER = ["区县", "运营商", "家庭户数（户）", "光纤通达户数（户）", "光纤入户户数（户）", "千兆接入能力户数（户）"]
# share of the 全网 households each operator serves (their sum > 1: households with lines of two operators)
OPERATORS = {"中国移动": 0.56, "中国电信": 0.33, "中国联通": 0.24}
HOUSEHOLD_SIZE = 2.62  # persons per household, Jinan 7th census
GIGABIT_FROM = 2020  # gigabit capability is reported from the 2020 year-end report on (双千兆 statistics)


def year_rows(year: int) -> list[list]:
    households = {d: round(synth.population(d, year) * 10000 / HOUSEHOLD_SIZE) for d in synth.DISTRICTS}
    ftth = synth.district_values("fibre_to_home_coverage_pct", year, weights=households)
    giga = synth.district_values("gigabit_capable_household_pct", year, weights=households)
    rows = []
    for d in synth.DISTRICTS:
        h = households[d]
        union_ftth = round(h * ftth[d] / 100)
        union_giga = round(h * giga[d] / 100)
        reach_share = min(1.0, max(ftth[d], giga[d]) / 100 + 0.04 + 0.04 * synth.rng("reach", d, year).random())
        union_reach = max(union_ftth, union_giga, round(h * reach_share))
        name = "章丘市" if (d == "370114" and year == 2019) else NAMES[d]
        for op, share in OPERATORS.items():
            wobble = 1 + 0.06 * (2 * synth.rng("operator", op, d, year).random() - 1)
            rows.append([name, op, h, round(union_reach * min(0.97, share * wobble * 1.1)),
                         round(union_ftth * share * wobble), round(union_giga * share * wobble)])
        rows.append([name, "全网", h, union_reach, union_ftth, union_giga])
    return rows


def generate(seed: int) -> dict[str, bytes]:
    files = {}
    for year in synth.YEARS:
        title = [f"济南市分区县固定宽带接入情况（{year}年末）"]
        notes = [["注：全网为各基础电信企业去重后的户数（同一家庭接入两家企业只计一次）；"
                  "千兆接入能力指10G-PON端口覆盖。"],
                 ["资料来源：济南通信管理办（模拟样例数据，非官方统计）"]]
        rows = [title, HEADER, *year_rows(year), [], *notes]
        if year < GIGABIT_FROM:  # the older form: no gigabit column yet
            rows = [title, HEADER[:-1], *(r[:-1] for r in year_rows(year)), [], *notes]
        name = f"synthetic_jinan_operator_broadband_district_{year}"
        if year % 2:
            files[f"{name}.xlsx"] = synth.xlsx_bytes(rows, f"{year}年")
        else:
            files[f"{name}.csv"] = synth.csv_bytes(rows, "gb18030" if year == 2022 else "utf-8")
    return files

