"""The NBS city series cross-checks the district tables (fct_city_population_consistency): the generated samples
agree every year, and a difference of more than 0.05 万人 fails the dbt data test."""

from __future__ import annotations

import json
import shutil

import duckdb

from tests.dbt.conftest import ingest_files, run_dbt
from urbanmon.synth import YEARS

FEED = "statistics__nbs_city_annual"


def test_the_nbs_series_agrees_with_the_district_tables_every_year(dbt_build):
    assert dbt_build.returncode == 0, dbt_build.output[-4000:]
    with dbt_build.connect() as con:
        rows = con.execute(
            "select year, nbs_population_wan, city_row_population_wan, district_sum_population_wan, is_consistent, "
            "is_synthetic from marts.fct_city_population_consistency order by year").fetchall()
    assert [r[0] for r in rows] == list(YEARS)
    for year, nbs, city_row, district_sum, consistent, synthetic in rows:
        assert nbs == city_row == district_sum, year
        assert consistent and synthetic, year


def test_a_difference_beyond_5_hundredths_of_a_wan_fails_the_data_test(dbt_build, scratch):
    """NBS re-sends 2022 with 0.1 万人 more: the consistency table shows it and its data test fails."""
    from urbanmon.cli import generated_samples

    name = "synthetic_nbs_csnd_jinan_2022.json"
    doc = json.loads(generated_samples(FEED)[name])
    population = next(n for n in doc["returndata"]["datanodes"] if n["code"].startswith("zb.A030101_"))
    population["data"]["data"] = round(population["data"]["data"] + 0.1, 2)
    data = scratch / "data"
    shutil.copytree(dbt_build.data, data)
    ingest_files(data, FEED, {name: json.dumps(doc, ensure_ascii=False, indent=1).encode()})

    returncode, output, _ = run_dbt(data, dbt_build.target.parent, "--select", "fct_city_population_consistency",
                                    "--exclude", "resource_type:unit_test", "--no-write-json")
    assert returncode != 0
    assert "values_between_fct_city_population_consistency_nbs_minus_city_row_wan" in output
    assert "values_between_fct_city_population_consistency_nbs_minus_district_sum_wan" in output
    with duckdb.connect(str(data / "build" / "warehouse.duckdb"), read_only=True) as con:
        row = con.execute(
            "select nbs_minus_city_row_wan, nbs_minus_district_sum_wan, is_consistent "
            "from marts.fct_city_population_consistency where year = 2022").fetchone()
    assert row == (0.1, 0.1, False)
