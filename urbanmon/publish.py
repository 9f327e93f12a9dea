"""Atomic publication of read-only serving snapshots.

The pipeline never writes the serving file in place. It writes a complete new DuckDB file next to it, makes it
read-only, fsyncs it and swaps it in with ``os.replace``: a reader that opened the old file keeps reading the old
inode; a new reader sees the new one. No reader ever sees a half-built state or holds a lock the pipeline needs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import subprocess
import time
from pathlib import Path

import duckdb

from urbanmon.settings import REPO_ROOT, paths


def new_snapshot_id(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return now.strftime("%Y%m%dT%H%M%S%fZ")


def git_revision() -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "--short=12", "HEAD"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _swap_in(tmp: Path, target: Path) -> None:
    os.chmod(tmp, 0o444)
    _fsync(tmp)
    os.replace(tmp, target)
    _fsync(target.parent)


@contextlib.contextmanager
def publish_lock(directory: Path):
    """One publisher at a time per serving folder (the pipeline, and an editor freezing an edition)."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".publish.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _attach_editions(con, editions_db: Path) -> bool:
    """Attach the frozen editions read-only (retrying while a freeze holds its short write lock)."""
    if not editions_db.exists():
        return False
    for attempt in range(50):
        try:
            con.execute(f"attach '{editions_db}' as editions (read_only)")
            return True
        except duckdb.IOException:
            if attempt == 49:
                raise
            time.sleep(0.2)
    return False


def publish_snapshot(source_schema: str = "serving", build_db: Path | None = None,
                     target: Path | None = None, extra: dict | None = None, with_editions: bool | None = None) -> str:
    """Copy every table of ``source_schema`` in the build DB into a fresh read-only serving file, atomically.

    The serving snapshot (``source_schema='serving'``) also carries the frozen evaluation editions
    (``evaluation_editions`` and the ``edition_*`` tables), copied unchanged from data/editions/editions.duckdb."""
    target = target or paths().serving_db
    if with_editions is None:
        with_editions = source_schema == "serving"
    build_db = build_db or paths().build_db
    from urbanmon import warehouse

    # the build file's turn first, then the serving folder's (always in this order: no two publishers deadlock)
    with warehouse.build_lock() if build_db == paths().build_db else contextlib.nullcontext():
        with publish_lock(target.parent):
            return _publish(source_schema, build_db, target, extra, with_editions)


def remove_stale_temporaries(target: Path) -> list[str]:
    """Half-written snapshot files a killed publisher left beside ``target`` (called under the publish lock, so
    no living publisher is writing one): never swapped in, never read, removed before the next is written."""
    removed = []
    for stale in target.parent.glob(f".{target.name}.*.tmp*"):
        stale.unlink(missing_ok=True)
        removed.append(stale.name)
    return removed


def _publish(source_schema: str, build_db: Path, target: Path, extra: dict | None, with_editions: bool) -> str:
    from urbanmon import editions, faults

    remove_stale_temporaries(target)
    snapshot_id = new_snapshot_id()
    tmp = target.parent / f".{target.name}.{snapshot_id}.tmp"
    con = duckdb.connect(str(tmp), config={"threads": 2})
    try:
        con.execute(f"attach '{build_db}' as build (read_only)")
        tables = [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where database_name = 'build' and schema_name = ? "
            "order by table_name", [source_schema]).fetchall()]
        tables += [r[0] for r in con.execute(
            "select view_name from duckdb_views() where database_name = 'build' and schema_name = ? "
            "order by view_name", [source_schema]).fetchall()]
        if not tables:
            raise RuntimeError(f"nothing to publish: schema {source_schema!r} of {build_db} has no tables")
        tables = [t for t in tables if not editions.is_edition_table(t) and t != "snapshot"]
        con.execute("begin transaction")
        for table in tables:
            has_id = con.execute(
                "select count(*) from duckdb_columns() where database_name = 'build' and schema_name = ? "
                "and table_name = ? and column_name = 'snapshot_id'", [source_schema, table]).fetchone()[0]
            con.execute(
                f'create table main."{table}" as select * {"exclude (snapshot_id)" if has_id else ""}, '
                f'?::varchar as snapshot_id from build."{source_schema}"."{table}"', [snapshot_id])
        attached = with_editions and _attach_editions(con, paths().editions_db)
        if with_editions:
            tables += editions.copy_into(con, "editions" if attached else None)
        con.execute(
            "create table main.snapshot as select ?::varchar as snapshot_id, now()::timestamptz as built_at, "
            "?::varchar as git_revision, ?::varchar as tables, ?::json as extra",
            [snapshot_id, git_revision(), ",".join(tables), json.dumps(extra or {}, default=str)],
        )
        con.execute("commit")
        con.execute("detach build")
        if attached:
            con.execute("detach editions")
        con.execute("checkpoint")
        faults.point("publication")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    _swap_in(tmp, target)
    return snapshot_id


def current_snapshot_id(path: Path | None = None) -> str | None:
    path = path or paths().serving_db
    if not path.exists():
        return None
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select snapshot_id from snapshot").fetchone()[0]
    finally:
        con.close()


def republish(extra: dict | None = None) -> str:
    """A new serving snapshot from the current one's tables plus the editions (after an edition is frozen)."""
    current = paths().serving_db
    return publish_snapshot(source_schema="main", build_db=current, target=current, extra=extra, with_editions=True)


RUN_SPECIFIC_COLUMNS = ("snapshot_id", "built_at", "published_at")


def content_hash(path: Path | None = None) -> dict:
    """SHA-256 of a sorted CSV export of every table of a snapshot file, without what differs from run to run (the
    ``snapshot`` table, ``snapshot_id``, ``built_at``, ``published_at``): two runs that published the same data
    have the same hash. Returns {'sha256', 'tables': {table: rows}}."""
    import csv
    import hashlib
    import io

    path = path or paths().serving_db
    digest = hashlib.sha256()
    counts = {}
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database() "
            "and table_name <> 'snapshot' order by table_name").fetchall()]
        for table in tables:
            columns = [r[0] for r in con.execute(
                "select column_name from duckdb_columns() where database_name = current_database() "
                "and table_name = ? order by column_name", [table]).fetchall()
                if r[0] not in RUN_SPECIFIC_COLUMNS]
            cols = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'select {cols} from main."{table}" order by all').fetchall()
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow([table, *columns])
            writer.writerows(rows)
            digest.update(buffer.getvalue().encode())
            counts[table] = len(rows)
    finally:
        con.close()
    return {"sha256": digest.hexdigest(), "tables": counts}


def file_checksum(path: Path | None = None) -> str | None:
    """SHA-256 of the serving file's bytes (None if there is none): unchanged bytes, unchanged snapshot."""
    from urbanmon.landing import sha256_of

    path = path or paths().serving_db
    return sha256_of(path) if path.exists() else None
