"""Synthetic sample of the NBS city annual series for Jinan (data-API JSON), 2019-2025.

One file per year, as the download job saves the answer of the NBS data API (easyquery QueryData, city annual
database csnd, region 370100, time = the year): five indicators of the catalogue (indicators.yaml). The numbers are
those the district tables print in their 全市 row (sources/statistics__jinan_bureau_district_tables/generate.py,
loaded from there: year_rows), so the NBS series and the district tables agree, as the consistency check
fct_city_population_consistency expects; the urbanisation rate is the 全市 row's urban / resident population,
rounded to 2 decimals as NBS publishes it. 2025's urbanisation rate is not published yet: ``hasdata: false``.
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path

import yaml

from urbanmon import synth

HERE = Path(__file__).resolve().parent
REGION = ("370100", "济南市")
NOT_YET_PUBLISHED = {(2025, "A030104")}


@cache
def catalogue() -> list[dict]:
    return yaml.safe_load((HERE / "indicators.yaml").read_text(encoding="utf-8"))["indicators"]


@cache
def district_tables():
    path = HERE.parent / "statistics__jinan_bureau_district_tables" / "generate.py"
    spec = importlib.util.spec_from_file_location("urbanmon_generator_district_tables_for_nbs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def city_values(year: int) -> dict[str, tuple[float, int]]:
    """NBS zb code -> (value, decimals) for Jinan in ``year``: the district tables' 全市 row."""
    _, pop, urban, _, _, urban_income, rural_income = district_tables().year_rows(year)[0]
    return {"A030101": (pop, 2), "A030102": (urban, 2), "A030104": (round(100 * urban / pop, 2), 2),
            "A0A0201": (urban_income, 0), "A0A0301": (rural_income, 0)}


def _dim_node(code: str, cname: str, unit: str = "", dotcount: int = 0, sort: int = 1) -> dict:
    return {"cname": cname, "code": code, "dotcount": dotcount, "exp": "", "ifshowcode": False, "memo": "",
            "name": cname, "nodesort": "1", "sortcode": sort, "tag": "", "unit": unit}


def answer(year: int) -> dict:
    values = city_values(year)
    nodes = []
    for ind in catalogue():
        zb = ind["zb"]
        value, digits = values[zb]
        has = (year, zb) not in NOT_YET_PUBLISHED
        nodes.append({
            "code": f"zb.{zb}_reg.{REGION[0]}_sj.{year}",
            "data": {"data": (round(value, digits) if digits else int(value)) if has else 0, "dotcount": digits,
                     "hasdata": has, "strdata": f"{value:.{digits}f}" if has else ""},
            "wds": [{"valuecode": zb, "wdcode": "zb"}, {"valuecode": REGION[0], "wdcode": "reg"},
                    {"valuecode": str(year), "wdcode": "sj"}],
        })
    wdnodes = [
        {"nodes": [_dim_node(i["zb"], i["name_zh"], i["unit"], values[i["zb"]][1], n)
                   for n, i in enumerate(catalogue(), 1)], "wdcode": "zb", "wdname": "指标"},
        {"nodes": [_dim_node(REGION[0], REGION[1], sort=int(REGION[0]))], "wdcode": "reg", "wdname": "地区"},
        {"nodes": [_dim_node(str(year), f"{year}年", sort=year)], "wdcode": "sj", "wdname": "时间"},
    ]
    return {"returncode": 200, "returndata": {"datanodes": nodes, "freshsort": 0,
                                              "hasdatacount": sum(n["data"]["hasdata"] for n in nodes),
                                              "wdnodes": wdnodes}}


def generate(seed: int) -> dict[str, bytes]:
    return {f"synthetic_nbs_csnd_jinan_{year}.json":
            (json.dumps(answer(year), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
            for year in synth.YEARS}
