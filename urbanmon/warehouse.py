"""The private build database: raw tables and the ledger of files, runs and validations (schema ``ops``).

Only pipeline tasks open it, one at a time (an Airflow pool of one slot), and the heartbeat outside Airflow, taking
its turn through ``build_lock``; readers use the published snapshot.
"""

from __future__ import annotations

import contextlib
import fcntl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from urbanmon.feeds.spec import FeedSpec
from urbanmon.settings import paths

OPS_DDL = """
create schema if not exists ops;
create schema if not exists raw;
create table if not exists ops.files (
    feed_id varchar not null,
    sha256 varchar not null,
    name varchar not null,
    size_bytes bigint,
    received_at timestamptz,
    archive_path varchar,
    state varchar not null,          -- loaded | quarantined | superseded | retired (sample data replaced by real)
    rule varchar,                    -- the rule a quarantined file broke
    error varchar,                   -- the full message: file, line, column, rule
    report_date date,
    rows_loaded bigint,
    values_loaded bigint,
    processed_at timestamptz not null,
    run_id varchar,
    superseded_by varchar,
    primary key (feed_id, sha256)
);
create table if not exists ops.runs (
    run_id varchar not null,
    dag_id varchar,
    step varchar not null,
    started_at timestamptz not null,
    finished_at timestamptz,
    state varchar not null,          -- running | success | failed
    message varchar
);
create table if not exists ops.builds (
    run_id varchar,
    started_at timestamptz not null,
    finished_at timestamptz,
    full_refresh boolean not null,
    changed_report_dates date[],
    project_hash varchar not null,
    state varchar not null,          -- running | success | failed
    snapshot_id varchar,
    error varchar                    -- why a failed build failed, in words
);
alter table ops.builds add column if not exists error varchar;
create table if not exists ops.build_nodes (
    run_id varchar,
    unique_id varchar not null,      -- the dbt node a build ran (run_results.json)
    status varchar,
    recorded_at timestamptz not null
);
create table if not exists ops.validations (
    run_id varchar,
    suite varchar not null,
    target varchar not null,
    success boolean not null,
    evaluated integer,
    failed integer,
    details json,
    validated_at timestamptz not null
);
create table if not exists ops.feed_freshness (
    feed_id varchar not null,        -- one row per feed, replaced whenever freshness is judged
    as_of timestamptz not null,      -- the moment it was judged at (real clock, or the sample's own as-of date)
    last_received_at timestamptz,
    last_period varchar,             -- the latest period the feed delivered (e.g. 2025, 2025-06)
    next_due_at timestamptz,         -- from the feed's release calendar
    state varchar not null,          -- on_time | due_soon | overdue | never_received
    detail varchar                   -- a sentence in Chinese for the board and the alert
);
-- today | sample_as_of (a feed holding only the shipped sample) | override (URBANMON_AS_OF); added later: old files
alter table ops.feed_freshness add column if not exists as_of_basis varchar;
create table if not exists ops.status_changes (
    change_id varchar not null,      -- stable: hash of indicator, area, milestone, method, new snapshot
    detected_at timestamptz not null,
    indicator_code varchar not null,
    area_code varchar not null,
    milestone_year integer,
    method varchar,
    old_status varchar,
    new_status varchar not null,
    old_snapshot_id varchar,
    new_snapshot_id varchar not null,
    feed_id varchar,                 -- the feed and file that changed the picture
    file_sha256 varchar,
    file_name varchar,
    explanation varchar not null     -- Chinese: what changed, from which file, the status inputs
);
create table if not exists ops.alerts (
    alert_id varchar not null,       -- stable key: a re-run never alerts twice
    kind varchar not null,           -- status_change | feed_overdue | file_quarantined | run_failed | rule_change;
                                     -- the heartbeat's: service_down | service_restarted | service_gave_up |
                                     -- landing_stuck (urbanmon/supervision.py)
    subject varchar not null,
    body varchar not null,
    recipients varchar[],
    created_at timestamptz not null,
    sent_at timestamptz,
    error varchar
);
create table if not exists ops.sample_retirements (
    feed_id varchar not null,        -- sample (synthetic) data retired by real data: the sample is a removable layer
    year integer not null,           -- the year whose sample files were retired (NULL year: the whole feed, by command)
    sha256 varchar not null,         -- the retired sample file
    name varchar not null,
    retired_at timestamptz not null,
    by_file varchar,                 -- the first real file of that year, or 'urbanmon samples retire' (a command)
    rows_retired bigint
);
create table if not exists ops.file_revisions (
    feed_id varchar not null,        -- a corrected file superseded an earlier one for the same period
    period varchar,                  -- the period both files report (report date)
    old_sha256 varchar not null,
    old_name varchar not null,
    old_received_at timestamptz,     -- the old values were known from then ...
    new_sha256 varchar not null,
    new_name varchar not null,
    new_received_at timestamptz,     -- ... until the corrected file arrived (both stay in the archive)
    revised_at timestamptz not null,
    run_id varchar
);
create table if not exists ops.file_accounting (
    feed_id varchar not null,
    name varchar not null,
    sha256 varchar,                  -- null for a file still in landing (not hashed yet)
    state varchar not null,          -- landing | pending | processed | quarantined | none
    ledger_state varchar,            -- loaded | superseded | quarantined (ops.files), null if not in the ledger
    anomaly varchar,                 -- null, or what is wrong (Chinese): in no state or in two
    checked_at timestamptz not null
);
create table if not exists ops.versions_seen (
    kind varchar not null,           -- alerts: the method and registry versions the last statuses were judged under
    version varchar,
    seen_at timestamptz
);
create table if not exists ops.status_seen (
    indicator_code varchar not null, -- alerts: the last status seen per indicator, area, milestone and method
    area_code varchar not null,
    milestone_year integer,
    method varchar,
    year integer,
    status varchar,
    status_zh varchar,
    actual_value double,
    snapshot_id varchar,
    seen_at timestamptz
);
"""


class BuildBusy(TimeoutError):
    """The build database stayed in use longer than a caller that must not wait (the heartbeat) would wait."""


_LOCAL = threading.RLock()
_DEPTH = {"n": 0, "handle": None}


@contextlib.contextmanager
def build_lock(wait: float | None = None) -> Iterator[None]:
    """Exclusive use of the build database by this process (flock on ``build/.lock``; re-entrant within a process).

    DuckDB's own file lock makes a second opener FAIL at once, not wait. Inside Airflow the pipeline's tasks take
    turns through a pool of one slot, but the heartbeat (urbanmon.supervision) is outside Airflow: every opener of
    the build file (this module's ``connect``, the dbt build, the publisher) takes this lock first, so they queue
    instead of colliding. ``wait=None`` blocks; otherwise BuildBusy after ``wait`` seconds."""
    with _LOCAL:
        if _DEPTH["n"] == 0:
            lock_file = paths().build_db.parent / ".lock"
            lock_file.parent.mkdir(parents=True, exist_ok=True)
            handle = open(lock_file, "a+")  # noqa: SIM115 - held across the yield, closed below
            deadline = None if wait is None else time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | (0 if deadline is None else fcntl.LOCK_NB))
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        handle.close()
                        raise BuildBusy(f"build database busy for more than {wait:.0f} s") from None
                    time.sleep(0.1)
            _DEPTH["handle"] = handle
        _DEPTH["n"] += 1
        try:
            yield
        finally:
            _DEPTH["n"] -= 1
            if _DEPTH["n"] == 0:
                handle, _DEPTH["handle"] = _DEPTH["handle"], None
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()


@contextlib.contextmanager
def connect(path: Path | None = None, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    path = path or paths().build_db
    path.parent.mkdir(parents=True, exist_ok=True)
    # only the platform's own build file is shared with the heartbeat; other files need no turn-taking
    with build_lock() if path == paths().build_db else contextlib.nullcontext():
        con = duckdb.connect(str(path), read_only=read_only, config={"threads": 2, "memory_limit": "512MB"})
        try:
            if not read_only:
                con.execute(OPS_DDL)
            yield con
        finally:
            con.close()


def ensure_raw_table(con: duckdb.DuckDBPyConnection, spec: FeedSpec, arrow_schema) -> None:
    columns = ["source_file_sha256 varchar not null", "source_file_name varchar not null"]
    type_names = {"date32[day]": "date", "int8": "tinyint", "int32": "integer", "int64": "bigint",
                  "string": "varchar", "double": "double", "bool": "boolean"}
    for field in arrow_schema:
        columns.append(f"{field.name} {type_names[str(field.type)]}")
    con.execute(f"create table if not exists {spec.raw_table} ({', '.join(columns)})")


def ensure_all_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Every feed's raw table exists (empty until its first file), so dbt can always build."""
    import importlib

    from urbanmon.feeds.spec import load_specs

    for spec in load_specs().values():
        module = importlib.import_module(spec.adapter.rsplit(".", 1)[0])
        ensure_raw_table(con, spec, module.raw_schema(spec))


def known_files(con: duckdb.DuckDBPyConnection, feed_id: str) -> dict[str, str]:
    rows = con.execute("select sha256, state from ops.files where feed_id = ?", [feed_id]).fetchall()
    return dict(rows)
