"""File accounting: every file that ever arrived is, at any moment, in exactly one state.

- ``landing``: still in a landing folder (not yet complete, or not yet picked up): pending;
- ``pending``: archived with its receipt (hash, size, received_at), not yet in the ledger;
- ``processed``: archived and in the ledger as ``loaded``, ``superseded`` (a newer file for its period) or
  ``retired`` (a sample file whose year has real data);
- ``quarantined``: archived and in the ledger as ``quarantined`` with its rule and error.

Anomalies (a file in none or in two states): a ledger entry without an archived copy, an archived copy whose bytes
no longer match its hash, a quarantined file without an error, rows in a raw table from a file that is not
``loaded``, or a ``loaded`` file with no rows. ``check()`` returns one row per file (state, anomaly); ``write()``
replaces ``ops.file_accounting`` with them, which the operations snapshot publishes for the quality board.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter

from urbanmon import landing, warehouse
from urbanmon.feeds.spec import load_specs
from urbanmon.settings import paths


def check(verify_hashes: bool = False) -> list[dict]:
    """One row per file of every feed (see the module docstring)."""
    now = dt.datetime.now(dt.UTC)
    out = []
    with warehouse.connect() as con:
        ledger = {(f, s): (n, st, err) for f, s, n, st, err in con.execute(
            "select feed_id, sha256, name, state, error from ops.files").fetchall()}
        raw_files = {}
        for spec in load_specs().values():
            exists = con.execute(
                "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = ?",
                [spec.raw_table.split(".", 1)[1]]).fetchone()[0]
            if exists:
                for sha, n in con.execute(
                        f"select source_file_sha256, count(*) from {spec.raw_table} group by 1").fetchall():
                    raw_files[(spec.feed_id, sha)] = n
    for spec in load_specs().values():
        folder = landing.landing_dir(spec)
        if folder.exists():
            for entry in os.scandir(folder):
                if entry.is_file(follow_symlinks=False) and spec.matches(entry.name):
                    out.append(_row(spec.feed_id, entry.name, None, "landing", None, None, now))
        archived = {}
        for receipt in landing.received(spec):
            archived[receipt.sha256] = receipt
        for sha, receipt in archived.items():
            key = (spec.feed_id, sha)
            anomalies = []
            path = paths().data / receipt.archive_path
            if not path.exists():
                anomalies.append("归档副本缺失")
            elif verify_hashes and landing.sha256_of(path) != sha:
                anomalies.append("归档副本与其哈希不符")
            entry = ledger.get(key)
            ledger_state = entry[1] if entry else None
            if entry is None:
                state = "pending"
                if key in raw_files:
                    anomalies.append("未登记却已有原始数据行（同时处于待处理与已加载）")
            elif ledger_state in ("loaded", "superseded", "retired"):
                state = "processed"
                if ledger_state in ("superseded", "retired") and key in raw_files:
                    anomalies.append("已被取代或已退役的文件仍有原始数据行")
                if ledger_state == "loaded" and key not in raw_files:
                    anomalies.append("已加载的文件没有原始数据行")
            elif ledger_state == "quarantined":
                state = "quarantined"
                if not entry[2]:
                    anomalies.append("隔离文件没有错误说明")
                if key in raw_files:
                    anomalies.append("隔离文件仍有原始数据行（同时处于已处理与隔离）")
            else:
                state = "none"
                anomalies.append(f"未知的登记状态 {ledger_state}")
            out.append(_row(spec.feed_id, receipt.name, sha, state, ledger_state, "；".join(anomalies) or None, now))
        for (feed_id, sha), (name, ledger_state, _) in ledger.items():
            if feed_id == spec.feed_id and sha not in archived:
                out.append(_row(feed_id, name, sha, "none", ledger_state, "已登记但没有归档副本和收据", now))
    return out


def _row(feed_id, name, sha, state, ledger_state, anomaly, now) -> dict:
    return {"feed_id": feed_id, "name": name, "sha256": sha, "state": state, "ledger_state": ledger_state,
            "anomaly": anomaly, "checked_at": now}


def summary(rows: list[dict]) -> dict:
    counts = Counter(r["state"] for r in rows)
    return {"files": len(rows), "states": dict(sorted(counts.items())),
            "anomalies": [{k: r[k] for k in ("feed_id", "name", "sha256", "state", "anomaly")}
                          for r in rows if r["anomaly"]]}


def write(rows: list[dict] | None = None) -> dict:
    """Replace ops.file_accounting with the current accounting; returns the summary."""
    rows = check() if rows is None else rows
    with warehouse.connect() as con:
        con.execute("begin transaction")
        con.execute("delete from ops.file_accounting")
        if rows:
            con.executemany("insert into ops.file_accounting values (?, ?, ?, ?, ?, ?, ?)",
                            [[r["feed_id"], r["name"], r["sha256"], r["state"], r["ledger_state"], r["anomaly"],
                              r["checked_at"]] for r in rows])
        con.execute("commit")
    return summary(rows)
