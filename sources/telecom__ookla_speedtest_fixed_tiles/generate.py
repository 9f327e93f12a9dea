"""Synthetic Ookla speed-test tiles around Jinan, Q4 of 2019-2025 (the fixed feed; the mobile feed's generate.py
uses the same code with its own speeds).

Supporting data, not a plan indicator: no calibration to a plan figure. A fixed set of zoom-16 tiles where people
test (6 to 28 per district, more in populous ones, clustered near each district seat; 10 % of them quiet in any
year), placed by sampling GCJ-02 points inside the district boundaries and shifting them back to WGS-84, plus a few
tiles just outside Jinan (no district). Speeds grow year by year (fixed: ~60 → ~250 Mbps down; mobile: ~35 → ~180
Mbps with 5G), faster near the seats; tests and devices per tile vary. The older Ookla columns up to 2022, the newer
layout (tile_x, tile_y, avg_lat_down_ms, avg_lat_up_ms) from 2023.
"""

from __future__ import annotations

import json
import math

import numpy as np

from urbanmon import geo, synth
from urbanmon.feeds.ookla import NEW, OLD, lonlat_to_quadkey, tile_centre, tile_wkt

TYPE = "fixed"
# (download Mbps 2019, yearly growth, upload share of download, latency ms 2019)
SPEEDS = {"fixed": (62.0, 0.26, 0.35, 16.0), "mobile": (36.0, 0.30, 0.25, 38.0)}
NEW_LAYOUT_FROM = 2023


def tiles() -> list[tuple[str, str, float]]:
    """(quadkey, area code or '', closeness to the seat 0-1) of the tiles with tests."""
    data = json.loads(geo.BOUNDARIES.read_text(encoding="utf-8"))
    centres = {str(f["properties"]["adcode"]): tuple(f["properties"]["center"]) for f in data["features"]}
    regions = {r.code: r for r in geo.districts()}
    rng = np.random.default_rng([synth.SEED, 16, 0x0C1A])
    out: dict[str, tuple[str, float]] = {}
    for d in synth.DISTRICTS:
        want = 6 + round(synth.POPULATION_2020[d] / 8)
        got = 0
        while got < want:
            glon = rng.normal(centres[d][0], 0.05, 50)
            glat = rng.normal(centres[d][1], 0.04, 50)
            inside = regions[d].contains(glon, glat)
            wlon, wlat = geo.gcj02_to_wgs84(glon[inside], glat[inside])
            for x, y in zip(np.atleast_1d(wlon), np.atleast_1d(wlat), strict=True):
                qk = lonlat_to_quadkey(float(x), float(y))
                cx, cy = tile_centre(qk)
                if qk in out or geo.assign_wgs84([cx], [cy])[0] != d or got >= want:
                    continue
                dist = math.hypot(cx - centres[d][0], cy - centres[d][1])
                out[qk] = (d, math.exp(-dist / 0.05))
                got += 1
    for x, y in ((116.20, 36.75), (117.95, 36.80), (117.30, 37.60), (116.50, 36.00)):  # neighbouring cities
        qk = lonlat_to_quadkey(x, y)
        out.setdefault(qk, ("", 0.2))
    return sorted((qk, d, c) for qk, (d, c) in out.items())


def year_file(test_type: str, year: int, tile_set: list[tuple[str, str, float]]) -> bytes:
    down0, growth, up_share, lat0 = SPEEDS[test_type]
    rng = np.random.default_rng([synth.SEED, 16, year, 1 if test_type == "fixed" else 2])
    columns = NEW if year >= NEW_LAYOUT_FROM else OLD
    lines = [",".join(columns)]
    for qk, _, closeness in tile_set:
        if rng.random() < 0.1:
            continue
        down = down0 * (1 + growth) ** (year - 2019) * (0.6 + 0.6 * closeness) * rng.lognormal(0, 0.25)
        up = down * up_share * rng.lognormal(0, 0.2)
        lat = max(3.0, lat0 * 0.93 ** (year - 2019) * (1.3 - 0.4 * closeness) * rng.lognormal(0, 0.2))
        tests = int(1 + rng.poisson(6 + 40 * closeness))
        devices = int(max(1, min(tests, round(tests * rng.uniform(0.4, 0.9)))))
        cx, cy = tile_centre(qk)
        row = {"quadkey": qk, "tile": f'"{tile_wkt(qk)}"', "tile_x": f"{cx:.7f}", "tile_y": f"{cy:.7f}",
               "avg_d_kbps": str(round(down * 1000)), "avg_u_kbps": str(round(up * 1000)),
               "avg_lat_ms": str(round(lat)), "avg_lat_down_ms": str(round(lat * 1.6)),
               "avg_lat_up_ms": str(round(lat * 2.1)), "tests": str(tests), "devices": str(devices)}
        lines.append(",".join(row[c] for c in columns))
    return ("\n".join(lines) + "\n").encode("utf-8")


def files_for(test_type: str) -> dict[str, bytes]:
    tile_set = tiles()
    return {f"synthetic_{year}-10-01_performance_{test_type}_tiles_jinan.csv": year_file(test_type, year, tile_set)
            for year in synth.YEARS}


def generate(seed: int) -> dict[str, bytes]:
    return files_for(TYPE)
