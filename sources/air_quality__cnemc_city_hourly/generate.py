"""Synthetic CNEMC city files for 2021-2025 (the years after the real 2020 files), for 济南 and 章丘 only.

One file a week (every Wednesday), in the real daily format (date,hour,type,<cities>; 24 hours × 15 types). Each
file's calendar day is a valid day (hours 1-23; hour 0 belongs to the day before, which has no other hour and so is
not a valid day). Good and polluted days are drawn so that Jinan's good-day share of each year follows
urbanmon/synth.py (behind the plan's path). Hourly values are constant over a day; the published hourly AQI is the
IAQI of the 1-hour PM values on the 24-hour breakpoints, rounded half up (the rule the real city files follow).

Never 2020 or earlier: the real 2020 files stay the only data of 2020 (tests/dbt checks that no year mixes real and
synthetic files)."""

from __future__ import annotations

import datetime as dt
import math

from urbanmon import synth

CITIES = ("济南", "章丘")
TYPES = ("AQI", "PM2.5", "PM2.5_24h", "PM10", "PM10_24h", "SO2", "SO2_24h", "NO2", "NO2_24h", "O3", "O3_24h",
         "O3_8h", "O3_8h_24h", "CO", "CO_24h")
IAQI = (0, 50, 100, 150, 200, 300, 400, 500)
PM25 = (0, 35, 75, 115, 150, 250, 350, 500)
PM10 = (0, 50, 150, 250, 350, 420, 500, 600)
YEARS = tuple(y for y in synth.YEARS if y > 2020)


def iaqi(c: float, bp: tuple) -> float:
    for i in range(1, len(bp)):
        if c <= bp[i]:
            return (IAQI[i] - IAQI[i - 1]) / (bp[i] - bp[i - 1]) * (c - bp[i - 1]) + IAQI[i - 1]
    return 500.0


def day_values(good: bool, r) -> dict[str, float]:
    pm25 = r.randint(18, 58) if good else r.randint(95, 150)
    pm10 = round(pm25 * 1.6)
    so2, no2, o3, co = r.randint(5, 15), r.randint(20, 38), r.randint(40, 90), round(0.4 + 0.6 * r.random(), 1)
    aqi = math.floor(max(iaqi(pm25, PM25), iaqi(pm10, PM10)) + 0.5)
    return {"AQI": aqi, "PM2.5": pm25, "PM2.5_24h": pm25, "PM10": pm10, "PM10_24h": pm10, "SO2": so2,
            "SO2_24h": so2, "NO2": no2, "NO2_24h": no2, "O3": o3, "O3_24h": o3, "O3_8h": o3, "O3_8h_24h": o3,
            "CO": co, "CO_24h": co}


def generate(seed: int) -> dict[str, bytes]:
    files = {}
    for year in YEARS:
        days = [dt.date(year, 1, 1) + dt.timedelta(days=i) for i in range(366)]
        days = [d for d in days if d.year == year and d.weekday() == 2]
        share = synth.city_series("air_quality_good_days_ratio")[year] / 100
        r = synth.rng("air", year)
        good_days = set(r.sample(days, round(share * len(days))))
        for day in days:
            values = {c: day_values(day in good_days, synth.rng("air", day, c)) for c in CITIES}
            values["章丘"] = day_values(synth.rng("air-zq", day).random() < share + 0.03, synth.rng("air", day, "章丘"))
            rows = [["date", "hour", "type", *CITIES]]
            for hour in range(24):
                for t in TYPES:
                    rows.append([day.strftime("%Y%m%d"), hour, t, *(f"{values[c][t]:g}" for c in CITIES)])
            files[f"synthetic_china_cities_{day:%Y%m%d}.csv"] = synth.csv_bytes(rows).replace(b"\r\n", b"\n")
    return files
