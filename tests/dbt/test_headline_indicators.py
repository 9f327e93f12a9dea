"""Every headline indicator whose feed is implemented: city values for the sample years, the 2020 value equal to the
plan's baseline at the plan's precision, district values where the indicator exists per district, and cross-feed
consistency (districts add up to the city)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from urbanmon import registry
from urbanmon.feeds.spec import load_specs
from urbanmon.synth import DISTRICTS, YEARS

REAL_2020 = {"air_quality_good_days_ratio"}  # its 2020 value comes from the real CNEMC files


def implemented() -> list[registry.Indicator]:
    feeds = {f for f, s in load_specs().items() if s.generator}
    return [i for i in registry.load().indicators.values()
            if i.kind == "headline" and i.feed in feeds and i.code not in REAL_2020]


def test_some_headline_indicators_are_implemented():
    assert len(implemented()) >= 4


@pytest.mark.parametrize("indicator", implemented(), ids=lambda i: i.code)
def test_city_values_for_every_sample_year_and_the_baseline(dbt_build, indicator):
    with dbt_build.connect() as con:
        values = dict(con.execute(
            "select year, value from serving.indicator_values where indicator_code = ? and area_code = '370100' "
            "and is_primary_series", [indicator.code]).fetchall())
        flags = set(con.execute(
            "select distinct value_source, is_synthetic from serving.indicator_values where indicator_code = ?",
            [indicator.code]).fetchall())
    assert set(YEARS) <= set(values), sorted(values)
    # computed from the generated sample: marked all the way; a published figure (the real sample of official
    # figures) is real
    assert ("sample", True) in flags and flags <= {("sample", True), ("official", False)}, flags
    if indicator.baseline_value is not None and indicator.baseline_qualifier is None:
        text = indicator.baseline_text.rstrip("*")
        half_unit = Decimal(1).scaleb(Decimal(text).as_tuple().exponent) / 2
        assert abs(Decimal(str(values[2020])) - Decimal(text)) <= half_unit, (values[2020], text)


@pytest.mark.parametrize("indicator", [i for i in implemented() if i.per_district], ids=lambda i: i.code)
def test_district_values_where_the_indicator_exists_per_district(dbt_build, indicator):
    with dbt_build.connect() as con:
        rows = con.execute(
            "select area_code, count(distinct year) from serving.indicator_values where indicator_code = ? "
            "and area_code in (select unnest(?::varchar[])) group by 1", [indicator.code, list(DISTRICTS)]).fetchall()
    assert dict(rows) == {d: len(YEARS) for d in DISTRICTS}


def test_districts_add_up_to_the_city_population(dbt_build):
    with dbt_build.connect() as con:
        rows = con.execute(
            # the data add up before rounding; each shown figure is then rounded to one decimal on its own
            "select year, sum(value_unrounded) filter (where area_code <> '370100'), "
            "max(value_unrounded) filter (where area_code = '370100') from serving.indicator_values "
            "where indicator_code = 'resident_population_year_end' and area_code in "
            "(select area_code from registry.registry_areas where area_kind in ('city', 'county')) "
            "group by year order by year").fetchall()
    assert [r[0] for r in rows] == list(YEARS)
    for year, districts, city in rows:
        assert districts == pytest.approx(city, abs=0.005), year


def test_air_quality_is_real_in_2020_and_synthetic_after(dbt_build):
    with dbt_build.connect() as con:
        rows = dict(con.execute(
            "select year, is_synthetic from serving.indicator_values where indicator_code = "
            "'air_quality_good_days_ratio' and area_code = '370100' and is_primary_series").fetchall())
    assert rows[2020] is False
    assert {y: rows.get(y) for y in range(2021, 2026)} == dict.fromkeys(range(2021, 2026), True)
