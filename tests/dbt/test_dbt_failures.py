"""A failing dbt build explained in words: the check's own description, the failing rows, what to do — no terminal
escape codes, no SKIP lines (the full log stays in dbt.log). Real dbt on a copy of the session build."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.dbt.conftest import CITY_FEED, data_dir_env, ingest_files
from urbanmon import pipeline

NBS_FEED = "statistics__nbs_city_annual"


def nbs_resent_with_more_population() -> tuple[str, bytes]:
    """NBS re-sends 2022 with 0.1 万人 more: valid alone, but the district tables no longer add up to it."""
    from urbanmon.cli import generated_samples

    name = "synthetic_nbs_csnd_jinan_2022.json"
    doc = json.loads(generated_samples(NBS_FEED)[name])
    population = next(n for n in doc["returndata"]["datanodes"] if n["code"].startswith("zb.A030101_"))
    population["data"]["data"] = round(population["data"]["data"] + 0.1, 2)
    return name, json.dumps(doc, ensure_ascii=False, indent=1).encode()


def test_a_failing_data_test_is_named_in_words(dbt_build, scratch):
    assert dbt_build.returncode == 0, dbt_build.output[-4000:]
    data = scratch / "data"
    shutil.copytree(dbt_build.data, data)
    name, content = nbs_resent_with_more_population()
    ingest_files(data, NBS_FEED, {name: content})
    with data_dir_env(data), pytest.raises(pipeline.DbtBuildFailed) as failed:
        pipeline.dbt_build(pipeline.BuildPlan(False, [], [NBS_FEED]))
    message = str(failed.value)
    assert "\x1b" not in message and "SKIP" not in message
    assert "数据测试 values_between_fct_city_population_consistency_nbs_minus_city_row_wan" in message
    assert "行不符合" in message and "处理建议" in message and "dbt.log" in message
    # a generic test in words: the check, the model and column, its bounds and the column's own description
    assert "values_between on fct_city_population_consistency.nbs_minus_city_row_wan" in message
    assert {f.kind for f in failed.value.failures} == {"test"}


def test_a_new_file_that_breaks_a_data_test_is_quarantined_and_the_rest_published(dbt_build, scratch):
    """One run, two new files: NBS re-sends 2022 with 0.1 万人 more (valid alone; the district tables no longer add
    up to it: a cross-feed data test fails) and a good CNEMC day. The NBS file is traced and quarantined with the
    test in words; its earlier version comes back; the CNEMC day is published in the same run."""
    import datetime as dt

    import duckdb

    assert dbt_build.returncode == 0, dbt_build.output[-4000:]
    data = scratch / "data"
    shutil.copytree(dbt_build.data, data)
    nbs_feed = NBS_FEED
    name, content = nbs_resent_with_more_population()
    day = sorted(dbt_build.city_files)[0]
    good = dbt_build.city_files[day].replace(day.encode(), b"20200316")
    with data_dir_env(data):
        # the session's build is the last good one (as the pipeline records its own builds)
        pipeline._record_build("session", dt.datetime.now(dt.UTC), False, [], pipeline.dbt_project_hash(),
                               "success", None)
        ingest_files(data, nbs_feed, {name: content})
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
