"""Sample data is a removable layer: the first real file of a feed for a year retires that year's sample files by
itself (rows kept in history, ledger state 'retired', ops.sample_retirements); a command retires a whole feed."""

from __future__ import annotations

import duckdb

from tests.conftest import real_city_file
from urbanmon import ingest, landing
from urbanmon.feeds.spec import get_spec
from urbanmon.settings import paths

CITY = get_spec("air_quality__cnemc_city_hourly")


def _file(day: str) -> bytes:
    """A real CNEMC day re-dated (real data standing in for a day the repository has no file of)."""
    return real_city_file("20200102").replace(b"20200102", day.encode())


def _land_and_ingest(files: dict[str, bytes]):
    folder = landing.landing_dir(CITY)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    ingest.archive_landing(CITY.feed_id)
    return ingest.ingest_pending(CITY.feed_id, validate=False)


def _q(sql: str):
    with duckdb.connect(str(paths().build_db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_first_real_file_of_a_year_retires_its_sample_files(data_dir):
    first = _land_and_ingest({"synthetic_china_cities_20210120.csv": _file("20210120"),
                              "synthetic_china_cities_20210121.csv": _file("20210121"),
                              "synthetic_china_cities_20220121.csv": _file("20220121")})
    assert len(first.loaded) == 3 and first.retired == []

    real = _land_and_ingest({"china_cities_20210122.csv": _file("20210122")})
    assert real.loaded == ["china_cities_20210122.csv"]
    assert sorted(real.retired) == ["synthetic_china_cities_20210120.csv", "synthetic_china_cities_20210121.csv"]
    # 2021 is computed from the real file alone; 2022 keeps its sample
    names = {r[0] for r in _q(f"select distinct source_file_name from {CITY.raw_table}")}
    assert names == {"china_cities_20210122.csv", "synthetic_china_cities_20220121.csv"}
    ledger = dict(_q("select name, state from ops.files"))
    assert ledger["synthetic_china_cities_20210120.csv"] == "retired"
    assert ledger["synthetic_china_cities_20220121.csv"] == "loaded"
    retirements = _q("select year, name, by_file, rows_retired > 0 from ops.sample_retirements order by name")
    assert retirements == [(2021, "synthetic_china_cities_20210120.csv", "china_cities_20210122.csv", True),
                           (2021, "synthetic_china_cities_20210121.csv", "china_cities_20210122.csv", True)]
    # nothing is lost: the retired rows are kept in the value history
    kept = _q("select count(distinct source_file_name) from history.air_quality__cnemc_city_hourly")
    assert kept == [(2,)]

    # a sample file arriving for a year that already has real data is retired on arrival
    late = _land_and_ingest({"synthetic_china_cities_20210301.csv": _file("20210301")})
    assert late.retired == ["synthetic_china_cities_20210301.csv"]

    # the feed goes live: the command retires every sample file left
    assert ingest.retire_feed_samples(CITY.feed_id) == ["synthetic_china_cities_20220121.csv"]
    assert {r[0] for r in _q(f"select distinct source_file_name from {CITY.raw_table}")} == {
        "china_cities_20210122.csv"}
    assert _q("select by_file from ops.sample_retirements where year = 2022") == [("urbanmon samples-retire",)]
