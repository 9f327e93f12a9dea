"""Atomic publication of read-only serving snapshots.

The pipeline never writes the serving file in place. It writes a complete new DuckDB file next to it, makes it
read-only, fsyncs it and swaps it in with ``os.replace``: a reader that opened the old file keeps reading the old
inode; a new reader sees the new one. No reader ever sees a half-built state or holds a lock the pipeline needs.

A successful build publishes a new data version (``publish_snapshot``: snapshot id + content hash); re-publishing
the same data with fresh operations tables or editions keeps both (``refresh``). The current snapshot and the N
before it stay read-only in data/serving/history/ (docs/decisions/0011-citable-versions.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import duckdb

from urbanmon.settings import REPO_ROOT, paths, snapshot_history_size


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


# what publication adds to the serving snapshot beside the data tables (the dbt serving models): never in the content
# hash, described in urbanmon/publication_tables.yml (one source with docs/serving-schema.md and the COMMENTs)
PUBLICATION_TABLES = ("snapshot", "snapshot_files", "snapshot_history", "last_build", "files_waiting", "quarantine")
OPS_PREFIX = "ops_"
# the operations tables a statistician needs, copied from the build's ``ops`` schema under ``ops_<name>``
OPS_COPIES = ("files", "runs", "builds", "validations", "feed_freshness", "file_revisions")


def is_data_table(name: str) -> bool:
    """A table of the data version (a dbt serving model), as opposed to what publication adds around it."""
    from urbanmon import editions

    return not (name in PUBLICATION_TABLES or name.startswith(OPS_PREFIX) or editions.is_edition_table(name))


def publish_snapshot(source_schema: str = "serving", build_db: Path | None = None,
                     target: Path | None = None, extra: dict | None = None, with_editions: bool | None = None,
                     build: dict | None = None) -> str:
    """Publish a new DATA VERSION: every table of the build's ``serving`` schema into a fresh read-only serving file,
    atomically, with the frozen editions, the operations tables (``ops_*``), the files it holds
    (``snapshot_files``), its content hash, the last build (``build``: run_id, started_at; default the build that
    publishes now) and the history of snapshots; kept in data/serving/history/<snapshot_id>.duckdb.

    ``source_schema='ops'`` publishes the operations record (data/serving/operations.duckdb by the caller's
    ``target``) stamped with the serving snapshot's id: the record goes with the data version it describes."""
    target = target or paths().serving_db
    if with_editions is None:
        with_editions = source_schema == "serving"
    build_db = build_db or paths().build_db
    from urbanmon import warehouse

    # the build file's turn first, then the serving folder's (always in this order: no two publishers deadlock)
    with warehouse.build_lock() if build_db == paths().build_db else contextlib.nullcontext():
        with publish_lock(target.parent):
            if source_schema != "serving":
                return _publish_record(source_schema, build_db, target, extra)
            return _publish_version(build_db, target, extra, with_editions, build or {})


def remove_stale_temporaries(target: Path) -> list[str]:
    """Half-written snapshot files a killed publisher left beside ``target`` (called under the publish lock, so
    no living publisher is writing one): never swapped in, never read, removed before the next is written."""
    removed = []
    for stale in [*target.parent.glob(f".{target.name}.*.tmp*"), *(target.parent / "history").glob(".*.tmp")]:
        stale.unlink(missing_ok=True)
        removed.append(stale.name)
    return removed


def _source_tables(con, database: str, schema: str) -> list[str]:
    tables = [r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = ? and schema_name = ? order by table_name",
        [database, schema]).fetchall()]
    tables += [r[0] for r in con.execute(
        "select view_name from duckdb_views() where database_name = ? and schema_name = ? order by view_name",
        [database, schema]).fetchall()]
    return tables


def _copy_with_id(con, schema: str, table: str, snapshot_id: str, described: dict | None = None) -> None:
    has_id = con.execute(
        "select count(*) from duckdb_columns() where database_name = 'build' and schema_name = ? "
        "and table_name = ? and column_name = 'snapshot_id'", [schema, table]).fetchone()[0]
    select = (f'select * {"exclude (snapshot_id)" if has_id else ""}, ?::varchar as snapshot_id '
              f'from build."{schema}"."{table}"')
    if described is None:
        con.execute(f'create table main."{table}" as {select}', [snapshot_id])
    else:
        _create_commented(con, table, select, [snapshot_id], described)


def _create_commented(con, table: str, select: str, params: list, described: dict) -> None:
    """Create ``table`` empty, COMMENT it (cheap while empty: schema_doc.apply_comments), then fill it."""
    from urbanmon import schema_doc

    con.execute(f'create table main."{table}" as select * from ({select}) limit 0', params)
    schema_doc.apply_comments(con, only=[table], described=described)
    con.execute(f'insert into main."{table}" select * from ({select})', params)


def _comment(con, table: str, described: dict) -> None:
    from urbanmon import schema_doc

    schema_doc.apply_comments(con, only=[table], described=described)


def _publish_record(source_schema: str, build_db: Path, target: Path, extra: dict | None) -> str:
    """The operations record: every table of ``source_schema`` with the serving snapshot's id."""
    from urbanmon import faults

    remove_stale_temporaries(target)
    snapshot_id = current_snapshot_id() or new_snapshot_id()
    tmp = target.parent / f".{target.name}.{new_snapshot_id()}.tmp"
    con = duckdb.connect(str(tmp), config={"threads": 2})
    try:
        con.execute(f"attach '{build_db}' as build (read_only)")
        tables = _source_tables(con, "build", source_schema)
        if not tables:
            raise RuntimeError(f"nothing to publish: schema {source_schema!r} of {build_db} has no tables")
        con.execute("begin transaction")
        for table in tables:
            _copy_with_id(con, source_schema, table, snapshot_id)
        con.execute(
            "create table main.snapshot as select ?::varchar as snapshot_id, now()::timestamptz as built_at, "
            "now()::timestamptz as published_at, ?::varchar as git_revision, ?::varchar as tables, ?::json as extra",
            [snapshot_id, git_revision(), ",".join(tables), json.dumps(extra or {}, default=str)])
        con.execute("commit")
        con.execute("detach build")
        con.execute("checkpoint")
        faults.point("publication")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    _swap_in(tmp, target)
    return snapshot_id


def _publish_version(build_db: Path, target: Path, extra: dict | None, with_editions: bool, build: dict) -> str:
    from urbanmon import faults

    remove_stale_temporaries(target)
    snapshot_id = new_snapshot_id()
    tmp = target.parent / f".{target.name}.{snapshot_id}.tmp"
    con = duckdb.connect(str(tmp), config={"threads": 2})
    try:
        con.execute("set enable_progress_bar = false")
        con.execute(f"attach '{build_db}' as build (read_only)")
        tables = _source_tables(con, "build", "serving")
        if not tables:
            raise RuntimeError(f"nothing to publish: schema 'serving' of {build_db} has no tables")
        clash = [t for t in tables if not is_data_table(t)]
        if clash:
            raise RuntimeError(f"serving models named like the tables publication adds: {clash} "
                               f"(reserved: {PUBLICATION_TABLES}, {OPS_PREFIX}*, evaluation_editions, edition_*)")
        from urbanmon import schema_doc

        described = schema_doc.table_descriptions()
        con.execute("begin transaction")
        for table in tables:
            _copy_with_id(con, "serving", table, snapshot_id, described)
        con.execute("commit")
        digest = _content_hash(con, current_database(con))
        now = dt.datetime.now(dt.UTC)
        run_id = build.get("run_id") or (extra or {}).get("run_id")
        con.execute("begin transaction")
        _create_commented(
            con, "snapshot",
            "select ?::varchar as snapshot_id, ?::varchar as content_sha256, "
            "?::timestamptz as built_at, ?::timestamptz as published_at, ?::varchar as run_id, "
            "?::varchar as git_revision, ?::varchar[] as data_tables, ?::varchar as tables, "
            "'data version' as published_for, ?::json as extra",
            [snapshot_id, digest["sha256"], now, now, run_id, git_revision(), tables, "",
             json.dumps(extra or {}, default=str)], described)
        ops = _has_ops(con)
        con.execute(SNAPSHOT_FILES_DDL)
        _comment(con, "snapshot_files", described)
        if ops:  # the files whose rows the build held: loaded (not superseded, retired or quarantined)
            con.execute(
                "insert into main.snapshot_files select feed_id, name, sha256, report_date, received_at, "
                "rows_loaded, archive_path from build.ops.files where state = 'loaded' order by feed_id, name")
        last = {"run_id": run_id, "state": "success", "started_at": build.get("started_at") or now,
                "finished_at": now, "error": None, "snapshot_id": snapshot_id}
        _operations_tables(con, ops, last, snapshot_id, described)
        _finish(con, snapshot_id, target, with_editions, described)
        _seal(con)
        faults.point("publication")
    except BaseException:
        _discard(con, tmp)
        raise
    return _put_in_place(con, tmp, target, snapshot_id)


def refresh(reason: str, operations: bool = True, build_db: Path | None = None) -> str | None:
    """Re-publish the CURRENT data version (same snapshot id, same content hash, data tables untouched) with fresh
    operations tables (``operations``: from the build's ops schema: last build, waiting files, quarantine …) and
    the editions as they are now: after a failed build, or an edition frozen. None when nothing is published yet."""
    from urbanmon import warehouse

    build_db = build_db or paths().build_db
    target = paths().serving_db
    own_build = operations and build_db == paths().build_db
    with warehouse.build_lock() if own_build else contextlib.nullcontext():
        with publish_lock(target.parent):
            if not target.exists():
                return None
            return _refresh(target, build_db if operations else None, reason)


def _refresh(target: Path, build_db: Path | None, reason: str) -> str:
    remove_stale_temporaries(target)
    tmp = target.parent / f".{target.name}.{new_snapshot_id()}.tmp"
    # the data tables are copied byte for byte (a file copy, not a rebuild): only what publication adds is rewritten
    shutil.copyfile(target, tmp)
    os.chmod(tmp, 0o644)
    con = duckdb.connect(str(tmp), config={"threads": 2})
    try:
        from urbanmon import schema_doc

        described = schema_doc.table_descriptions()
        snapshot_id = con.execute("select snapshot_id from main.snapshot").fetchone()[0]
        _upgrade(con)
        if build_db is not None:
            con.execute(f"attach '{build_db}' as build (read_only)")
        ops = build_db is not None and _has_ops(con)
        con.execute("begin transaction")
        if ops:
            for name in [t for t in _source_tables(con, current_database(con), "main")
                         if t.startswith(OPS_PREFIX) or t in ("last_build", "files_waiting", "quarantine")]:
                kind = "view" if name == "quarantine" else "table"
                con.execute(f'drop {kind} if exists main."{name}"')
            has_error = con.execute(  # a build database from before ops.builds.error (warehouse.OPS_DDL adds it)
                "select count(*) from duckdb_columns() where database_name = 'build' and schema_name = 'ops' "
                "and table_name = 'builds' and column_name = 'error'").fetchone()[0]
            row = con.execute(
                f"select run_id, state, started_at, finished_at, {'error' if has_error else 'null'}, snapshot_id "
                "from build.ops.builds order by started_at desc limit 1").fetchone()
            last = dict(zip(("run_id", "state", "started_at", "finished_at", "error", "snapshot_id"), row,
                            strict=True)) if row else None
            _operations_tables(con, True, last, snapshot_id, described)
        con.execute("update main.snapshot set published_at = now(), published_for = ?", [reason])
        _finish(con, snapshot_id, target, True, described)
        _seal(con)
    except BaseException:
        _discard(con, tmp)
        raise
    return _put_in_place(con, tmp, target, snapshot_id)


def _seal(con) -> None:
    """Commit the new file's transaction, let go of what it attached, and write it out in full."""
    con.execute("commit")
    con.execute("detach database if exists build")
    con.execute("detach database if exists editions")
    con.execute("checkpoint")


def _discard(con, tmp: Path) -> None:
    """A publication that failed leaves nothing behind: the half-written file goes, the served one stays."""
    con.close()
    tmp.unlink(missing_ok=True)


def _put_in_place(con, tmp: Path, target: Path, snapshot_id: str) -> str:
    """Swap the sealed file in atomically and keep it in the history under its data version."""
    con.close()
    _swap_in(tmp, target)
    _keep_in_history(target, snapshot_id)
    return snapshot_id


SNAPSHOT_FILES_DDL = ("create table if not exists main.snapshot_files (feed_id varchar, file_name varchar, "
                      "sha256 varchar, report_date date, received_at timestamptz, rows_loaded bigint, "
                      "archive_path varchar)")


def _upgrade(con) -> None:
    """A snapshot published before data versions were recorded gets the columns a re-publication writes: its
    content hash (computed now: its data tables are unchanged) and an empty file list (not known any more)."""
    for column, kind in (("content_sha256", "varchar"), ("published_at", "timestamptz"), ("run_id", "varchar"),
                         ("data_tables", "varchar[]"), ("published_for", "varchar")):
        con.execute(f"alter table main.snapshot add column if not exists {column} {kind}")
    if con.execute("select content_sha256 is null from main.snapshot").fetchone()[0]:
        digest = _content_hash(con, current_database(con))
        con.execute("update main.snapshot set content_sha256 = ?, data_tables = ?",
                    [digest["sha256"], sorted(digest["tables"])])
    con.execute(SNAPSHOT_FILES_DDL)


def current_database(con) -> str:
    return con.execute("select current_database()").fetchone()[0]


def _has_ops(con) -> bool:
    return bool(con.execute("select count(*) from duckdb_tables() where database_name = 'build' "
                            "and schema_name = 'ops' and table_name = 'files'").fetchone()[0])


def _operations_tables(con, ops: bool, last: dict | None, snapshot_id: str, described: dict) -> None:
    """What the serving snapshot says about freshness, from the build's operations record (one place for every
    ops -> serving copy): ``ops_<table>`` copies, ``last_build``, ``files_waiting`` and the ``quarantine`` view."""
    present = set()
    if ops:
        present = {r[0] for r in con.execute("select table_name from duckdb_tables() where database_name = 'build' "
                                             "and schema_name = 'ops'").fetchall()}
    for name in OPS_COPIES:
        if name in present:
            _create_commented(con, f"{OPS_PREFIX}{name}", f'select * from build.ops."{name}"', [], described)
    con.execute(
        "create table main.last_build (run_id varchar, state varchar, started_at timestamptz, "
        "finished_at timestamptz, error varchar, published_snapshot_id varchar, serves_last_build boolean)")
    _comment(con, "last_build", described)
    if last:
        con.execute("insert into main.last_build values (?, ?, ?, ?, ?, ?, ?)",
                    [last["run_id"], last["state"], last["started_at"], last["finished_at"], last["error"],
                     last["snapshot_id"], last["state"] == "success" and last["snapshot_id"] == snapshot_id])
    con.execute(
        "create table main.files_waiting (feed_id varchar, file_name varchar, sha256 varchar, report_date date, "
        "received_at timestamptz, stage varchar)")
    _comment(con, "files_waiting", described)
    if "files" in present:
        # loaded into the build database after (or without) the last successful build: not in this data version
        con.execute(
            "insert into main.files_waiting select f.feed_id, f.name, f.sha256, f.report_date, f.received_at, "
            "'loaded' from build.ops.files f where f.state = 'loaded' and not exists (select 1 from "
            "main.snapshot_files s where s.feed_id = f.feed_id and s.sha256 = f.sha256)")
    if "file_accounting" in present and "files" in present:
        # received (in landing, or archived and not yet loaded), as the last accounting saw them
        con.execute(
            "insert into main.files_waiting select a.feed_id, a.name, a.sha256, null, null, a.state "
            "from build.ops.file_accounting a where a.state in ('landing', 'pending') and (a.sha256 is null or "
            "a.sha256 not in (select sha256 from build.ops.files))")
    if "files" in present:
        con.execute(
            f"create view main.quarantine as select feed_id, name as file_name, sha256, received_at, rule, error, "
            f"processed_at as quarantined_at, run_id from main.{OPS_PREFIX}files where state = 'quarantined'")
        _comment(con, "quarantine", described)


def _finish(con, snapshot_id: str, target: Path, with_editions: bool, described: dict) -> None:
    """Editions, the history table, the table list and the COMMENTs still missing: the last steps of both
    publications."""
    from urbanmon import editions, schema_doc

    if with_editions:
        for name in [t for t in _source_tables(con, current_database(con), "main") if editions.is_edition_table(t)]:
            con.execute(f'drop table main."{name}"')
        attached = _attach_editions(con, paths().editions_db)
        # detached by the caller after its commit
        editions.copy_into(con, "editions" if attached else None, comment=lambda t: _comment(con, t, described))
    con.execute("drop table if exists main.snapshot_history")
    con.execute(
        "create table main.snapshot_history (snapshot_id varchar, content_sha256 varchar, built_at timestamptz, "
        "run_id varchar, path varchar, is_current boolean)")
    _comment(con, "snapshot_history", described)
    for row in _history_rows(con, target, snapshot_id):
        con.execute("insert into main.snapshot_history values (?, ?, ?, ?, ?, ?)", row)
    con.execute("update main.snapshot set tables = ?",
                [",".join(_source_tables(con, current_database(con), "main"))])
    # a safety net: anything created without its comment gets it now (slower on a filled table, and there is none)
    uncommented = [t for (t,) in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database() and schema_name = 'main' "
        "and coalesce(comment, '') = ''").fetchall()]
    if uncommented:
        schema_doc.apply_comments(con, only=uncommented, described=described)


def _history_rows(con, target: Path, snapshot_id: str) -> list[list]:
    """The snapshots history/ keeps once this one is published: this one and the N before it."""
    history = target.parent / "history"
    ids = sorted({p.stem for p in history.glob("*.duckdb")} | {snapshot_id})[-(snapshot_history_size() + 1):]
    rows = []
    for sid in ids:
        if sid == snapshot_id:
            info = con.execute("select content_sha256, built_at, run_id from main.snapshot").fetchone()
        else:
            try:
                old = duckdb.connect(str(history / f"{sid}.duckdb"), read_only=True)
                try:
                    info = old.execute("select content_sha256, built_at, run_id from snapshot").fetchone()
                finally:
                    old.close()
            except duckdb.Error:  # a snapshot from before content hashes were recorded
                info = (None, None, None)
        rows.append([sid, *info, f"history/{sid}.duckdb", sid == snapshot_id])
    return rows


def _keep_in_history(target: Path, snapshot_id: str) -> None:
    """history/<snapshot_id>.duckdb: a hard link to the published file (published files are never modified, so
    it costs no space while it is the current one); the newest publication of an id replaces the older one; the
    current snapshot and the N before it are kept (N = URBANMON_SNAPSHOT_HISTORY, default 10), so a citation
    survives N later publications."""
    history = target.parent / "history"
    history.mkdir(parents=True, exist_ok=True)
    link = history / f".{snapshot_id}.tmp"
    link.unlink(missing_ok=True)
    os.link(target, link)
    os.replace(link, history / f"{snapshot_id}.duckdb")
    for old in sorted(history.glob("*.duckdb"))[:-(snapshot_history_size() + 1)]:
        old.unlink()
    _fsync(history)


def current_snapshot_id(path: Path | None = None) -> str | None:
    path = path or paths().serving_db
    if not path.exists():
        return None
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select snapshot_id from snapshot").fetchone()[0]
    finally:
        con.close()


def republish(extra: dict | None = None) -> str | None:
    """The current data version re-published with the editions as they are now (after an edition is frozen):
    same snapshot id, same content hash."""
    return refresh((extra or {}).get("reason", "editions refreshed"), operations=False)


RUN_SPECIFIC_COLUMNS = ("snapshot_id", "built_at", "published_at")


def content_hash(path: Path | None = None) -> dict:
    """The content hash of a serving snapshot file: what a citation quotes beside the snapshot id, recorded in
    ``snapshot.content_sha256`` at publication (by this same computation). Returns {'sha256', 'tables': {table:
    rows}}. ``urbanmon content-hash <file>`` prints it."""
    path = path or paths().serving_db
    con = duckdb.connect(str(path), read_only=True)
    try:
        con.execute("set enable_progress_bar = false")
        return _content_hash(con, current_database(con))
    finally:
        con.close()


def verify(path: Path | None = None) -> dict:
    """A snapshot file's content hash recomputed and compared with the one it records: {'snapshot_id',
    'recorded', 'sha256', 'ok' (None when the file records none), 'tables'}."""
    path = path or paths().serving_db
    computed = content_hash(path)
    con = duckdb.connect(str(path), read_only=True)
    try:
        has = con.execute("select count(*) from duckdb_columns() where table_name = 'snapshot' "
                          "and column_name = 'content_sha256'").fetchone()[0]
        snapshot_id, recorded = con.execute(
            f"select snapshot_id, {'content_sha256' if has else 'null'} from snapshot").fetchone()
    finally:
        con.close()
    return {"snapshot_id": snapshot_id, "recorded": recorded, "sha256": computed["sha256"],
            "ok": None if recorded is None else recorded == computed["sha256"], "tables": computed["tables"]}


def _content_hash(con, database: str) -> dict:
    """SHA-256 over the data tables only (not what publication adds: ``snapshot*``, ``ops_*``, editions …), in
    table name order, each as its name, its columns in name order (without ``snapshot_id``, ``built_at``,
    ``published_at``, which differ from run to run) and its rows: each row is the SHA-256 of its values as text
    (NULL as \\0, separated by \\x1f); a table's rows are hashed sorted, in 256 buckets by their first two hex digits
    (bounded memory on large tables), so row order never matters and the same data give the same hash."""
    digest = hashlib.sha256()
    counts = {}
    tables = [t for (t,) in con.execute(
        "select table_name from duckdb_tables() where database_name = ? and schema_name = 'main' "
        "order by table_name", [database]).fetchall() if is_data_table(t)]
    for table in tables:
        columns = [r[0] for r in con.execute(
            "select column_name from duckdb_columns() where database_name = ? and schema_name = 'main' "
            "and table_name = ? order by column_name", [database, table]).fetchall()
            if r[0] not in RUN_SPECIFIC_COLUMNS]
        row_text = " || chr(31) || ".join(f'coalesce("{c}"::varchar, chr(0))' for c in columns) or "''"
        total, buckets = con.execute(
            f'with h as (select sha256({row_text}) as h from "{database}".main."{table}"), '
            "b as (select left(h, 2) as k, sha256(string_agg(h, '' order by h)) as d, count(*) as n from h "
            "group by 1) select coalesce(sum(n), 0)::bigint, coalesce(string_agg(k || d, '' order by k), '') "
            "from b").fetchone()
        digest.update("\x1e".join([table, *columns, str(total), buckets]).encode())
        counts[table] = total
    return {"sha256": digest.hexdigest(), "tables": counts}


def file_checksum(path: Path | None = None) -> str | None:
    """SHA-256 of the serving file's bytes (None if there is none): unchanged bytes, unchanged snapshot."""
    from urbanmon.landing import sha256_of

    path = path or paths().serving_db
    return sha256_of(path) if path.exists() else None
