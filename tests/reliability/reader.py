"""A serving-snapshot reader, run as its own process by the concurrency tests (``python reader.py SERVING STOP OUT``).

Until the file STOP exists: open the serving snapshot read-only (as Superset does), read the ``snapshot`` row and,
in the same connection, the snapshot ids of every table, close. A read is *consistent* when every table carries the
snapshot table's id (old or new, never a mix). Every exception is a failed query (``lock`` in its text: a lock
error). Writes {queries, reads, failed, lock_errors, mixed, snapshots, errors} to OUT as JSON.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

TABLES = ("air_quality_hourly", "air_quality_daily", "indicator_values", "indicator_progress", "district_scores")


def main(serving: str, stop: str, out: str) -> None:
    stats = {"queries": 0, "reads": 0, "failed": 0, "lock_errors": 0, "mixed": 0, "snapshots": [], "errors": []}
    seen = set()
    while not Path(stop).exists():
        try:
            con = duckdb.connect(serving, read_only=True)
            try:
                snapshot = con.execute("select snapshot_id from snapshot").fetchone()[0]
                stats["queries"] += 1
                ids = set()
                for table in TABLES:
                    ids |= {r[0] for r in con.execute(f"select distinct snapshot_id from {table}").fetchall()}
                    stats["queries"] += 1
            finally:
                con.close()
            stats["reads"] += 1
            if ids != {snapshot}:
                stats["mixed"] += 1
                stats["errors"].append(f"mixed: snapshot {snapshot}, tables {sorted(ids)}")
            if snapshot not in seen:
                seen.add(snapshot)
                stats["snapshots"].append(snapshot)
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
            stats["failed"] += 1
            stats["lock_errors"] += "lock" in str(exc).lower()
            stats["errors"].append(f"{type(exc).__name__}: {exc}"[:300])
        time.sleep(0.5)  # a reader thinks between queries: 20 of them must not starve the publisher
    Path(out).write_text(json.dumps(stats), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:4])
