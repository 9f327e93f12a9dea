"""A failing dbt build explained in words: the check's own description, the failing rows, what to do — no terminal
escape codes, no SKIP lines (the full log stays in dbt.log). Real dbt on a copy of the session build."""

from __future__ import annotations

import shutil

import pytest

from tests.dbt.conftest import CITY_FEED, data_dir_env, ingest_files
from urbanmon import pipeline


def test_a_failing_data_test_is_named_in_words(dbt_build, scratch):
    assert dbt_build.returncode == 0, dbt_build.output[-4000:]
    data = scratch / "data"
    shutil.copytree(dbt_build.data, data)
    # a synthetic file for a day of 2020, a year the real CNEMC files hold: the year would mix real and sample data
    day = sorted(dbt_build.city_files)[0]
    content = dbt_build.city_files[day].replace(day.encode(), b"20200315")
    ingest_files(data, CITY_FEED, {"synthetic_china_cities_20200315.csv": content})
    with data_dir_env(data), pytest.raises(RuntimeError) as failed:
        pipeline.dbt_build(pipeline.BuildPlan(False, ["2020-03-15"], [CITY_FEED]))
    message = str(failed.value)
    assert "\x1b" not in message and "SKIP" not in message
    assert "数据测试 assert_no_year_mixes_real_and_synthetic_air_files" in message
    assert "行不符合" in message and "处理建议" in message and "dbt.log" in message
    # the check's own words (the leading comment of its SQL file), not only its generated name
    sql = (pipeline.DBT_PROJECT_DIR / "tests" / "assert_no_year_mixes_real_and_synthetic_air_files.sql").read_text(
        encoding="utf-8")
    first_words = sql.splitlines()[0].lstrip("- ").strip()[:20]
    assert first_words and first_words in message


def test_a_new_file_that_breaks_a_data_test_is_quarantined_and_the_rest_published(dbt_build, scratch):
    """One run, two new files: NBS re-sends 2022 with 0.1 万人 more (valid alone; the district tables no longer add
    up to it: a cross-feed data test fails) and a good CNEMC day. The NBS file is traced and quarantined with the
    test in words; its earlier version comes back; the CNEMC day is published in the same run."""
    import datetime as dt
    import json

    import duckdb

    from urbanmon.cli import generated_samples

    assert dbt_build.returncode == 0, dbt_build.output[-4000:]
    data = scratch / "data"
    shutil.copytree(dbt_build.data, data)
    nbs_feed, name = "statistics__nbs_city_annual", "synthetic_nbs_csnd_jinan_2022.json"
    doc = json.loads(generated_samples(nbs_feed)[name])
    population = next(n for n in doc["returndata"]["datanodes"] if n["code"].startswith("zb.A030101_"))
    population["data"]["data"] = round(population["data"]["data"] + 0.1, 2)
    day = sorted(dbt_build.city_files)[0]
    good = dbt_build.city_files[day].replace(day.encode(), b"20200316")
    with data_dir_env(data):
        # the session's build is the last good one (as the pipeline records its own builds)
        pipeline._record_build("session", dt.datetime.now(dt.UTC), False, [], pipeline.dbt_project_hash(),
                               "success", None)
        ingest_files(data, nbs_feed, {name: json.dumps(doc, ensure_ascii=False, indent=1).encode()})
        ingest_files(data, CITY_FEED, {"china_cities_20200316.csv": good})
        result = pipeline.transform_validate_publish("fault-matrix")
    assert result["quarantined"] == [name]
    with duckdb.connect(str(data / "build" / "warehouse.duckdb"), read_only=True) as con:
        ledger = con.execute("select name, state, rule, error from ops.files where name in (?, ?) "
                             "order by processed_at", [name, "china_cities_20200316.csv"]).fetchall()
        raw_2022 = con.execute(f"select distinct source_file_sha256 from raw.{nbs_feed} "
                               "where year(period_start) = 2022").fetchall()
        bad_sha = next(sha for n, sha in con.execute(
            "select name, sha256 from ops.files where state = 'quarantined'").fetchall() if n == name)
    states = {(n, s) for n, s, _, _ in ledger}
    assert (name, "quarantined") in states and (name, "loaded") in states  # the earlier version is back
    assert ("china_cities_20200316.csv", "loaded") in states
    error = next(e for n, s, r, e in ledger if s == "quarantined")
    assert "[dbt_test]" in error and "values_between" in error and "fct_city_population_consistency" in error
    assert "不符合的行" in error and "\x1b" not in error
    assert len(raw_2022) == 1 and raw_2022[0][0] != bad_sha  # 2022 comes from the earlier version alone
    with duckdb.connect(str(data / "serving" / "warehouse.duckdb"), read_only=True) as con:
        published = con.execute("select count(*) from air_quality_daily where date = '2020-03-16' "
                                "and location_id = '济南' and standard = 'HJ 633-2012'").fetchone()[0]
    assert published == 1 and result["snapshot_id"]
    assert list((data / "quarantine" / nbs_feed).rglob(name))
