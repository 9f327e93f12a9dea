"""A catalogue of bad-input cases across every feed: each damaged file with the rule its adapter must name.

The damage is done to a real file of the feed (CNEMC: a real day; the others: the newest generated sample):
emptied, re-encoded as UTF-16, replaced by binary noise, cut off half-way (a partial copy), reduced to its header,
a data line doubled, a byte sequence that is no text, and for workbooks a zip bomb. Every case must raise FeedError
naming the file and the expected rule (so the file is quarantined with that reason and nothing of it is loaded);
the per-feed unit tests hold the content-level cases (units, ranges, areas, periods). The count goes into
docs/reliability.md.
"""

from __future__ import annotations

import importlib
import io
import zipfile

import pytest

from tests.conftest import real_city_file, real_station_file
from tests.reliability.conftest import FIGURES, section
from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import get_spec

CASES = [
    ('statistics__jinan_official_figures', 'empty', 'empty_file'),
    ('statistics__jinan_official_figures', 'utf16', 'encoding'),
    ('statistics__jinan_official_figures', 'header_only', 'empty_file'),
    ('statistics__jinan_official_figures', 'first_data_line_doubled', 'duplicate_key'),
    ('statistics__jinan_official_figures', 'gb18030_garbled', 'encoding'),
    ('air_quality__cnemc_city_hourly', 'empty', 'empty_file'),
    ('air_quality__cnemc_city_hourly', 'utf16', 'encoding'),
    ('air_quality__cnemc_city_hourly', 'binary_noise', 'encoding'),
    ('air_quality__cnemc_city_hourly', 'truncated_half', 'truncated_line'),
    ('air_quality__cnemc_city_hourly', 'header_only', 'no_rows'),
    ('air_quality__cnemc_city_hourly', 'first_data_line_doubled', 'duplicate_hour'),
    ('air_quality__cnemc_city_hourly', 'gb18030_garbled', 'encoding'),
    ('air_quality__cnemc_station_hourly', 'empty', 'empty_file'),
    ('air_quality__cnemc_station_hourly', 'utf16', 'encoding'),
    ('air_quality__cnemc_station_hourly', 'binary_noise', 'encoding'),
    ('air_quality__cnemc_station_hourly', 'truncated_half', 'truncated_line'),
    ('air_quality__cnemc_station_hourly', 'header_only', 'no_rows'),
    ('air_quality__cnemc_station_hourly', 'first_data_line_doubled', 'duplicate_hour'),
    ('air_quality__cnemc_station_hourly', 'gb18030_garbled', 'encoding'),
    ('departments__jinan_department_reports', 'empty', 'empty_file'),
    ('departments__jinan_department_reports', 'binary_noise', 'unreadable_xlsx'),
    ('departments__jinan_department_reports', 'truncated_half', 'unreadable_xlsx'),
    ('environment__forest_greenspace_survey', 'empty', 'empty_file'),
    ('environment__forest_greenspace_survey', 'binary_noise', 'unreadable_xlsx'),
    ('environment__forest_greenspace_survey', 'truncated_half', 'unreadable_xlsx'),
    ('environment__household_waste_records', 'empty', 'empty_file'),
    ('environment__household_waste_records', 'utf16', 'encoding'),
    ('environment__household_waste_records', 'binary_noise', 'encoding'),
    ('environment__household_waste_records', 'truncated_half', 'missing_value'),
    ('environment__household_waste_records', 'header_only', 'missing_column'),
    ('environment__household_waste_records', 'first_data_line_doubled', 'not_numeric'),
    ('environment__household_waste_records', 'gb18030_garbled', 'encoding'),
    ('environment__wastewater_plant_monthly', 'empty', 'empty_file'),
    ('environment__wastewater_plant_monthly', 'binary_noise', 'unreadable_xlsx'),
    ('environment__wastewater_plant_monthly', 'truncated_half', 'unreadable_xlsx'),
    ('statistics__jinan_bureau_district_tables', 'empty', 'empty_file'),
    ('statistics__jinan_bureau_district_tables', 'binary_noise', 'unreadable_xlsx'),
    ('statistics__jinan_bureau_district_tables', 'truncated_half', 'unreadable_xlsx'),
    ('statistics__nbs_city_annual', 'empty', 'empty_file'),
    ('statistics__nbs_city_annual', 'utf16', 'encoding'),
    ('statistics__nbs_city_annual', 'binary_noise', 'encoding'),
    ('statistics__nbs_city_annual', 'truncated_half', 'not_json'),
    ('statistics__nbs_city_annual', 'header_only', 'not_json'),
    ('statistics__nbs_city_annual', 'gb18030_garbled', 'encoding'),
    ('telecom__coverage_grid', 'empty', 'empty_file'),
    ('telecom__coverage_grid', 'binary_noise', 'unreadable_xlsx'),
    ('telecom__coverage_grid', 'truncated_half', 'unreadable_xlsx'),
    ('telecom__ookla_speedtest_fixed_tiles', 'empty', 'empty_file'),
    ('telecom__ookla_speedtest_fixed_tiles', 'utf16', 'encoding'),
    ('telecom__ookla_speedtest_fixed_tiles', 'binary_noise', 'encoding'),
    ('telecom__ookla_speedtest_fixed_tiles', 'truncated_half', 'malformed_row'),
    ('telecom__ookla_speedtest_fixed_tiles', 'header_only', 'empty_file'),
    ('telecom__ookla_speedtest_fixed_tiles', 'first_data_line_doubled', 'duplicate_key'),
    ('telecom__ookla_speedtest_fixed_tiles', 'gb18030_garbled', 'encoding'),
    ('telecom__ookla_speedtest_mobile_tiles', 'empty', 'empty_file'),
    ('telecom__ookla_speedtest_mobile_tiles', 'utf16', 'encoding'),
    ('telecom__ookla_speedtest_mobile_tiles', 'binary_noise', 'encoding'),
    ('telecom__ookla_speedtest_mobile_tiles', 'truncated_half', 'malformed_row'),
    ('telecom__ookla_speedtest_mobile_tiles', 'header_only', 'empty_file'),
    ('telecom__ookla_speedtest_mobile_tiles', 'first_data_line_doubled', 'duplicate_key'),
    ('telecom__ookla_speedtest_mobile_tiles', 'gb18030_garbled', 'encoding'),
    ('telecom__opencellid_cells', 'empty', 'empty_file'),
    ('telecom__opencellid_cells', 'utf16', 'encoding'),
    ('telecom__opencellid_cells', 'binary_noise', 'encoding'),
    ('telecom__opencellid_cells', 'truncated_half', 'malformed_row'),
    ('telecom__opencellid_cells', 'header_only', 'empty_file'),
    ('telecom__opencellid_cells', 'first_data_line_doubled', 'duplicate_key'),
    ('telecom__opencellid_cells', 'gb18030_garbled', 'encoding'),
    ('telecom__operator_district_reports', 'empty', 'empty_file'),
    ('telecom__operator_district_reports', 'binary_noise', 'unreadable_xlsx'),
    ('telecom__operator_district_reports', 'truncated_half', 'unreadable_xlsx'),
    ('departments__jinan_department_reports', 'zip_bomb', 'zip_bomb'),
    ('environment__forest_greenspace_survey', 'zip_bomb', 'zip_bomb'),
    ('environment__wastewater_plant_monthly', 'zip_bomb', 'zip_bomb'),
    ('statistics__jinan_bureau_district_tables', 'zip_bomb', 'zip_bomb'),
    ('telecom__coverage_grid', 'zip_bomb', 'zip_bomb'),
    ('telecom__operator_district_reports', 'zip_bomb', 'zip_bomb'),
]


def _sample(feed_id: str) -> tuple[str, bytes]:
    if feed_id == "air_quality__cnemc_city_hourly":
        return "china_cities_20200101.csv", real_city_file("20200101")
    if feed_id == "air_quality__cnemc_station_hourly":
        return "china_sites_20190101.csv", real_station_file("20190101")
    from urbanmon.cli import generated_samples, sample_members

    if feed_id == "statistics__jinan_official_figures":  # a real sample, shipped as a plain CSV
        return next((name, data) for feed, name, data in sample_members() if feed == feed_id)
    return sorted(generated_samples(feed_id).items())[-1]


def _damage(kind: str, raw: bytes) -> bytes:
    lines = raw.split(b"\n")
    if kind == "empty":
        return b""
    if kind == "utf16":
        return raw.decode("utf-8", "replace").encode("utf-16")
    if kind == "binary_noise":
        return b"\x00\x01\x02\xff" * 100
    if kind == "truncated_half":
        return raw[: len(raw) // 2]
    if kind == "header_only":
        return lines[0] + b"\n"
    if kind == "first_data_line_doubled":
        return b"\n".join(lines[:2] + lines[1:])
    if kind == "gb18030_garbled":
        return raw.replace(b"\n", b"\n\xff\xfe", 1)
    if kind == "zip_bomb":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024**2))
        return buffer.getvalue()
    raise ValueError(kind)


SAMPLES: dict[str, tuple[str, bytes]] = {}


@pytest.mark.parametrize(("feed_id", "damage", "rule"), CASES, ids=[f"{f}-{d}" for f, d, _ in CASES])
def test_bad_input_is_refused_with_its_rule(feed_id, damage, rule, tmp_path):
    spec = get_spec(feed_id)
    if feed_id not in SAMPLES:
        SAMPLES[feed_id] = _sample(feed_id)
    name, raw = SAMPLES[feed_id]
    path = tmp_path / name
    path.write_bytes(_damage(damage, raw))
    module, func = spec.adapter.rsplit(".", 1)
    with pytest.raises(FeedError) as err:
        getattr(importlib.import_module(module), func)(path, spec, name)
    assert err.value.rule == rule, str(err.value)
    assert err.value.file == name and name in str(err.value) and f"[{rule}]" in str(err.value)
    FIGURES.setdefault("catalogue", {})[f"{feed_id}-{damage}"] = rule


def test_catalogue_size():
    feeds = {f for f, _, _ in CASES}
    assert len(CASES) >= 40
    assert feeds == set(__import__("urbanmon.feeds.spec", fromlist=["load_specs"]).load_specs())
    rules = sorted({r for _, _, r in CASES})
    section("Bad-input catalogue", [
        f"{len(CASES)} cases over {len(feeds)} feeds (tests/reliability/test_bad_input_catalogue.py), each a damaged "
        f"real or sample file that the feed's adapter must refuse naming the file and the rule; rules: "
        f"{', '.join(rules)}. Hostile landing input (symlinks, non-UTF-8 and '..' names, oversized files, files "
        "still being written, files changing while archived, zip bombs through ingest): tests/unit/"
        "test_hostile_landing.py.",
    ])
