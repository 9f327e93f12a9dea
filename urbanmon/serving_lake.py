"""The serving store as a DuckLake (docs/decisions/0014-serving-store.md): publication proportional to what changed.

Measured against the copied file and kept as a tested module: the boards stay on the DuckDB file of urbanmon.publish
because each lake query pays its catalog (ADR 0014); nothing in the pipeline or the readers uses this module yet.

A publication is ONE DuckLake snapshot (one catalog transaction): readers attached read-only see the old or the new
version, never a mix, and the publisher never waits for them (catalog in SQLite in WAL mode, or PostgreSQL; a
DuckDB-file catalog has DuckDB's two-way lock and is not used).

- ``publish_version``: the build's serving tables into the lake, writing only the changed report dates' rows of the
  date-keyed tables and the other tables only when their fingerprint changed.
- ``refresh_operations``: the operations tables replaced in their own snapshot; no data table is touched.
- ``connect``: a reader, optionally sealed (only the lake's folder readable, external access off, configuration
  locked) and optionally at an earlier snapshot (a citation reopened).
"""

from __future__ import annotations

import importlib
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

# date-keyed fact tables of the serving schema: a one-day change rewrites only that date's rows
DATE_KEYED = {"air_quality_hourly": "report_date", "air_quality_daily": "date"}
FINGERPRINTS = "_table_fingerprints"
# a reader's open transaction holds SQLite's read lock on the catalog: the publisher's commit then fails with
# "database is locked" and the whole publication is redone (the lake is unchanged by the failed one) until this
LOCKED_RETRY_S = 60.0
OPS_PREFIX = "ops_"


def extension_path(name: str) -> str:
    """The extension file of the PyPI wheel ``duckdb-extension-<name>`` (LOADs offline). The sqlite wheel ships
    ``sqlite.duckdb_extension`` whose entry point is ``sqlite_scanner_*``: DuckDB derives the entry point from the
    file name, so it is loaded from a copy named ``sqlite_scanner.duckdb_extension``."""
    try:
        module = importlib.import_module(f"duckdb_extension_{name}")
    except ImportError as exc:
        raise RuntimeError(f"the wheel duckdb-extension-{name} is not installed (requirements/pipeline.lock)") from exc
    found = next(Path(module.__file__).parent.rglob("*.duckdb_extension"))
    if name != "sqlite":
        return str(found)
    target = Path(tempfile.gettempdir()) / f"urbanmon-duckdb-{duckdb.__version__}" / "sqlite_scanner.duckdb_extension"
    if not target.exists() or target.stat().st_size != found.stat().st_size:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        shutil.copyfile(found, partial)
        partial.replace(target)
    return str(target)


def _catalog(lake: Path) -> str:
    return f"ducklake:sqlite:{lake / 'catalog.sqlite'}"


def connect(lake: Path, read_only: bool = True, sealed: bool = False, at_version: int | None = None):
    """A connection with the lake attached as ``lake`` and in use. ``sealed``: as the Superset connection must be."""
    if not read_only and sealed:
        raise ValueError("a sealed connection is a reader: read_only=True")
    if read_only and not (lake / "catalog.sqlite").exists():
        raise FileNotFoundError(f"no serving lake at {lake} (nothing published yet)")
    if not read_only and not (lake / "catalog.sqlite").exists():
        _new_catalog(lake / "catalog.sqlite")
    con = duckdb.connect(config={"threads": 2})
    con.execute(f"load '{extension_path('ducklake')}'")
    con.execute(f"load '{extension_path('sqlite')}'")
    options = ["read_only"] if read_only else [f"data_path '{lake / 'data'}/'"]
    if at_version is not None:
        options.append(f"snapshot_version {int(at_version)}")
    con.execute(f"attach '{_catalog(lake)}' as lake ({', '.join(options)})")
    con.execute("use lake")
    if sealed:
        con.execute(f"set allowed_directories = ['{lake}/']")
        for setting in ("enable_external_access", "autoinstall_known_extensions", "autoload_known_extensions",
                        "allow_community_extensions"):
            con.execute(f"set {setting} = false")
        con.execute("set lock_configuration = true")
    return con


def _new_catalog(path: Path) -> None:
    """An empty SQLite catalog in WAL mode (kept by the file): readers then never block the publisher's commit and
    the publisher never blocks their reads; in SQLite's default rollback journal both fail with "database is
    locked"."""
    import sqlite3

    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    try:
        con.execute("pragma journal_mode = wal")
    finally:
        con.close()


def _tables(con, database: str, schema: str) -> list[str]:
    return [t for (t,) in con.execute(
        "select table_name from duckdb_tables() where database_name = ? and schema_name = ? order by 1",
        [database, schema]).fetchall()]


def _fingerprint(con, table: str) -> str:
    """Row count and an order-independent sum of row hashes: enough to notice a changed table between two builds
    of one DuckDB version (the citable content hash stays urbanmon.publish's SHA-256)."""
    rows, total = con.execute(
        f'select count(*), coalesce(sum(hash(t)::hugeint), 0) from build.serving."{table}" t').fetchone()
    return f"{rows}:{total}"


def current_version(lake: Path) -> int:
    con = connect(lake)
    try:
        return con.execute("select max(snapshot_id) from lake.snapshots()").fetchone()[0]
    finally:
        con.close()


def _retrying(publish, *args):
    deadline = time.monotonic() + LOCKED_RETRY_S
    while True:
        try:
            return publish(*args)
        except duckdb.Error as exc:
            if "database is locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def publish_version(build_db: Path, lake: Path, changed_dates: list[str] | None = None) -> dict:
    """The build's ``serving`` schema published as one DuckLake snapshot, writing only what changed.

    ``changed_dates``: the report dates the build rebuilt (the build plan's); None = unknown, every date-keyed table
    is compared by fingerprint like the others. Returns {'version', 'written': {table: 'dates'|'table'},
    'unchanged': [table]}. A commit refused because a reader holds the catalog is redone (LOCKED_RETRY_S)."""
    if not Path(build_db).exists():
        raise FileNotFoundError(f"no build database at {build_db}")
    lake.mkdir(parents=True, exist_ok=True)
    return _retrying(_publish_version, build_db, lake, changed_dates)


def _publish_version(build_db: Path, lake: Path, changed_dates: list[str] | None) -> dict:
    con = connect(lake, read_only=False)
    try:
        con.execute(f"attach '{build_db}' as build (read_only)")
        tables = _tables(con, "build", "serving")
        if not tables:
            raise RuntimeError(f"nothing to publish: schema 'serving' of {build_db} has no tables")
        existing = set(_tables(con, "lake", "main"))
        known = dict(con.execute(f"select table_name, fingerprint from lake.{FINGERPRINTS}").fetchall()) \
            if FINGERPRINTS in existing else {}
        written, unchanged, prints = {}, [], {}
        con.execute("begin")
        for table in tables:
            key = DATE_KEYED.get(table)
            if key and changed_dates is not None and table in existing:
                if changed_dates:
                    days = [str(d) for d in changed_dates]
                    marks = ", ".join("?::date" for _ in days)
                    con.execute(f'delete from lake."{table}" where "{key}" in ({marks})', days)
                    con.execute(f'insert into lake."{table}" select * from build.serving."{table}" '
                                f'where "{key}" in ({marks})', days)
                    written[table] = "dates"
                else:
                    unchanged.append(table)
                prints[table] = None  # no longer known: the next publication without dates compares in full
                continue
            prints[table] = _fingerprint(con, table)
            if table in existing and known.get(table) == prints[table]:
                unchanged.append(table)
                continue
            con.execute(f'create or replace table lake."{table}" as select * from build.serving."{table}"')
            written[table] = "table"
        for gone in sorted(existing - set(tables) - {FINGERPRINTS}):
            if not gone.startswith(OPS_PREFIX):
                con.execute(f'drop table lake."{gone}"')
                written[gone] = "dropped"
        con.execute(f"create or replace table lake.{FINGERPRINTS} (table_name varchar, fingerprint varchar)")
        rows = [(t, p) for t, p in {**known, **prints}.items() if p is not None and t in tables]
        if rows:
            con.executemany(f"insert into lake.{FINGERPRINTS} values (?, ?)", rows)
        con.execute("commit")
        version = con.execute("select max(snapshot_id) from lake.snapshots()").fetchone()[0]
    finally:
        con.close()
    return {"version": version, "written": written, "unchanged": unchanged}


def refresh_operations(build_db: Path, lake: Path) -> int:
    """The build's ``ops`` tables as ``ops_<table>`` in their own snapshot: no data table is written."""
    return _retrying(_refresh_operations, build_db, lake)


def _refresh_operations(build_db: Path, lake: Path) -> int:
    con = connect(lake, read_only=False)
    try:
        con.execute(f"attach '{build_db}' as build (read_only)")
        con.execute("begin")
        for table in _tables(con, "build", "ops"):
            con.execute(f'create or replace table lake."{OPS_PREFIX}{table}" as select * from build.ops."{table}"')
        con.execute("commit")
        return con.execute("select max(snapshot_id) from lake.snapshots()").fetchone()[0]
    finally:
        con.close()


def data_files(lake: Path, table: str) -> int:
    """How many Parquet files the current version of ``table`` reads (what a publication wrote shows here)."""
    con = connect(lake)
    try:
        return len(con.execute("select * from ducklake_list_files('lake', ?)", [table]).fetchall())
    finally:
        con.close()
