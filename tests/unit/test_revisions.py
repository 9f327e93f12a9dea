"""Revisions: a corrected file for a period already loaded supersedes the old values and the history is kept
(ops.file_revisions: which file's values were known from when until which file replaced them)."""

from __future__ import annotations

import duckdb

from tests.conftest import real_city_file
from urbanmon import ingest, landing
from urbanmon.feeds.spec import get_spec
from urbanmon.settings import paths

CITY = get_spec("air_quality__cnemc_city_hourly")


def _land(name: str, data: bytes):
    folder = landing.landing_dir(CITY)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def _q(sql: str):
    con = duckdb.connect(str(paths().build_db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_corrected_file_supersedes_and_history_names_both_files(data_dir):
    original = real_city_file("20200102")
    _land("china_cities_20200102.csv", original)
    [first] = ingest.archive_landing(CITY.feed_id)
    ingest.ingest_pending(CITY.feed_id, validate=False)
    # the bureau corrects one figure: the first hour's AQI of the first city, whichever file this is (the national
    # file of ../shared or the shipped Shandong sample), goes up by one
    header, first_line = original.decode("utf-8-sig").splitlines()[:2]
    city = header.split(",")[3]
    date, hour, kind, aqi = first_line.split(",")[:4]
    assert (date, hour, kind) == ("20200102", "0", "AQI") and aqi.isdigit()
    old_prefix = f"20200102,0,AQI,{aqi},".encode()
    corrected = original.replace(old_prefix, f"20200102,0,AQI,{int(aqi) + 1},".encode(), 1)
    assert corrected != original
    _land("china_cities_20200102.csv", corrected)
    [second] = ingest.archive_landing(CITY.feed_id)
    result = ingest.ingest_pending(CITY.feed_id, validate=False)
    assert result.superseded == ["china_cities_20200102.csv"]
    assert _q(f"select distinct source_file_sha256 from {CITY.raw_table}") == [(second.sha256,)]
    [rev] = _q("select feed_id, period, old_sha256, new_sha256, old_received_at < new_received_at "
               "from ops.file_revisions")
    assert rev == (CITY.feed_id, "20200102", first.sha256, second.sha256, True)
    # the value history: the old file's rows kept as loaded, with when and by which file they were replaced
    raw, history = CITY.raw_table, "history." + CITY.raw_table.rsplit(".", 1)[-1]
    first_row = ("select {} from {} where report_date = '2020-01-02' and report_hour = 0 and location = '{}' "
                 "order by source_file_sha256")
    assert _q(first_row.format("aqi", raw, city)) == [(int(aqi) + 1.0,)]
    assert _q(first_row.format("aqi, source_file_sha256, superseded_by_sha256, superseded_at is not null",
                               history, city)) == [(float(aqi), first.sha256, second.sha256, True)]
    # both versions stay in the archive: the old values can always be read again
    assert (paths().data / first.archive_path).exists() and (paths().data / second.archive_path).exists()


def test_two_versions_in_one_batch_later_one_wins_and_is_recorded(data_dir):
    original = real_city_file("20200103")
    _land("china_cities_20200103.csv", original)
    [first] = ingest.archive_landing(CITY.feed_id)
    _land("china_cities_20200103.csv", original.replace(b"\n", b"\r\n"))
    [second] = ingest.archive_landing(CITY.feed_id)
    ingest.ingest_pending(CITY.feed_id, validate=False)
    assert _q(f"select distinct source_file_sha256 from {CITY.raw_table}") == [(second.sha256,)]
    assert _q("select period, old_sha256, new_sha256 from ops.file_revisions") == [
        ("20200103", first.sha256, second.sha256)]
