"""Frozen evaluation editions: an editor's act (``urbanmon freeze-edition``), never automatic.

An edition is a copy of every value, status, path and rank of the published serving snapshot for one year, kept in
its own tables in data/editions/editions.duckdb, with its id, creation time, editor and data versions (snapshot id,
registry version, git revision, the archived files behind it). It is never recomputed from the archive and nothing
updates it: new data and revisions change the serving tables, not the editions; every serving snapshot carries the
editions unchanged (``evaluation_editions``, ``edition_<table>``), and each edition's content hash (a hash of a sorted
export of its rows) is recorded at freezing so anyone can check it later.

- annual: any year; mid-term: 2025; final: 2035 (plan chapter 8 §3).
- Freezing the same edition and year again makes a new version (``annual-2024-v2``); the old one stays.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json

import duckdb

from urbanmon.settings import paths

EDITIONS = {"annual": None, "mid-term": 2025, "final": 2035}
# serving table -> which rows an edition of year Y keeps
EDITION_TABLES = {
    "indicator_catalog": None,
    "indicator_milestones": None,
    "area_catalog": None,
    "indicator_path": None,
    "indicator_values": "year <= {year}",
    "indicator_progress": "year = {year}",
    "district_scores": "year = {year}",
    "indicator_reconciliation": "year <= {year}",
}
REGISTER = "evaluation_editions"
REGISTER_COLUMNS = """
    edition_id varchar primary key, edition varchar not null, year integer not null, version integer not null,
    created_at timestamptz not null, created_by varchar not null, note varchar, source_snapshot_id varchar not null,
    source_built_at timestamptz, git_revision varchar, registry_version varchar, files_loaded integer,
    files_sha256 varchar, row_counts json not null, content_sha256 varchar not null
"""


class EditionError(ValueError):
    pass


def is_edition_table(name: str) -> bool:
    return name == REGISTER or name.startswith("edition_")


def content_hash(con, database: str, edition_id: str) -> tuple[str, dict[str, int]]:
    """SHA-256 over a sorted CSV export of every edition table's rows of ``edition_id`` (columns in name order)."""
    digest = hashlib.sha256()
    counts = {}
    for table in EDITION_TABLES:
        columns = [r[0] for r in con.execute(
            "select column_name from duckdb_columns() where database_name = ? and table_name = ? "
            "and column_name not in ('edition_id', 'snapshot_id') order by column_name",
            [database, f"edition_{table}"]).fetchall()]
        if not columns:
            continue
        # a column added to a serving table after an edition was frozen is NULL in that edition's rows: only the
        # columns holding a value enter the hash, so older editions keep theirs
        filled = con.execute(
            "select " + ", ".join(f'count("{c}")' for c in columns) +
            f' from {database}."edition_{table}" where edition_id = ?', [edition_id]).fetchone()
        columns = [c for c, n in zip(columns, filled, strict=True) if n]
        cols = ", ".join(f'"{c}"' for c in columns) or "1"
        rows = con.execute(
            f'select {cols} from {database}."edition_{table}" where edition_id = ? order by all',
            [edition_id]).fetchall()
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([table, *columns])
        writer.writerows(rows)
        digest.update(buffer.getvalue().encode())
        counts[table] = len(rows)
    return digest.hexdigest(), counts


def freeze(edition: str, year: int, created_by: str, note: str | None = None) -> dict:
    """Freeze ``edition`` of ``year`` from the current serving snapshot; re-publish the same data version so
    the snapshot shows it."""
    from urbanmon import publish

    if edition not in EDITIONS:
        raise EditionError(f"unknown edition {edition!r}: one of {sorted(EDITIONS)}")
    if EDITIONS[edition] is not None and year != EDITIONS[edition]:
        raise EditionError(f"the {edition} edition is the evaluation of {EDITIONS[edition]}, not {year}")
    if not created_by.strip():
        raise EditionError("an edition needs its editor's name (--by)")
    serving = paths().serving_db
    if not serving.exists():
        raise EditionError(f"no serving snapshot to freeze: {serving} does not exist yet")
    target = paths().editions_db
    target.parent.mkdir(parents=True, exist_ok=True)
    with publish.publish_lock(serving.parent):
        con = duckdb.connect(str(target))
        try:
            con.execute(f"attach '{serving}' as serving (read_only)")
            years = [r[0] for r in con.execute(
                "select distinct year from serving.indicator_progress order by 1").fetchall()]
            if year not in years:
                raise EditionError(f"no assessed data for {year} in the serving snapshot (years: {years})")
            snap = con.execute("select snapshot_id, built_at, git_revision from serving.snapshot").fetchone()
            registry_version = con.execute(
                "select min(registry_version) from serving.indicator_catalog").fetchone()[0]
            files = _snapshot_files(con)
            con.execute(f"create table if not exists main.{REGISTER} ({REGISTER_COLUMNS})")
            version = con.execute(f"select count(*) + 1 from main.{REGISTER} where edition = ? and year = ?",
                                  [edition, year]).fetchone()[0]
            edition_id = f"{edition}-{year}-v{version}"
            con.execute("begin transaction")
            for table, where in EDITION_TABLES.items():
                filt = f"where {where.format(year=int(year))}" if where else ""
                con.execute(f'create table if not exists main."edition_{table}" as select null::varchar as '
                            f'edition_id, * exclude (snapshot_id) from serving."{table}" where false')
                _add_new_columns(con, table)
                con.execute(f'insert into main."edition_{table}" by name select ?::varchar as edition_id, '
                            f'* exclude (snapshot_id) from serving."{table}" {filt}', [edition_id])
            sha, counts = content_hash(con, con.execute("select current_database()").fetchone()[0], edition_id)
            con.execute(
                f"insert into main.{REGISTER} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [edition_id, edition, year, version, dt.datetime.now(dt.UTC), created_by, note, snap[0], snap[1],
                 snap[2], registry_version, len(files),
                 hashlib.sha256("\n".join(sorted(files)).encode()).hexdigest(), json.dumps(counts), sha])
            con.execute("commit")
            con.execute("detach serving")
            con.execute("checkpoint")
        finally:
            con.close()
    # the same data version re-published with the new edition: the snapshot id and content hash do not change
    snapshot_id = publish.republish({"reason": f"edition {edition_id} frozen"})
    return {"edition_id": edition_id, "content_sha256": sha, "row_counts": counts, "snapshot_id": snapshot_id}


def _add_new_columns(con, table: str) -> None:
    """Columns added to a serving table since the edition table was created are added to it (NULL for the
    editions frozen before), so the contract can grow without breaking the next freeze."""
    have = {r[0] for r in con.execute(
        "select column_name from duckdb_columns() where database_name = current_database() and table_name = ?",
        [f"edition_{table}"]).fetchall()}
    for name, dtype in con.execute(
            "select column_name, data_type from duckdb_columns() where database_name = 'serving' "
            "and table_name = ? and column_name <> 'snapshot_id' order by column_index", [table]).fetchall():
        if name not in have:
            con.execute(f'alter table main."edition_{table}" add column "{name}" {dtype}')


def _snapshot_files(con) -> list[str]:
    """'feed/name/sha256' of every file the source snapshot holds (its ``snapshot_files``): the data versions
    behind the edition, exactly those of the snapshot it copies."""
    if not con.execute("select count(*) from duckdb_tables() where database_name = 'serving' "
                       "and table_name = 'snapshot_files'").fetchone()[0]:
        raise EditionError("the serving snapshot has no snapshot_files (published before file lists were kept): "
                           "publish a new snapshot first")
    return [f"{f}/{n}/{s}" for f, n, s in con.execute(
        "select feed_id, file_name, sha256 from serving.snapshot_files").fetchall()]


def copy_into(con, database: str | None, comment=None) -> list[str]:
    """Copy the register and every edition table from ``database`` (attached) into ``con``'s main schema; with
    no editions yet, an empty register with its columns. ``comment(table)`` is called on each table while it is
    still empty. Returns the table names."""
    comment = comment or (lambda table: None)
    if database is None:
        con.execute(f"create table main.{REGISTER} ({REGISTER_COLUMNS})")
        comment(REGISTER)
        return [REGISTER]
    names = [r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = ? and schema_name = 'main' order by 1",
        [database]).fetchall()]
    for name in names:
        con.execute(f'create table main."{name}" as select * from {database}.main."{name}" limit 0')
        comment(name)
        con.execute(f'insert into main."{name}" select * from {database}.main."{name}"')
    return names


def verify(database_path=None) -> list[dict]:
    """Recompute every edition's content hash and compare it with the one recorded at freezing."""
    path = database_path or paths().serving_db
    con = duckdb.connect(str(path), read_only=True)
    try:
        db = con.execute("select current_database()").fetchone()[0]
        out = []
        for edition_id, recorded in con.execute(
                f"select edition_id, content_sha256 from {REGISTER} order by edition_id").fetchall():
            sha, counts = content_hash(con, db, edition_id)
            out.append({"edition_id": edition_id, "recorded": recorded, "recomputed": sha, "ok": sha == recorded,
                        "row_counts": counts})
        return out
    finally:
        con.close()
