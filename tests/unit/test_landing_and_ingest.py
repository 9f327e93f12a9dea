"""Landing -> archive -> ingest, without Airflow: completeness, archiving, idempotence, quarantine, supersession."""

from __future__ import annotations

import hashlib
import os
import time

import duckdb

from tests.conftest import real_city_file
from urbanmon import ingest, landing
from urbanmon.feeds.spec import get_spec
from urbanmon.settings import paths

CITY = get_spec("air_quality__cnemc_city_hourly")


def _land(name: str, data: bytes):
    folder = landing.landing_dir(CITY)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def _raw(sql: str):
    con = duckdb.connect(str(paths().build_db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_growing_file_is_not_taken_until_it_stops_changing(data_dir):
    tracker = landing.StabilityTracker(settle_seconds=0.3)
    data = real_city_file("20200102")
    path = _land("china_cities_20200102.csv", data[:1000])
    assert tracker.ready(CITY) == []
    time.sleep(0.4)
    with open(path, "ab") as fh:  # the copy is still growing
        fh.write(data[1000:5000])
    assert tracker.ready(CITY) == []  # changed since the last poll: the clock starts again
    time.sleep(0.1)
    assert tracker.ready(CITY) == []  # unchanged, but not yet for the settle period
    time.sleep(0.4)
    assert tracker.ready(CITY) == [path]


def test_partial_and_hidden_names_are_ignored(data_dir):
    tracker = landing.StabilityTracker(settle_seconds=0)
    _land("china_cities_20200102.csv.part", b"x")
    _land(".china_cities_20200102.csv", b"x")
    _land("notes.txt", b"x")
    tracker.ready(CITY)
    assert tracker.ready(CITY) == []


def test_archive_keeps_bytes_and_hash_then_removes_from_landing(data_dir):
    data = real_city_file("20200102")
    path = _land("china_cities_20200102.csv", data)
    receipt = landing.archive_file(CITY, path)
    archived = data_dir / receipt.archive_path
    assert archived.read_bytes() == data
    assert receipt.sha256 == hashlib.sha256(data).hexdigest()
    assert not path.exists()
    again = landing.archive_file(CITY, _land("china_cities_20200102.csv", data))
    assert again == receipt  # same bytes: same receipt, one archive entry
    assert len(landing.received(CITY)) == 1


def test_ingest_loads_once_and_a_second_time_changes_nothing(data_dir):
    for day in ("20200102", "20200103"):
        landing.archive_file(CITY, _land(f"china_cities_{day}.csv", real_city_file(day)))
    first = ingest.ingest_pending(CITY.feed_id, run_id="t1")
    assert sorted(first.loaded) == ["china_cities_20200102.csv", "china_cities_20200103.csv"]
    count = _raw(f"select count(*), sum(pm2_5) from {CITY.raw_table}")
    # the same file landed again: archived to the same receipt, nothing loaded
    landing.archive_file(CITY, _land("china_cities_20200102.csv", real_city_file("20200102")))
    second = ingest.ingest_pending(CITY.feed_id, run_id="t2")
    assert second.loaded == [] and len(second.skipped) == 2
    assert _raw(f"select count(*), sum(pm2_5) from {CITY.raw_table}") == count
    assert count[0][0] == first.rows


def test_one_bad_file_is_quarantined_and_the_others_load(data_dir):
    good = real_city_file("20200102")
    bad = real_city_file("20200103").replace(b"20200103,5,PM2.5,", b"20200103,5,PM2.5,oops", 1)
    landing.archive_file(CITY, _land("china_cities_20200102.csv", good))
    landing.archive_file(CITY, _land("china_cities_20200103.csv", bad))
    result = ingest.ingest_pending(CITY.feed_id, run_id="t")
    assert result.loaded == ["china_cities_20200102.csv"]
    reason = result.quarantined["china_cities_20200103.csv"]
    assert "not_numeric" in reason and "line" in reason
    assert _raw(f"select distinct source_file_name from {CITY.raw_table}") == [("china_cities_20200102.csv",)]
    state = _raw("select name, state, rule from ops.files order by name")
    assert state == [("china_cities_20200102.csv", "loaded", None),
                     ("china_cities_20200103.csv", "quarantined", "not_numeric")]
    kept = list((data_dir / "quarantine" / CITY.feed_id).glob("*/china_cities_20200103.csv"))
    assert len(kept) == 1 and kept[0].read_bytes() == bad
    assert (kept[0].parent / "reason.json").exists()


def test_a_value_out_of_range_is_caught_by_great_expectations(data_dir):
    data = real_city_file("20200103")
    lines = data.split(b"\n")
    idx = next(i for i, ln in enumerate(lines) if b",7,AQI," in ln)
    cells = lines[idx].split(b",")
    cells[5] = b"900"  # AQI cannot exceed 500
    lines[idx] = b",".join(cells)
    landing.archive_file(CITY, _land("china_cities_20200103.csv", b"\n".join(lines)))
    landing.archive_file(CITY, _land("china_cities_20200102.csv", real_city_file("20200102")))
    result = ingest.ingest_pending(CITY.feed_id, run_id="t")
    assert result.loaded == ["china_cities_20200102.csv"]
    assert "expect_column_values_to_be_between" in result.quarantined["china_cities_20200103.csv"]
    assert "aqi" in result.quarantined["china_cities_20200103.csv"]


def test_a_corrected_file_supersedes_the_old_rows_and_keeps_history(data_dir):
    original = real_city_file("20200102")
    landing.archive_file(CITY, _land("china_cities_20200102.csv", original))
    ingest.ingest_pending(CITY.feed_id, run_id="t1")
    corrected = original.replace(b"20200102,5,PM2.5,", b"20200102,5,PM2.5,1", 1)  # first city's PM2.5 revised
    os.utime(_land("china_cities_20200102.csv", corrected))
    landing.archive_file(CITY, landing.landing_dir(CITY) / "china_cities_20200102.csv")
    result = ingest.ingest_pending(CITY.feed_id, run_id="t2")
    assert result.loaded == ["china_cities_20200102.csv"] and result.superseded == ["china_cities_20200102.csv"]
    shas = _raw(f"select distinct source_file_sha256 from {CITY.raw_table}")
    assert shas == [(hashlib.sha256(corrected).hexdigest(),)]
    assert sorted(s for (s,) in _raw("select state from ops.files")) == ["loaded", "superseded"]
