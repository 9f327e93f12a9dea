"""Synthetic sample of the district population and income tables, 2019-2025 (calibration: urbanmon/synth.py).

Raw counts and per-capita incomes per district, as the bureau prints them; the indicators are computed downstream.
Formats vary the way real deliveries do: XLSX in odd years, CSV in even years (GB18030 in 2020 and 2024), a title row,
footnotes, and 2019 still naming 章丘区 by its old name 章丘市 (an alias the adapter maps)."""

from __future__ import annotations

from urbanmon import synth

NAMES = {"370102": "历下区", "370103": "市中区", "370104": "槐荫区", "370105": "天桥区", "370112": "历城区",
         "370113": "长清区", "370114": "章丘区", "370115": "济阳区", "370116": "莱芜区", "370117": "钢城区",
         "370124": "平阴县", "370126": "商河县"}
HEADER = ["地区", "年末常住人口（万人）", "城镇常住人口（万人）", "户籍人口（万人）", "城镇户籍人口（万人）",
          "城镇居民人均可支配收入（元）", "农村居民人均可支配收入（元）"]
URBAN_INCOME_2020 = 53329.0  # 元, Jinan 2020
HUKOU_RATIO = 0.862          # registered / resident population, 2020


def year_rows(year: int) -> list[list]:
    d = synth.DISTRICTS
    pop_city = round(synth.population(synth.CITY, year), 2)
    pop = synth.fix_total({k: synth.population(k, year) for k in d}, pop_city, 2)
    rate = synth.district_values("urbanization_rate_resident_pct", year, weights=pop)
    urban_city = round(synth.city_series("urbanization_rate_resident_pct")[year] / 100 * pop_city, 2)
    urban = synth.fix_total({k: rate[k] / 100 * pop[k] for k in d}, urban_city, 2)
    hukou_share = {k: HUKOU_RATIO * (1 + 0.08 * (2 * synth.rng("hukou", k).random() - 1)) for k in d}
    hukou_city = round(HUKOU_RATIO * pop_city, 2)
    hukou = synth.fix_total({k: hukou_share[k] * pop[k] for k in d}, hukou_city, 2)
    hrate = synth.district_values("urbanization_rate_hukou_pct", year, weights=hukou)
    urban_hukou_city = round(synth.city_series("urbanization_rate_hukou_pct")[year] / 100 * hukou_city, 2)
    urban_hukou = synth.fix_total({k: hrate[k] / 100 * hukou[k] for k in d}, urban_hukou_city, 2)
    ratio_city = synth.city_series("urban_rural_income_ratio")[year]
    urban_income_city = round(URBAN_INCOME_2020 * 1.052 ** (year - 2020))
    rural_income_city = round(urban_income_city / ratio_city)
    ratio = synth.district_values("urban_rural_income_ratio", year)
    rows = [["全市", pop_city, urban_city, hukou_city, urban_hukou_city, urban_income_city, rural_income_city]]
    for k in d:
        urban_income = round(urban_income_city * (1 + 0.15 * (2 * synth.rng("income", k).random() - 1)))
        name = "章丘市" if (k == "370114" and year == 2019) else NAMES[k]
        rows.append([name, pop[k], urban[k], hukou[k], urban_hukou[k], urban_income, round(urban_income / ratio[k])])
    return rows


def generate(seed: int) -> dict[str, bytes]:
    files = {}
    for year in synth.YEARS:
        title = [f"济南市分区县主要人口与居民收入指标（{year}年）"]
        notes = [["注：常住人口、户籍人口为年末数；城镇户籍人口按户籍所在地的城镇地域划分。"],
                 ["资料来源：济南市统计局（模拟样例数据，非官方统计）"]]
        rows = [title, HEADER, *year_rows(year), [], *notes]
        name = f"synthetic_jinan_district_population_income_{year}"
        if year % 2:
            files[f"{name}.xlsx"] = synth.xlsx_bytes(rows, f"{year}年")
        else:
            files[f"{name}.csv"] = synth.csv_bytes(rows, "gb18030" if year in (2020, 2024) else "utf-8")
    return files
