"""Replay from the archive reproduces the raw tables and the ledger's states; the archive backup is verified."""

from __future__ import annotations

import hashlib
import tarfile

import duckdb

from tests.conftest import real_city_file
from urbanmon import ingest, landing, replay
from urbanmon.feeds.spec import get_spec
from urbanmon.settings import paths

CITY = get_spec("air_quality__cnemc_city_hourly")


def _land(name: str, data: bytes):
    folder = landing.landing_dir(CITY)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def _state():
    con = duckdb.connect(str(paths().build_db), read_only=True)
    try:
        raw = con.execute(f"select * exclude (source_file_name) from {CITY.raw_table} order by all").fetchall()
        ledger = con.execute("select name, sha256, state, superseded_by from ops.files order by all").fetchall()
    finally:
        con.close()
    return hashlib.sha256(repr(raw).encode()).hexdigest(), len(raw), ledger


def test_reload_a_feed_and_a_year_reproduces_raw_rows_and_ledger(data_dir):
    _land("china_cities_20200101.csv", real_city_file("20200101"))
    _land("china_cities_20200102.csv", real_city_file("20200102"))
    ingest.archive_landing(CITY.feed_id)
    ingest.ingest_pending(CITY.feed_id, validate=False)
    corrected = real_city_file("20200102").replace(b"\n", b"\r\n")  # a resent file for the same day
    _land("china_cities_20200102.csv", corrected)
    ingest.archive_landing(CITY.feed_id)
    ingest.ingest_pending(CITY.feed_id, validate=False)
    before = _state()
    assert before[1] > 0 and sorted(s for _, _, s, _ in before[2]) == ["loaded", "loaded", "superseded"]

    assert replay.reload(CITY.feed_id)["files"] == 3
    assert _state() == before
    assert replay.reload(CITY.feed_id, year=2019)["files"] == 0
    assert replay.reload(CITY.feed_id, year=2020)["files"] == 3
    assert _state() == before


def test_archive_backup_holds_every_file_with_its_hash(data_dir, tmp_path):
    _land("china_cities_20200101.csv", real_city_file("20200101"))
    [receipt] = ingest.archive_landing(CITY.feed_id)
    result = replay.backup(tmp_path / "backup" / "archive.tar")
    assert result["files"] == 1
    with tarfile.open(tmp_path / "backup" / "archive.tar") as tar:
        names = tar.getnames()
        member = f"{CITY.feed_id}/{receipt.sha256}/china_cities_20200101.csv"
        assert member in names and f"{CITY.feed_id}/{receipt.sha256}/receipt.json" in names
        assert hashlib.sha256(tar.extractfile(member).read()).hexdigest() == receipt.sha256


def test_retention_keeps_the_newest_backups_and_never_the_archive(data_dir, tmp_path):
    import os

    from urbanmon import cli

    _land("china_cities_20200101.csv", real_city_file("20200101"))
    ingest.archive_landing(CITY.feed_id)
    folder = tmp_path / "backups"
    for i in range(4):
        assert cli.main(["archive-backup", "--to", str(folder / f"archive-{i}.tar")]) == 0
        os.utime(folder / f"archive-{i}.tar", (1_700_000_000 + i, 1_700_000_000 + i))
    assert cli.main(["archive-prune", "--dir", str(folder), "--keep", "2"]) == 0
    assert sorted(p.name for p in folder.glob("*.tar")) == ["archive-2.tar", "archive-3.tar"]
    assert sorted(p.name for p in folder.glob("*.manifest.json")) == [
        "archive-2.tar.manifest.json", "archive-3.tar.manifest.json"]
    assert list(paths().archive.rglob("receipt.json"))  # the archive itself is untouched
