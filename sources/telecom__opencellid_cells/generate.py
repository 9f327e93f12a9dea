"""Synthetic OpenCelliD snapshots of the Jinan extract (MCC 460), one per year end 2019-2025 (calibration:
urbanmon/synth.py, indicator five_g_base_stations).

Raw cells, never counts: each year's number of gNBs per district is the city's 5G base-station figure for that year
(万个 × 10 000; 2020 = 17 000, the plan's baseline) split over the districts by synth.district_values; each gNB is a
site placed at random inside its district (in GCJ-02, the boundaries' datum, then shifted back to WGS-84, the datum
OpenCelliD positions are in, and checked with the forward shift) with 1-3 NR cells (mostly one: crowd-sourced
registries see few sectors of a site; fewer cells keep the sample small), cell identity NCI = gNB ID << 12 | local
cell id (24-bit gNB ID, 12-bit cell id). A gNB once built stays in every later snapshot. Around them: a fixed set
of LTE cells (not 5G; ECI = eNB ID << 8 | cell id) and a few NR cells just outside Jinan (in the extract's bounding
box, outside every district: area_code NULL, counted in no district).
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np

from urbanmon import geo, synth

CODE = "five_g_base_stations"
HEADER = "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal"
NETS = (0, 0, 1, 11)  # China Mobile builds about half the gNBs; Unicom and Telecom share the rest (co-built)
LTE_CELLS = 1200
OUTSIDE_CELLS = 40
FIRST_5G = dt.datetime(2019, 6, 6, tzinfo=dt.UTC)  # 5G licences issued
BEIJING = dt.timezone(dt.timedelta(hours=8))


def _ts(year: int, month: int = 1, day: int = 1) -> int:
    return int(dt.datetime(year, month, day, tzinfo=BEIJING).timestamp())


def gnb_counts() -> dict[int, dict[str, int]]:
    """gNBs per district at each year end; never fewer than the year before (a built station stays)."""
    out, before = {}, dict.fromkeys(synth.DISTRICTS, 0)
    for year in synth.YEARS:
        city = round(synth.city_series(CODE)[year] * 10000)
        shares = synth.district_values(CODE, year, additive=True)
        counts = synth.fix_total({d: shares[d] * 10000 for d in synth.DISTRICTS}, city, 0)
        out[year] = {d: max(int(counts[d]), before[d]) for d in synth.DISTRICTS}
        before = out[year]
    return out


def _centres() -> dict[str, tuple[float, float]]:
    data = json.loads(geo.BOUNDARIES.read_text(encoding="utf-8"))
    return {str(f["properties"]["adcode"]): tuple(f["properties"]["center"]) for f in data["features"]}


def sample_points(rng: np.random.Generator, region: geo.Region, n: int, centre: tuple[float, float] | None,
                  digits: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """``n`` WGS-84 points (rounded to ``digits``) whose GCJ-02 shift lies inside ``region``: candidates in the
    bounding box (half of them clustered around the district's seat, where the city is dense), shifted back to
    WGS-84 by iterating the forward transform, rounded, shifted forward again and kept when inside."""
    x0, y0, x1, y1 = region.bbox
    lons, lats = [], []
    have = 0
    while have < n:
        m = max(64, 3 * (n - have))
        glon, glat = rng.uniform(x0, x1, m), rng.uniform(y0, y1, m)
        if centre is not None:
            near = rng.random(m) < 0.5
            glon = np.where(near, rng.normal(centre[0], 0.04, m), glon)
            glat = np.where(near, rng.normal(centre[1], 0.03, m), glat)
        wlon, wlat = geo.gcj02_to_wgs84(glon, glat)
        wlon, wlat = np.round(wlon, digits), np.round(wlat, digits)
        keep = region.contains(*geo.wgs84_to_gcj02(wlon, wlat))
        lons.append(wlon[keep])
        lats.append(wlat[keep])
        have += int(keep.sum())
    return np.concatenate(lons)[:n], np.concatenate(lats)[:n]


COLUMNS = ("radio", "net", "area", "cell", "unit", "lon", "lat", "range", "samples", "created", "year", "seen",
           "signal")


def _block(rng: np.random.Generator, radio: str, net: np.ndarray, area: np.ndarray, cell: np.ndarray,
           lon: np.ndarray, lat: np.ndarray, created: np.ndarray, year: np.ndarray) -> dict[str, np.ndarray]:
    """Cells as columns, with the attributes OpenCelliD keeps per cell (PCI, range, samples, last seen, signal)."""
    n = len(cell)
    return {"radio": np.full(n, radio, dtype=object), "net": net, "area": area, "cell": cell,
            "unit": rng.integers(0, 1008 if radio == "NR" else 504, n), "lon": lon, "lat": lat,
            "range": rng.integers(2, 40, n) * 50, "samples": rng.integers(1, 30, n), "created": created,
            "year": year, "seen": rng.uniform(0.3, 1.0, n), "signal": rng.choice([0, 0, 0, -85, -95, -105], n)}


def _gnb_ids(rng: np.random.Generator, nets: np.ndarray, next_id: dict[int, int]) -> np.ndarray:
    """Distinct 24-bit gNB IDs per operator (ascending with random gaps, as operators number their sites)."""
    ids = np.zeros(len(nets), dtype=np.int64)
    for net in sorted(next_id):
        mask = nets == net
        steps = np.cumsum(rng.integers(1, 4, int(mask.sum())))
        ids[mask] = next_id[net] + steps
        next_id[net] += int(steps[-1]) if len(steps) else 0
    return ids


def build_cells(seed: int) -> dict[str, np.ndarray]:
    """Every cell that appears in any snapshot, with the year it was built (a cell is in every later snapshot)."""
    rng = np.random.default_rng([seed, 5, 0xCE11])
    regions = {r.code: r for r in geo.districts()}
    centres = _centres()
    counts = gnb_counts()
    next_id = {net: int(rng.integers(0x200000, 0x300000)) for net in sorted(set(NETS))}
    blocks = []
    for d_index, district in enumerate(synth.DISTRICTS):
        total = counts[synth.YEARS[-1]][district]
        lon, lat = sample_points(rng, regions[district], total, centres[district])
        built = np.zeros(total, dtype=np.int64)
        start = 0
        for year in synth.YEARS:
            built[start:counts[year][district]] = year
            start = counts[year][district]
        nets = np.asarray(NETS)[rng.integers(0, len(NETS), total)]
        gnb = _gnb_ids(rng, nets, next_id)
        lo = np.where(built == 2019, int(FIRST_5G.timestamp()), [_ts(int(y)) for y in built])
        hi = np.asarray([_ts(int(y) + 1) - 86400 for y in built])
        created = (lo + rng.random(total) * (hi - lo)).astype(np.int64)
        sectors = rng.choice([1, 2, 3], size=total, p=[0.88, 0.08, 0.04])
        site = np.repeat(np.arange(total), sectors)
        local = np.concatenate([np.arange(1, s + 1) for s in sectors])
        c_lon, c_lat = lon[site], lat[site]
        # another sector of the site: its estimated position a few tens of metres away (kept in the district)
        j_lon = np.round(c_lon + rng.normal(0, 0.0003, len(site)), 5)
        j_lat = np.round(c_lat + rng.normal(0, 0.0003, len(site)), 5)
        move = (local > 1) & regions[district].contains(*geo.wgs84_to_gcj02(j_lon, j_lat))
        c_lon, c_lat = np.where(move, j_lon, c_lon), np.where(move, j_lat, c_lat)
        blocks.append(_block(rng, "NR", nets[site], 0x590000 + 0x100 * d_index + nets[site],
                             (gnb[site] << 12) | local, c_lon, c_lat, created[site] + 60 * local, built[site]))
    # LTE cells around the districts (not 5G; present in every snapshot)
    pop = np.array([synth.POPULATION_2020[d] for d in synth.DISTRICTS])
    picks = rng.choice(len(synth.DISTRICTS), size=LTE_CELLS, p=pop / pop.sum())
    for d_index, district in enumerate(synth.DISTRICTS):
        n = int((picks == d_index).sum())
        lon, lat = sample_points(rng, regions[district], n, centres[district])
        nets = np.asarray(NETS)[rng.integers(0, len(NETS), n)]
        enb = 0x10000 + np.cumsum(rng.integers(1, 8, n)) + 0x1000 * d_index
        blocks.append(_block(rng, "LTE", nets, 0x5000 + 0x10 * d_index + nets, (enb << 8) | rng.integers(1, 4, n),
                             lon, lat, rng.integers(_ts(2014), _ts(2019, 6), n), np.full(n, 2019)))
    # NR cells of the neighbouring cities inside the extract's bounding box: outside every district
    lon, lat = np.round(rng.uniform(116.0, 118.2, 400), 5), np.round(rng.uniform(35.8, 37.8, 400), 5)
    outside = np.flatnonzero(np.equal(geo.assign_wgs84(lon, lat), None))[:OUTSIDE_CELLS]
    n = len(outside)
    nets = np.asarray(NETS)[rng.integers(0, len(NETS), n)]
    gnb = _gnb_ids(rng, nets, next_id)
    blocks.append(_block(rng, "NR", nets, 0x5A0000 + nets, (gnb << 12) | 1, lon[outside], lat[outside],
                         rng.integers(_ts(2020), _ts(2020, 12), n), np.full(n, 2020)))
    return {c: np.concatenate([b[c] for b in blocks]) for c in COLUMNS}


def snapshot(cells: dict[str, np.ndarray], year: int) -> bytes:
    end = _ts(year + 1) - 3600  # the snapshot is taken on 31 December, 23:00 Beijing time
    keep = np.flatnonzero(cells["year"] <= year)
    order = keep[np.lexsort((cells["cell"][keep], cells["area"][keep], cells["net"][keep],
                             cells["radio"][keep].astype(str)))]
    created = cells["created"][order]
    updated = created + (cells["seen"][order] * (end - created)).astype(np.int64)
    samples = cells["samples"][order] * (1 + year - cells["year"][order])
    columns = [cells["radio"][order], cells["net"][order], cells["area"][order], cells["cell"][order],
               cells["unit"][order], cells["lon"][order], cells["lat"][order], cells["range"][order], samples,
               created, updated, cells["signal"][order]]
    lines = [HEADER]
    lines += [f"{r},460,{n},{a},{c},{u},{x:.5f},{y:.5f},{g},{s},1,{t0},{t1},{sig}"
              for r, n, a, c, u, x, y, g, s, t0, t1, sig in zip(*(col.tolist() for col in columns), strict=True)]
    return ("\n".join(lines) + "\n").encode("ascii")


def generate(seed: int) -> dict[str, bytes]:
    cells = build_cells(seed)
    return {f"synthetic_opencellid_460_jinan_{year}1231.csv": snapshot(cells, year) for year in synth.YEARS}
