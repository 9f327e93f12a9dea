"""Statistical feeds on the live platform: a revised file rebuilds only what depends on it; a bad file is
quarantined with its reason while the other feeds keep flowing."""

from __future__ import annotations

import hashlib
import os

import pytest

from urbanmon import synth
from urbanmon.cli import generated_samples

pytestmark = pytest.mark.integration
FEED = "statistics__jinan_bureau_district_tables"


def drop(platform, name: str, data: bytes) -> str:
    folder = platform.data / "landing" / "statistics"
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{name}.part"
    tmp.write_bytes(data)
    os.replace(tmp, folder / name)
    return hashlib.sha256(data).hexdigest()


def table_rows(name: str) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(generated_samples(FEED)[name].decode("gb18030"))))


def test_the_sample_feeds_are_loaded_and_served(platform):
    years = dict(platform.serving(
        "select year, is_synthetic from indicator_values where indicator_code = 'urbanization_rate_resident_pct' "
        "and area_code = '370100' and value_source = 'sample'"))
    assert set(synth.YEARS) <= set(years) and all(years.values())
    # the real published figures (the official feed's shipped sample) are the primary series where they exist
    official = platform.serving(
        "select year, value, is_synthetic, is_primary_series from indicator_values where indicator_code = "
        "'urbanization_rate_resident_pct' and area_code = '370100' and value_source = 'official' order by year")
    assert (2022, 74.3, False, True) in official and all(not r[2] and r[3] for r in official)
    baseline = platform.serving(
        "select value from indicator_values where indicator_code = 'resident_population_year_end' "
        "and area_code = '370100' and year = 2020 and is_primary_series")[0][0]
    assert baseline == pytest.approx(924.2)


def test_a_revised_table_updates_its_indicators_and_only_those(platform):
    name = "synthetic_jinan_district_population_income_2024.csv"  # GB18030, as the generator writes 2024
    rows = table_rows(name)
    for row in rows:
        if row and row[0] == "商河县":
            row[6] = str(int(row[6]) + 3000)  # rural income revised upwards
    sha = drop(platform, name, synth.csv_bytes(rows, "gb18030"))
    state, _ = platform.wait_for_file(sha, timeout=600)
    assert state == "loaded"
    (denominator,) = platform.serving(
        "select denominator from indicator_values where indicator_code = 'urban_rural_income_ratio' "
        "and area_code = '370126' and year = 2024")[0]
    assert denominator == float(next(r for r in rows if r and r[0] == "商河县")[6])
    (run_id,) = platform.operations("select run_id from builds where changed_report_dates = ['2024-01-01'::date] "
                                    "and state = 'success' order by started_at desc limit 1")[0]
    ran = {r[0] for r in platform.operations("select unique_id from build_nodes where run_id = ?", [run_id])}
    assert "model.urbanmon.indicator_values" in ran
    assert not [n for n in ran if "air_quality" in n or "aqi" in n], sorted(ran)
    superseded = platform.operations("select state from files where feed_id = ? and name = ? order by processed_at",
                                     [FEED, name])
    assert [s for (s,) in superseded] == ["superseded", "loaded"]


def test_a_table_in_the_wrong_unit_is_quarantined_and_nothing_of_it_loads(platform):
    name = "jinan_district_population_income_2023.csv"
    rows = [["地区", "年末常住人口（人）", "城镇常住人口（万人）", "户籍人口（万人）", "城镇户籍人口（万人）",
             "城镇居民人均可支配收入（元）", "农村居民人均可支配收入（元）"],
            ["全市", 9602700, 733.1, 827.8, 509.3, 61000, 23800]]
    sha = drop(platform, name, synth.csv_bytes(rows))
    state, _ = platform.wait_for_file(sha, timeout=600)
    assert state == "quarantined"
    (error,) = platform.operations("select error from files where sha256 = ?", [sha])[0]
    assert name in error and "unit_mismatch" in error and "line 1" in error
    assert (platform.data / "quarantine" / FEED / sha / name).read_bytes() == synth.csv_bytes(rows)
    assert not platform.serving("select 1 from indicator_values where source_feed = ? and year = 2023 "
                                "and value > 1000000", [FEED])
