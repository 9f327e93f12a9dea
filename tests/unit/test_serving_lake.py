"""The DuckLake serving store (ADR 0014): a publication writes only what changed, the operations refresh writes no
data table, readers see whole versions, a sealed reader reads the lake and nothing else, a citation reopens."""

from __future__ import annotations

import datetime as dt
import json
import threading

import duckdb
import pytest

pytest.importorskip("duckdb_extension_ducklake")
from urbanmon import serving_lake  # noqa: E402

DAYS = [dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in range(10)]


def make_build(path, shift: dict | None = None) -> None:
    """A build database: serving.air_quality_hourly (24 rows a day for DAYS), serving.area_catalog, ops.files.
    ``shift``: {date: added value} changes that day's hourly rows."""
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists serving")
    con.execute("create schema if not exists ops")
    con.execute("create or replace table serving.air_quality_hourly as select d::date as report_date, h as hour, "
                "(h + day(d))::double as pm2_5 from unnest(?::date[]) as u(d), range(24) as r(h)", [DAYS])
    for day, added in (shift or {}).items():
        con.execute("update serving.air_quality_hourly set pm2_5 = pm2_5 + ? where report_date = ?", [added, day])
    con.execute("create or replace table serving.area_catalog as select '370102' as area_code, '历下区' as name")
    con.execute("create or replace table ops.files as select 'f1' as name, 'loaded' as state")
    con.close()


def changes(lake, version: int) -> dict:
    con = serving_lake.connect(lake)
    try:
        row = con.execute("select changes from lake.snapshots() where snapshot_id = ?", [version]).fetchone()[0]
    finally:
        con.close()
    return {k: v for k, v in row.items()}


def test_a_one_day_change_writes_that_day_only(tmp_path):
    build, lake = tmp_path / "build.duckdb", tmp_path / "lake"
    make_build(build)
    first = serving_lake.publish_version(build, lake)
    assert set(first["written"]) == {"air_quality_hourly", "area_catalog"}

    make_build(build, shift={DAYS[3]: 100.0})
    second = serving_lake.publish_version(build, lake, changed_dates=[str(DAYS[3])])
    assert second["written"] == {"air_quality_hourly": "dates"}
    assert second["unchanged"] == ["area_catalog"]
    touched = json.dumps(changes(lake, second["version"]), default=str)
    assert "area_catalog" not in touched  # the unchanged table is not rewritten
    con = serving_lake.connect(lake)
    try:
        assert con.execute("select count(*) from air_quality_hourly").fetchone()[0] == 24 * len(DAYS)
        assert con.execute("select sum(pm2_5) - (select sum(pm2_5) from air_quality_hourly at (version => ?)) "
                           "from air_quality_hourly", [first["version"]]).fetchone()[0] == pytest.approx(2400.0)
        # the new version's rows are the build's, exactly
        con.execute(f"attach '{build}' as build (read_only)")
        assert con.execute("select count(*) from (select * from lake.air_quality_hourly except all "
                           "select * from build.serving.air_quality_hourly)").fetchone()[0] == 0
    finally:
        con.close()


def test_without_dates_an_unchanged_build_writes_nothing(tmp_path):
    build, lake = tmp_path / "build.duckdb", tmp_path / "lake"
    make_build(build)
    serving_lake.publish_version(build, lake)
    again = serving_lake.publish_version(build, lake)
    assert again["written"] == {}
    assert sorted(again["unchanged"]) == ["air_quality_hourly", "area_catalog"]


def test_the_operations_refresh_writes_no_data_table(tmp_path):
    build, lake = tmp_path / "build.duckdb", tmp_path / "lake"
    make_build(build)
    serving_lake.publish_version(build, lake)
    version = serving_lake.refresh_operations(build, lake)
    touched = json.dumps(changes(lake, version), default=str)
    assert "ops_files" in touched
    assert "air_quality_hourly" not in touched and "area_catalog" not in touched


def test_a_reader_keeps_its_version_while_a_publication_commits(tmp_path):
    build, lake = tmp_path / "build.duckdb", tmp_path / "lake"
    make_build(build)
    first = serving_lake.publish_version(build, lake)
    reader = serving_lake.connect(lake, sealed=True)
    try:
        reader.execute("begin")
        before = reader.execute("select sum(pm2_5) from air_quality_hourly").fetchone()[0]
        make_build(build, shift={DAYS[0]: 1.0})
        # the catalog is in WAL mode: the publisher commits while the reader's transaction is open (it would be
        # refused with 'database is locked' in SQLite's default journal), the reader keeps its version meanwhile
        ender = threading.Timer(2.0, lambda: (
            seen.append(reader.execute("select sum(pm2_5) from air_quality_hourly").fetchone()[0]),
            reader.execute("commit")))
        seen: list[float] = []
        ender.start()
        serving_lake.publish_version(build, lake, changed_dates=[str(DAYS[0])])
        ender.join()
        assert seen == [before]  # inside its transaction the reader kept its version
        assert reader.execute("select sum(pm2_5) from air_quality_hourly").fetchone()[0] == before + 24
    finally:
        reader.close()
    old = serving_lake.connect(lake, at_version=first["version"])  # a citation reopens its version
    try:
        assert old.execute("select sum(pm2_5) from air_quality_hourly").fetchone()[0] == before
    finally:
        old.close()


def test_a_sealed_reader_reads_the_lake_and_nothing_else(tmp_path):
    build, lake = tmp_path / "build.duckdb", tmp_path / "lake"
    make_build(build)
    serving_lake.publish_version(build, lake)
    con = serving_lake.connect(lake, sealed=True)
    try:
        assert con.execute("select name from area_catalog").fetchone()[0] == "历下区"
        with pytest.raises(duckdb.Error, match="disabled by configuration"):
            con.execute("select * from read_csv('/etc/passwd')").fetchall()
        with pytest.raises(duckdb.Error):
            con.execute(f"attach '{build}' as b (read_only)")
        with pytest.raises(duckdb.Error):
            con.execute("set enable_external_access = true")
        with pytest.raises(duckdb.Error):
            con.execute("insert into area_catalog values ('x', 'y')")
    finally:
        con.close()


def test_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no serving lake"):
        serving_lake.connect(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="no build database"):
        serving_lake.publish_version(tmp_path / "missing.duckdb", tmp_path / "lake")
    with pytest.raises(ValueError, match="read_only"):
        serving_lake.connect(tmp_path, read_only=False, sealed=True)
