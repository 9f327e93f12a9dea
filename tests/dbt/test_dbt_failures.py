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
