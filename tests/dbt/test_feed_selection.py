"""A file of one feed rebuilds the indicators that depend on it, and only those (the pipeline's own build step,
checked on what dbt ran: run_results.json, recorded in ops.build_nodes)."""

from __future__ import annotations

import shutil

import duckdb

from tests.dbt.conftest import data_dir_env, ingest_files
from urbanmon import pipeline, synth

FEED = "statistics__jinan_bureau_district_tables"


def revised_2022_table() -> bytes:
    """The bureau re-sends 2022 with 历下区's urban population corrected."""
    from urbanmon.cli import generated_samples

    original = generated_samples(FEED)["synthetic_jinan_district_population_income_2022.csv"]
    rows = [line.split(",") for line in original.decode("utf-8").split("\r\n")]
    for row in rows:
        if row[0] == "历下区":
            row[2] = f"{float(row[2]) - 5:.2f}"
    return synth.csv_bytes(rows)


def test_a_statistics_file_rebuilds_only_what_depends_on_it(dbt_build, scratch):
    assert dbt_build.returncode == 0, dbt_build.output[-4000:]
    data = scratch / "data"
    shutil.copytree(dbt_build.data, data)
    with data_dir_env(data):
        first = pipeline.transform_validate_publish("run-full")
        assert first["full_refresh"] is True
        ingest_files(data, FEED, {"synthetic_jinan_district_population_income_2022.csv": revised_2022_table()})
        second = pipeline.transform_validate_publish("run-statistics")
    assert second["full_refresh"] is False and second["feeds"] == [FEED]
    with duckdb.connect(str(data / "build" / "warehouse.duckdb"), read_only=True) as con:
        ran = {r[0] for r in con.execute(
            "select unique_id from ops.build_nodes where run_id = 'run-statistics'").fetchall()}
        full = {r[0] for r in con.execute(
            "select unique_id from ops.build_nodes where run_id = 'run-full'").fetchall()}
        value = con.execute(
            "select numerator from serving.indicator_values where indicator_code = 'urbanization_rate_resident_pct' "
            "and area_code = '370102' and year = 2022").fetchone()[0]
    assert "model.urbanmon.indicator_values" in ran and "model.urbanmon.int_indicator_progress" in ran
    assert "model.urbanmon.indicator_progress" in ran and "model.urbanmon.district_scores" in ran
    assert not [n for n in ran if "air_quality" in n or "aqi" in n], sorted(ran)
    assert len(ran) < len(full) / 2
    original = [line.split(",") for line in revised_2022_table().decode().split("\r\n") if line.startswith("历下区")]
    assert value == float(original[0][2])
