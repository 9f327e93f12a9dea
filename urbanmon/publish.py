"""Atomic publication of read-only serving snapshots.

The pipeline never writes the serving file in place. It writes a complete new DuckDB file next to it, makes it
read-only, fsyncs it and swaps it in with ``os.replace``: a reader that opened the old file keeps reading the old
inode; a new reader sees the new one. No reader ever sees a half-built state or holds a lock the pipeline needs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
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


def publish_snapshot(source_schema: str = "serving", build_db: Path | None = None,
                     target: Path | None = None, extra: dict | None = None) -> str:
    """Copy every table of ``source_schema`` in the build DB into a fresh read-only serving file, atomically."""
    build_db = build_db or paths().build_db
    target = target or paths().serving_db
    target.parent.mkdir(parents=True, exist_ok=True)
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
        con.execute("begin transaction")
        for table in tables:
            con.execute(
                f'create table main."{table}" as select *, ?::varchar as snapshot_id '
                f'from build."{source_schema}"."{table}"', [snapshot_id])
        con.execute(
            "create table main.snapshot as select ?::varchar as snapshot_id, now()::timestamptz as built_at, "
            "?::varchar as git_revision, ?::varchar as tables, ?::json as extra",
            [snapshot_id, git_revision(), ",".join(tables), json.dumps(extra or {}, default=str)],
        )
        con.execute("commit")
        con.execute("detach build")
        con.execute("checkpoint")
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
