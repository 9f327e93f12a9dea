"""The plan registry, progress and a frozen evaluation edition on the live platform (shared session fixture)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import real_city_file

pytestmark = pytest.mark.integration
URBANMON = str(Path(sys.executable).with_name("urbanmon"))


def urbanmon(platform, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([URBANMON, *args], env=platform.env, capture_output=True, text=True, timeout=300)


def worse_day(content: bytes, city: str = "济南") -> bytes:
    """A revised file: the city's PM2.5 at 300 µg/m³ every hour (AQI 350 as published), so the day is not good."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    col = rows[0].index(city)
    for row in rows[1:]:
        if row[2] in ("PM2.5", "PM2.5_24h"):
            row[col] = "300"
        elif row[2] == "AQI":
            row[col] = "350"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def jinan_2020(platform, table: str = "indicator_values", edition: str | None = None):
    where = "and edition_id = ?" if edition else ""
    return platform.serving(
        f"select value, numerator from {table} where indicator_code = 'air_quality_good_days_ratio' "
        f"and area_code = '370100' and year = 2020 and is_primary_series {where}", [edition] if edition else [])[0]


def test_the_plan_is_served_with_every_status_explained(platform):
    headline = platform.serving("select count(*) from indicator_catalog where kind = 'headline'")[0][0]
    assert headline == 22
    rows = platform.serving(
        "select p.method, p.status, p.baseline_value, p.explanation, c.name_zh from indicator_progress p "
        "join indicator_catalog c using (indicator_code) where p.area_code = '370100' and p.year = 2020 "
        "and p.indicator_code = 'air_quality_good_days_ratio' and p.milestone_year = 2025 order by p.method")
    assert [(r[0], r[1], r[2]) for r in rows] == [(m, "baseline", 62.0) for m in ("distance", "pace", "projection")]
    assert all(r[4] == "环境空气质量优良天数比例" and "目标65.2%" in r[3] for r in rows)
    path = platform.serving("select count(*) from indicator_path where indicator_code = "
                            "'air_quality_good_days_ratio'")[0][0]
    assert path == 6  # 2020..2025


def test_a_frozen_edition_keeps_its_content_after_a_revision(platform):
    freeze = urbanmon(platform, "freeze-edition", "--edition", "annual", "--year", "2020", "--by", "测试编辑",
                      "--note", "集成测试")
    assert freeze.returncode == 0, freeze.stdout + freeze.stderr
    frozen = json.loads(freeze.stdout)
    edition = frozen["edition_id"]
    before = jinan_2020(platform)
    assert jinan_2020(platform, "edition_indicator_values", edition) == before

    # a revised file for a good day Jinan already has: it supersedes the loaded one and the day turns bad
    (day,) = platform.serving(
        "select strftime(min(date), '%Y%m%d') from air_quality_daily where location_id = '济南' "
        "and standard = 'HJ 633-2012' and is_good_day and month(date) = 8")[0]
    revised = worse_day(real_city_file(day))
    platform.drop(f"china_cities_{day}.csv", revised)
    state, _ = platform.wait_for_file(hashlib.sha256(revised).hexdigest(), timeout=600)
    assert state == "loaded"
    after = jinan_2020(platform)
    assert after[1] == before[1] - 1  # one good day fewer in the served figures

    assert jinan_2020(platform, "edition_indicator_values", edition) == before
    check = urbanmon(platform, "editions")
    assert check.returncode == 0, check.stdout + check.stderr
    (result,) = [c for c in json.loads(check.stdout) if c["edition_id"] == edition]
    assert result["recomputed"] == result["recorded"] == frozen["content_sha256"]
