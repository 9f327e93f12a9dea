"""Synthetic sample of the 5G coverage grid, 2019-2025 (calibration: urbanmon/synth.py, five_g_coverage_pct).

A real 3 km grid over Jinan: cells of 0.034° × 0.027° from the south-west corner of the districts' extent, each
assigned to the district its centre lies in (point-in-polygon on registry/boundaries, GCJ-02; cells whose centre is
in no district are left out), about 1 150 cells. Each district's resident population (synth.population) is spread
over its cells, denser near the district seat; the cells' coverage shares (samples with SS-RSRP >= -105 dBm) are
higher where people are dense and scaled so that each district's population-weighted share is
synth.district_values('five_g_coverage_pct'), hence the city's is the city series (85.2 % in 2020, the plan's
baseline; 100 % in 2025). Formats vary: XLSX in odd years, CSV in even years (GB18030 in 2024), a title row and
footnotes."""

from __future__ import annotations

import json
import math

import numpy as np

from urbanmon import geo, synth

CODE = "five_g_coverage_pct"
HEADER = ["网格编号", "区县", "常住人口（人）", "测量样本数（个）", "5G覆盖比例"]
NAMES = {"370102": "历下区", "370103": "市中区", "370104": "槐荫区", "370105": "天桥区", "370112": "历城区",
         "370113": "长清区", "370114": "章丘区", "370115": "济阳区", "370116": "莱芜区", "370117": "钢城区",
         "370124": "平阴县", "370126": "商河县"}
DLON, DLAT = 0.034, 0.027  # about 3 km × 3 km at 36.6° N


def grid() -> list[dict]:
    """The grid cells whose centre lies in a district (GCJ-02, the boundaries' datum)."""
    regions = geo.districts()
    x0 = min(r.bbox[0] for r in regions)
    y0 = min(r.bbox[1] for r in regions)
    x1 = max(r.bbox[2] for r in regions)
    y1 = max(r.bbox[3] for r in regions)
    cols, rows = math.ceil((x1 - x0) / DLON), math.ceil((y1 - y0) / DLAT)
    jj, ii = np.meshgrid(np.arange(cols), np.arange(rows))
    lon = x0 + (jj.ravel() + 0.5) * DLON
    lat = y0 + (ii.ravel() + 0.5) * DLAT
    codes = geo.assign_gcj02(lon, lat, regions)
    return [{"grid_id": f"JN3K-{i:02d}{j:02d}", "area_code": code, "lon": x, "lat": y}
            for i, j, x, y, code in zip(ii.ravel(), jj.ravel(), lon, lat, codes, strict=True) if code is not None]


def _centres() -> dict[str, tuple[float, float]]:
    data = json.loads(geo.BOUNDARIES.read_text(encoding="utf-8"))
    return {str(f["properties"]["adcode"]): tuple(f["properties"]["center"]) for f in data["features"]}


def _shares(density: np.ndarray, pop: np.ndarray, target: float) -> np.ndarray:
    """Shares min(1, a × density^0.5), with ``a`` found by bisection so that the population-weighted mean is
    ``target`` (0-1): dense cells reach full coverage first."""
    base = np.sqrt(density)
    if target >= 1 - 1e-9:
        return np.ones_like(base)
    lo, hi = 0.0, 1.0 / base.min()
    for _ in range(100):
        a = (lo + hi) / 2
        mean = float((np.minimum(1.0, a * base) * pop).sum() / pop.sum())
        lo, hi = (a, hi) if mean < target else (lo, a)
    return np.minimum(1.0, (lo + hi) / 2 * base)


def year_rows(year: int, cells: list[dict]) -> list[list]:
    centres = _centres()
    rows = []
    population = {d: round(synth.population(d, year) * 10000) for d in synth.DISTRICTS}
    shares = synth.district_values(CODE, year, weights=population)
    for d in synth.DISTRICTS:
        mine = [c for c in cells if c["area_code"] == d]
        r = np.random.default_rng([synth.SEED, 7, int(d)])  # the same spatial pattern every year
        cx, cy = centres[d]
        dist = np.array([math.hypot((c["lon"] - cx) * 0.8, c["lat"] - cy) for c in mine])
        density = np.exp(-dist / 0.06) + 0.02 * r.lognormal(0, 0.6, len(mine))
        pop = np.floor(population[d] * density / density.sum()).astype(np.int64)
        pop[np.argmax(density)] += population[d] - int(pop.sum())
        share = np.round(_shares(density, pop.astype(float), shares[d] / 100), 4)
        samples = np.maximum(50, (pop / 20 * (1 + 0.3 * r.random(len(mine)))).astype(np.int64)) * (year - 2017)
        rows += [[c["grid_id"], NAMES[d], int(p), int(s), float(v)]
                 for c, p, s, v in zip(mine, pop, samples, share, strict=True)]
    return rows


def generate(seed: int) -> dict[str, bytes]:
    cells = grid()
    files = {}
    for year in synth.YEARS:
        title = [f"济南市5G网络覆盖栅格测评结果（{year}年）"]
        notes = [["注：栅格约3公里×3公里；5G覆盖比例为SS-RSRP≥-105dBm的测量样本占比；常住人口按栅格人口分布推算。"],
                 ["资料来源：济南通信管理办（模拟样例数据，非官方统计）"]]
        rows = [title, HEADER, *year_rows(year, cells), [], *notes]
        name = f"synthetic_jinan_5g_coverage_grid_{year}"
        if year % 2:
            files[f"{name}.xlsx"] = synth.xlsx_bytes(rows, f"{year}年")
        else:
            files[f"{name}.csv"] = synth.csv_bytes(rows, "gb18030" if year == 2024 else "utf-8")
    return files

