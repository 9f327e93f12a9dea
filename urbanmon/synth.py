"""Calibration of the synthetic sample feeds: one place that decides what the sample years 2019–2025 look like.

The feed generators (``sources/<feed>/generate.py``) write raw records in each feed's real format (stations and
cells, plant-months, households, villages …, never indicator values). They take the city and district figures they
must add up to from here, so that

- the city value of 2020 equals the plan's baseline wherever the plan gives a plain number (``<40`` → 38; a missing
  baseline gets a plausible start, documented per indicator in ``START``);
- later years follow the plan's path at the pace set in ``PACE`` (1.0 = on the path; < 1 behind; > 1 ahead), so the
  sample shows some indicators on track and some behind; 2019 lies one step before 2020;
- the 12 county-level districts differ (fixed, seeded offsets), and their population-weighted mean (shares) or sum
  (counts) is the city value; functional zones get values near the districts they overlap;
- resident population comes from one place (``population``), used as every per-capita denominator.

Everything is deterministic: ``random.Random`` seeded from (SEED, indicator, area), no global state. Synthetic files
are named ``synthetic_<real name>`` and flagged ``is_synthetic`` all the way to ``indicator_values``.
"""

from __future__ import annotations

import hashlib
import random
from functools import cache

SEED = 20210101
YEARS = tuple(range(2019, 2026))
CITY = "370100"
DISTRICTS = ("370102", "370103", "370104", "370105", "370112", "370113", "370114", "370115", "370116", "370117",
             "370124", "370126")
ZONES = {"370100F01": ("370102", "370112", "370114"), "370100F02": ("370112", "370103", "370113"),
         "370100F03": ("370105", "370115")}
# year-end resident population 2020 (万人) by district: the 7th census shares of Jinan, rounded; sums to 924.2
POPULATION_2020 = {"370102": 87.5, "370103": 76.6, "370104": 61.5, "370105": 79.5, "370112": 178.1,
                   "370113": 62.2, "370114": 110.3, "370115": 55.5, "370116": 98.9, "370117": 29.7,
                   "370124": 34.8, "370126": 49.6}
URBAN_SHARE_2020 = {"370102": 100.0, "370103": 98.0, "370104": 97.0, "370105": 96.0, "370112": 85.0,
                    "370113": 62.0, "370114": 62.0, "370115": 45.0, "370116": 60.0, "370117": 70.0,
                    "370124": 42.0, "370126": 35.0}

# pace along the plan's path from 2020 to the 2025 milestone: 1.0 on track, < 1 behind, > 1 ahead
PACE = {
    "five_g_base_stations": 1.15, "five_g_coverage_pct": 1.0, "fibre_to_home_coverage_pct": 1.05,
    "smart_campus_coverage_pct": 1.0, "smart_hospital_coverage_pct": 0.7, "hd_video_surveillance_coverage_pct": 0.9,
    "e_licence_usage_pct": 1.1, "air_quality_good_days_ratio": 0.5, "forest_coverage_pct": 0.55,
    "park_green_space_per_capita": 1.0, "reclaimed_water_use_pct": 1.05, "waste_recycling_pct": 1.0,
    "urban_rural_income_ratio": 0.8, "vocational_training_attendances": 1.05,
    "community_elderly_care_facility_compliance_pct": 0.6, "infant_care_places_per_1000": 0.75,
    "physicians_per_1000": 1.1, "resident_population_year_end": 0.8, "urbanization_rate_resident_pct": 0.95,
    "urbanization_rate_hukou_pct": 0.55, "villages_collective_income_100k_pct": 1.0,
    "village_logistics_coverage_pct": 1.0, "gigabit_capable_household_pct": 1.1,
    "built_up_area_green_ratio_pct": 0.9,
}
# where the plan gives no baseline (—) or a bound (<40): the 2020 start the sample uses
START = {"fibre_to_home_coverage_pct": 38.0, "smart_hospital_coverage_pct": 40.0, "e_licence_usage_pct": 30.0,
         "community_elderly_care_facility_compliance_pct": 55.0, "infant_care_places_per_1000": 2.2,
         "village_logistics_coverage_pct": 60.0, "vocational_training_attendances": 19.0,
         "waste_recycling_pct": 35.0, "gigabit_capable_household_pct": 35.0,
         "built_up_area_green_ratio_pct": 35.5}
# spread of district values around the city value (relative, before re-weighting)
SPREAD = 0.12


def rng(*parts) -> random.Random:
    digest = hashlib.sha256(":".join(str(p) for p in (SEED, *parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


@cache
def _registry():
    from urbanmon import registry

    return registry.load()


def _milestone_2025(code: str):
    ind = _registry().indicators[code]
    return next(m for m in ind.milestones if m.year == 2025)


@cache
def city_series(code: str) -> dict[int, float]:
    """The city's value per sample year (for cumulative targets: the amount of each year)."""
    ind = _registry().indicators[code]
    m = _milestone_2025(code)
    if m.cumulative:
        per_year = m.value / (2025 - (m.period_start or 2021) + 1) * PACE.get(code, 1.0)
        r = rng(code, "cumulative")
        return {y: round(per_year * (0.85 + 0.1 * (y - 2021) / 2 + 0.05 * r.random()), 2) if y >= 2021
                else round(per_year * 0.9, 2) for y in YEARS}
    start = START.get(code, ind.baseline_value)
    target = m.value
    pace = PACE.get(code, 1.0)
    step = (target - start) / 5.0 * pace
    if ind.direction == "maintain":
        step = 0.3  # a maintain target held, a little above
    r = rng(code, "city")
    out = {}
    for y in YEARS:
        value = start + step * (y - 2020)
        if y not in (2020,):
            value += step * 0.08 * (r.random() - 0.5)
        lo, hi = ind.limit_min, ind.limit_max
        if hi is not None:
            value = min(value, hi)
        if lo is not None:
            value = max(value, lo)
        out[y] = value
    return out


def population(area: str, year: int) -> float:
    """Year-end resident population (万人): the city's series split over the districts by their 2020 shares and
    their own (seeded) growth; the districts sum to the city; a zone is a quarter of the districts it overlaps."""
    total = city_series("resident_population_year_end")[year]
    if area == CITY:
        return total
    raw = {d: POPULATION_2020[d] * (1 + 0.02 * (rng("population", d).random() - 0.5)) ** (year - 2020)
           for d in DISTRICTS}
    scale = total / sum(raw.values())
    if area in ZONES:
        return 0.25 * sum(raw[d] * scale for d in ZONES[area])
    return raw[area] * scale


def district_values(code: str, year: int, weights: dict[str, float] | None = None,
                    additive: bool = False) -> dict[str, float]:
    """Values of the 12 districts (and the zones) for ``year`` whose weighted mean (``weights``, default the
    population) — or sum when ``additive`` — equals the city value; within the indicator's natural limits."""
    ind = _registry().indicators[code]
    city = city_series(code)[year]
    offsets = {d: 1 + SPREAD * (2 * rng(code, d).random() - 1) for d in DISTRICTS}
    if additive:
        shares = {d: POPULATION_2020[d] * offsets[d] for d in DISTRICTS}
        total = sum(shares.values())
        values = {d: city * s / total for d, s in shares.items()}
    else:
        w = weights or {d: population(d, year) for d in DISTRICTS}
        raw = {d: city * offsets[d] for d in DISTRICTS}
        if ind.limit_max is not None:
            raw = {d: min(v, ind.limit_max) for d, v in raw.items()}
        mean = sum(raw[d] * w[d] for d in DISTRICTS) / sum(w.values())
        values = {d: v * city / mean if mean else v for d, v in raw.items()}
        top = ind.limit_max
        if top is not None and city >= top:
            values = {d: top for d in DISTRICTS}
        elif top is not None:
            # near the limit: districts at the limit stay there, the others carry the difference (water-filling)
            for _ in range(50):
                values = {d: min(v, top) for d, v in values.items()}
                gap = city * sum(w.values()) - sum(values[d] * w[d] for d in DISTRICTS)
                free = [d for d in DISTRICTS if values[d] < top]
                if abs(gap) < 1e-9 or not free:
                    break
                free_w = sum(w[d] for d in free)
                values = {d: values[d] + (gap / free_w if d in free else 0) for d in DISTRICTS}
    for zone, members in ZONES.items():
        values[zone] = sum(values[d] for d in members) / len(members) * (0.25 if additive else 1.0)
    return values


def xlsx_bytes(rows: list[list], sheet_title: str = "Sheet1") -> bytes:
    """An .xlsx workbook of ``rows``, byte-for-byte the same every time (fixed document and zip timestamps), so a
    re-run of the sample landing recognises files it already loaded by their SHA-256."""
    import datetime as dt
    import io
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = sheet_title
    for row in rows:
        sheet.append(row)
    fixed = dt.datetime(2021, 1, 1)
    book.properties.created = book.properties.modified = fixed
    book.properties.creator = "urbanmon synthetic sample"
    raw = io.BytesIO()
    book.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist()):
            info = zipfile.ZipInfo(name, date_time=(2021, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            content = src.read(name)
            if name == "docProps/core.xml":  # openpyxl stamps the save time here: fix it
                import re as _re

                content = _re.sub(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>",
                                  rb"<dcterms:modified\1>2021-01-01T00:00:00Z</dcterms:modified>", content)
            dst.writestr(info, content)
    return out.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def fix_total(values: dict[str, float], total: float, digits: int, carrier: str = "370112") -> dict[str, float]:
    """Round the district values to ``digits`` and let ``carrier`` absorb the rounding so they sum to ``total``."""
    rounded = {k: round(v, digits) for k, v in values.items()}
    rounded[carrier] = round(total - sum(v for k, v in rounded.items() if k != carrier), digits)
    return rounded
