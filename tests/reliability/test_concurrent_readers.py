"""Twenty reader processes on the serving snapshot during ten consecutive pipeline runs.

Each run is the whole pipeline (``urbanmon run-once`` in its own process: ingest, dbt build, Great Expectations,
publication) taking in one new real CNEMC day; the readers open the serving file read-only, as Superset does, and
check in every read that each table carries the snapshot table's id. Zero failed queries, zero lock errors, no read
that mixes two snapshots.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from tests.conftest import real_city_file
from tests.reliability.conftest import FIGURES, Readers, land, section, urbanmon

READERS = 20
RUNS = 10
CITY_FEED = "air_quality__cnemc_city_hourly"
FIRST_NEW_DAY = dt.date(2020, 1, 5)  # after the compact sample's days and the crash test's new day


def _snapshot_id(serving) -> str:
    with duckdb.connect(str(serving), read_only=True) as con:
        return con.execute("select snapshot_id from snapshot").fetchone()[0]


@pytest.mark.timeout(2400)
def test_twenty_readers_during_ten_pipeline_runs_see_old_or_new_never_a_mix(workspace):
    data = workspace.restore("base")
    serving = data / "serving" / "warehouse.duckdb"
    published = [_snapshot_id(serving)]
    with Readers(serving, READERS, workspace.root / "readers") as readers:
        for i in range(RUNS):
            day = f"{FIRST_NEW_DAY + dt.timedelta(days=i):%Y%m%d}"
            land(data, CITY_FEED, f"china_cities_{day}.csv", real_city_file(day))
            proc = urbanmon(data, "run-once")
            assert proc.returncode == 0, proc.stderr[-3000:]
            published.append(_snapshot_id(serving))
    totals = readers.totals()
    assert len(set(published)) == RUNS + 1  # every run published a new snapshot
    assert totals["failed"] == 0, totals["errors"]
    assert totals["lock_errors"] == 0, totals["errors"]
    assert totals["mixed"] == 0, totals["errors"]
    assert totals["reads"] >= READERS * RUNS, totals  # every reader read throughout
    assert totals["snapshots_seen"] >= RUNS // 2, totals  # they did see the snapshots change under them

    FIGURES["readers"] = totals
    section("Concurrent readers", [
        f"{READERS} reader processes (read-only DuckDB connections on the serving file, as Superset opens it) "
        f"during {RUNS} consecutive pipeline runs (`urbanmon run-once`: ingest of one new real CNEMC day, dbt build, "
        "validation, publication). Every read takes the `snapshot` row and the snapshot ids of five serving tables "
        "in one connection.", "",
        f"- Pipeline runs: {RUNS}; readers: {totals['readers']}; reads: {totals['reads']}; queries: "
        f"{totals['queries']}",
        f"- Failed queries: {totals['failed']}; lock errors: {totals['lock_errors']}; reads mixing two "
        f"snapshots: {totals['mixed']}",
        f"- Distinct snapshots the readers saw: {totals['snapshots_seen']} of {RUNS + 1}",
    ])
