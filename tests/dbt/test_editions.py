"""Frozen evaluation editions keep their content after new data and revisions arrive (in-process pipeline code)."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from tests.dbt.conftest import CITY_FEED, data_dir_env, ingest_files, run_dbt
from tests.dbt.test_dbt_incremental import corrected
from urbanmon import editions, pipeline, publish


def jinan_2020(path) -> tuple[float, float]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "select value, numerator from indicator_values where indicator_code = 'air_quality_good_days_ratio' "
            "and area_code = '370100' and year = 2020 and is_primary_series").fetchone()


def edition_jinan_2020(path, edition_id) -> tuple[float, float]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "select value, numerator from edition_indicator_values where edition_id = ? and "
            "indicator_code = 'air_quality_good_days_ratio' and area_code = '370100' and year = 2020 "
            "and is_primary_series", [edition_id]).fetchone()


def test_a_frozen_edition_survives_a_revision(dbt_build, scratch):
    assert dbt_build.returncode == 0, dbt_build.output[-4000:]
    data = scratch / "data"
    shutil.copytree(dbt_build.data, data)
    work = dbt_build.target.parent
    with data_dir_env(data):
        publish.publish_snapshot()
        pipeline.publish_operations()  # the file ledger an edition records as its data versions
        serving = data / "serving" / "warehouse.duckdb"
        before = jinan_2020(serving)

        with pytest.raises(editions.EditionError, match="mid-term edition is the evaluation of 2025"):
            editions.freeze("mid-term", 2024, "编辑甲")
        with pytest.raises(editions.EditionError, match="no assessed data for 2031"):
            editions.freeze("annual", 2031, "编辑甲")
        frozen = editions.freeze("annual", 2020, "编辑甲", "2020年度评估")
        assert frozen["edition_id"] == "annual-2020-v1"
        assert frozen["row_counts"]["indicator_progress"] > 0 and frozen["row_counts"]["indicator_catalog"] > 0
        assert [c["ok"] for c in editions.verify()] == [True]

        # a corrected file for a day already loaded: Jinan's PM2.5 raised, 2020-01-01 is no longer a good day
        ingest_files(data, CITY_FEED, {"china_cities_20200101.csv": corrected(dbt_build.city_files["20200101"])})
        code, output, _ = run_dbt(data, work, changed_report_dates=["2020-01-01"])
        assert code == 0, output[-4000:]
        publish.publish_snapshot()
        after = jinan_2020(serving)
        assert after != before and after[1] == before[1] - 1

        # the edition still holds what it froze, with the hash recorded at freezing
        assert edition_jinan_2020(serving, "annual-2020-v1") == before
        checks = editions.verify()
        assert [(c["edition_id"], c["ok"], c["recomputed"]) for c in checks] == [
            ("annual-2020-v1", True, frozen["content_sha256"])]

        # freezing again makes a new version beside it; the first is untouched
        again = editions.freeze("annual", 2020, "编辑乙")
        assert again["edition_id"] == "annual-2020-v2" and again["content_sha256"] != frozen["content_sha256"]
        assert edition_jinan_2020(serving, "annual-2020-v2") == after
        assert edition_jinan_2020(serving, "annual-2020-v1") == before
        assert all(c["ok"] for c in editions.verify())
        with duckdb.connect(str(serving), read_only=True) as con:
            register = con.execute(
                "select edition_id, edition, year, created_by, source_snapshot_id is not null, files_loaded > 0 "
                "from evaluation_editions order by edition_id").fetchall()
        assert register == [("annual-2020-v1", "annual", 2020, "编辑甲", True, True),
                            ("annual-2020-v2", "annual", 2020, "编辑乙", True, True)]
