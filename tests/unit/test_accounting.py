"""File accounting: every file in exactly one state; a file in none or two is named as an anomaly."""

from __future__ import annotations

from tests.conftest import real_city_file
from urbanmon import accounting, ingest, landing, warehouse
from urbanmon.feeds.spec import get_spec

CITY = get_spec("air_quality__cnemc_city_hourly")


def _land(name: str, data: bytes):
    folder = landing.landing_dir(CITY)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def test_every_file_in_exactly_one_state_and_anomalies_named(data_dir):
    _land("china_cities_20200101.csv", real_city_file("20200101"))
    _land("china_cities_20200102.csv", b"")  # empty: quarantined
    ingest.archive_landing(CITY.feed_id)
    _land("china_cities_20200103.csv", real_city_file("20200103"))
    ingest.ingest_pending(CITY.feed_id, validate=False)
    [pending] = ingest.archive_landing(CITY.feed_id)  # archived after the ingest: pending
    _land("china_cities_20200104.csv", real_city_file("20200104"))  # still in landing

    summary = accounting.write()
    assert summary["states"] == {"landing": 1, "pending": 1, "processed": 1, "quarantined": 1}
    assert summary["anomalies"] == []
    with warehouse.connect() as con:
        assert con.execute("select count(*) from ops.file_accounting").fetchone()[0] == 4

    # a file in two states: quarantined in the ledger but its rows still in the raw table
    with warehouse.connect() as con:
        con.execute("update ops.files set state = 'quarantined', error = 'x' where name = 'china_cities_20200101.csv'")
    # a file in none: its archived copy is gone
    (data_dir / pending.archive_path).unlink()
    summary = accounting.summary(accounting.check())
    anomalies = {a["name"]: a["anomaly"] for a in summary["anomalies"]}
    assert "隔离文件仍有原始数据行" in anomalies["china_cities_20200101.csv"]
    assert "归档副本缺失" in anomalies[pending.name]
