"""Incremental builds: after a day's raw rows change (a corrected file supersedes the loaded one, or a file's rows
are taken out again), ``dbt build`` for that one report date gives exactly the tables of a full rebuild."""

from __future__ import annotations

import csv
import io
import shutil

import duckdb
import pytest

from tests.dbt.conftest import CITY_FEED, ingest_files, run_dbt

# every table an incremental build writes or rewrites (the rest are views or seeds)
COMPARED_SCHEMAS = ("serving", "marts", "intermediate")


def table_contents(database) -> dict[str, list[tuple]]:
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name in ? order by 1, 2",
            [list(COMPARED_SCHEMAS)]).fetchall()
        return {f"{s}.{t}": con.execute(f"select * from {s}.{t} order by all").fetchall() for s, t in tables}


def corrected(content: bytes) -> bytes:
    """A resent file: Jinan's PM2.5 raised by 40 µg/m³ every hour, Qingdao's hour 12 blanked (rows disappear)."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    header = rows[0]
    jinan, qingdao = header.index("济南"), header.index("青岛")
    for row in rows[1:]:
        if row[2] in ("PM2.5", "PM2.5_24h") and row[jinan].strip():
            row[jinan] = str(int(float(row[jinan])) + 40)
        if row[1] == "12":
            row[qingdao] = ""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.fixture
def dbt_work(dbt_build):
    """The session build's dbt target and logs: same project, so dbt keeps its partial parse."""
    return dbt_build.target.parent


@pytest.fixture
def built_copy(dbt_build, scratch):
    """A private copy of the session build (raw tables, ledger, archive and built tables)."""
    assert dbt_build.returncode == 0, dbt_build.output[-4000:]
    data = scratch / "data"
    shutil.copytree(dbt_build.data, data)
    return data


def assert_incremental_equals_full(data, work, dates: list[str]) -> None:
    code, output, _ = run_dbt(data, work, changed_report_dates=dates)
    assert code == 0 and "ERROR=0" in output, output[-4000:]
    incremental = table_contents(data / "build" / "warehouse.duckdb")
    # the reference: every table rebuilt from raw (dbt run: the tests ran on the incremental build)
    code, output, _ = run_dbt(data, work, "--full-refresh", "--no-write-json", command="run")
    assert code == 0 and "ERROR=0" in output, output[-4000:]
    full = table_contents(data / "build" / "warehouse.duckdb")
    assert set(incremental) == set(full) and "serving.air_quality_hourly" in full
    for table in full:
        assert incremental[table] == full[table], table


def test_corrected_day_rebuilds_like_a_full_refresh(dbt_build, built_copy, dbt_work):
    before = table_contents(built_copy / "build" / "warehouse.duckdb")
    result = ingest_files(built_copy, CITY_FEED,
                          {"china_cities_20200102.csv": corrected(dbt_build.city_files["20200102"])})
    assert result["superseded"] == ["china_cities_20200102.csv"]
    assert_incremental_equals_full(built_copy, dbt_work, ["2020-01-02"])
    after = table_contents(built_copy / "build" / "warehouse.duckdb")
    assert after["serving.air_quality_daily"] != before["serving.air_quality_daily"]  # the change went through
    with duckdb.connect(str(built_copy / "build" / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute(
            "select count(*) from serving.air_quality_hourly where location_id = '青岛' "
            "and report_date = '2020-01-02' and report_hour = 12").fetchone()[0] == 0
        assert con.execute(
            "select count(distinct source_file_sha256) from serving.air_quality_hourly "
            "where report_date = '2020-01-02'").fetchone()[0] == 1


def test_deleted_day_disappears_like_a_full_refresh(built_copy, dbt_work):
    database = built_copy / "build" / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:  # what quarantine_loaded does to a file that broke a mart check
        con.execute("delete from raw.air_quality__cnemc_city_hourly where report_date = '2020-01-03'")
    assert_incremental_equals_full(built_copy, dbt_work, ["2020-01-03"])
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select count(*) from serving.air_quality_hourly where location_type = 'city' "
                           "and report_date = '2020-01-03'").fetchone()[0] == 0
        # calendar day 2020-01-02 lost its hour 24 (hour 0 of the deleted file)
        assert con.execute("select valid_hours_pm2_5 from serving.air_quality_daily where location_id = '济南' "
                           "and date = '2020-01-02' and standard = 'HJ 633-2012'").fetchone()[0] == 23


    # nothing changed since: an incremental build with no dates leaves every table as it is
    before = table_contents(database)
    code, output, _ = run_dbt(built_copy, dbt_work, changed_report_dates=[])
    assert code == 0 and "ERROR=0" in output, output[-4000:]
    assert table_contents(database) == before
