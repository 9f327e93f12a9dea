"""The pipeline's steps, called by the Airflow tasks (and by the CLI and the benchmark, the same code).

ingest (per feed) -> dbt build -> validate marts -> publish the serving snapshot; every run, passed or failed, also
publishes the operations record (files and their state, runs, validations, quarantine reasons).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from urbanmon import landing, publish, registry, warehouse
from urbanmon.feeds.spec import load_specs
from urbanmon.settings import DBT_PROJECT_DIR, paths

log = logging.getLogger(__name__)
SERVING_SUITES = ("serving__air_quality", "serving__progress")  # expectations/<suite>.json, gate the snapshot


def record_run(run_id: str, step: str, state: str, started_at: dt.datetime, message: str = "",
               dag_id: str | None = None) -> None:
    with warehouse.connect() as con:
        con.execute(
            "insert into ops.runs values (?, ?, ?, ?, ?, ?, ?)",
            [run_id, dag_id, step, started_at, dt.datetime.now(dt.UTC), state, message[:4000]],
        )


def dbt_project_hash() -> str:
    """Changes whenever a model, seed, macro or the project config changes: then a full rebuild is due."""
    digest = hashlib.sha256()
    for path in sorted(DBT_PROJECT_DIR.rglob("*")):
        rel = path.relative_to(DBT_PROJECT_DIR)
        if path.is_file() and rel.parts[0] not in ("target", "logs", "dbt_packages"):
            digest.update(str(rel).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def plan_build() -> tuple[bool, list[str]]:
    """(full_refresh, changed report dates): the dates whose raw rows changed since the last successful build
    of the same dbt project; a full rebuild when there is none, or the project changed."""
    project_hash = dbt_project_hash()
    with warehouse.connect() as con:
        last = con.execute(
            "select started_at, project_hash from ops.builds where state = 'success' "
            "order by started_at desc limit 1").fetchone()
        if last is None or last[1] != project_hash:
            return True, []
        dates = con.execute(
            "select distinct report_date::varchar from ops.files where processed_at > ? "
            "and report_date is not null order by 1", [last[0]]).fetchall()
    return False, [d for (d,) in dates]


def dbt_build(full_refresh: bool = True, changed_dates: list[str] | None = None) -> dict:
    """Run ``dbt build`` in a short-lived process (dbt keeps DuckDB locked until its process exits).

    With ``full_refresh=False`` only what depends on ``changed_dates`` (report dates) is rebuilt."""
    dbt = Path(sys.executable).with_name("dbt")
    target = paths().data / "dbt"
    cmd = [str(dbt), "build", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
           "--target-path", str(target / "target"), "--log-path", str(target / "logs")]
    env = {**os.environ, "URBANMON_BUILD_DB": str(paths().build_db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.pop("URBANMON_CHANGED_REPORT_DATES", None)
    if full_refresh:
        cmd += ["--full-refresh"]
    else:
        # The dates go through the environment, not --vars, so dbt's partial parse stays valid (dbt_project/README);
        # the selector skips seeds, unit tests and views, which only change with the project (-> full rebuild).
        env["URBANMON_CHANGED_REPORT_DATES"] = json.dumps(changed_dates or [])
        cmd += ["--selector", "incremental"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
        raise RuntimeError(f"dbt build failed (exit {proc.returncode}):\n{tail}")
    return {"seconds": elapsed, "summary": proc.stdout.splitlines()[-1] if proc.stdout else ""}


def validate_marts(run_id: str | None, changed_dates: list[str] | None = None) -> dict:
    """Validate the built serving tables. Returns {'success', 'bad_files': {name: reason}, 'failures': [...]}.

    With ``changed_dates`` the large tables are validated on the rows those dates can touch (the suite names the
    date column per table in ``incremental_on``); the small ones always whole."""
    import duckdb

    from urbanmon import quality

    outcomes = []
    con = duckdb.connect(str(paths().build_db), read_only=True)
    try:
        for suite, table, expectations in (
                (s, t, e) for s in map(quality.load_suite_spec, SERVING_SUITES) for t, e in s["tables"].items()):
            column = suite.get("incremental_on", {}).get(table)
            if changed_dates is not None and column:
                df = con.execute(
                    f"select * from serving.{table} where {column} in "
                    "(select unnest(?::date[])) or {column} in (select unnest(?::date[]) - 1)".format(column=column),
                    [changed_dates, changed_dates]).df()
            else:
                df = con.execute(f"select * from serving.{table}").df()
            index = "source_file_name" if "source_file_name" in df.columns else None
            outcomes.append(quality.validate_dataframe(df, f"{suite['name']}.{table}", f"serving.{table}",
                                                       expectations, index_column=index))
    finally:
        con.close()
    now = dt.datetime.now(dt.UTC)
    with warehouse.connect() as wcon:
        for o in outcomes:
            wcon.execute("insert into ops.validations values (?, ?, ?, ?, ?, ?, ?, ?)",
                         [run_id, o.suite, o.target, o.success, o.evaluated, o.failed,
                          json.dumps(o.details(), ensure_ascii=False, default=str), now])
    bad_files: dict[str, str] = {}
    for o in outcomes:
        for name, reasons in o.bad_files().items():
            bad_files[name] = "; ".join(reasons)
    failures = [f"{o.target}: {x.expectation} on {x.column} ({x.unexpected_count} rows, e.g. {x.sample[:3]})"
                for o in outcomes for x in o.outcomes if not x.success and x.severity == "critical"]
    return {"success": all(o.critical_success for o in outcomes), "bad_files": bad_files, "failures": failures}


def quarantine_loaded(bad_files: dict[str, str], run_id: str | None) -> list[str]:
    """Take files that passed the raw checks but broke a mart check back out of the raw tables, into quarantine."""
    done = []
    now = dt.datetime.now(dt.UTC)
    with warehouse.connect() as con:
        for spec in load_specs().values():
            for name, reason in bad_files.items():
                row = con.execute(
                    "select sha256 from ops.files where feed_id = ? and name = ? and state = 'loaded'",
                    [spec.feed_id, name]).fetchone()
                if not row:
                    continue
                con.execute("begin transaction")
                con.execute(f"delete from {spec.raw_table} where source_file_sha256 = ?", [row[0]])
                con.execute(
                    "update ops.files set state = 'quarantined', rule = 'mart_validation', error = ?, "
                    "processed_at = ?, run_id = ? where feed_id = ? and sha256 = ?",
                    [f"{name}: [mart_validation] {reason}", now, run_id, spec.feed_id, row[0]])
                con.execute("commit")
                receipt = next((r for r in landing.received(spec) if r.sha256 == row[0]), None)
                if receipt:
                    landing.quarantine_file(receipt, {"rule": "mart_validation", "text": reason})
                done.append(name)
    return done


def transform_validate_publish(run_id: str) -> dict:
    """dbt build -> validate -> publish; a file that breaks a mart check is quarantined and the build redone."""
    timings = {}
    t0 = time.perf_counter()
    with warehouse.connect() as con:
        warehouse.ensure_all_raw_tables(con)
    full_refresh, changed = plan_build()
    started = dt.datetime.now(dt.UTC)
    project_hash = dbt_project_hash()
    try:
        registry.load()  # a broken registry fails here, naming its entries (dbt's registry models check it too)
        timings["dbt_build_s"] = dbt_build(full_refresh, changed)["seconds"]
        t1 = time.perf_counter()
        scope = None if full_refresh else changed
        check = validate_marts(run_id, scope)
        timings["validate_marts_s"] = time.perf_counter() - t1
        if not check["success"] and check["bad_files"]:
            removed = quarantine_loaded(check["bad_files"], run_id)
            log.warning("quarantined after mart validation: %s", removed)
            # the removed files' dates are rebuilt from raw, which no longer has their rows
            full_refresh, more = (True, []) if full_refresh else plan_build()
            changed = sorted(set(changed) | set(more))
            timings["dbt_rebuild_s"] = dbt_build(full_refresh, changed)["seconds"]
            check = validate_marts(run_id, None if full_refresh else changed)
        if not check["success"]:
            raise RuntimeError("mart validation failed, snapshot not published: " + " | ".join(check["failures"]))
        t2 = time.perf_counter()
        snapshot_id = publish.publish_snapshot(extra={"run_id": run_id, "full_refresh": full_refresh,
                                                      "changed_report_dates": changed})
        timings["publish_s"] = time.perf_counter() - t2
    except BaseException:
        _record_build(run_id, started, full_refresh, changed, project_hash, "failed", None)
        raise
    _record_build(run_id, started, full_refresh, changed, project_hash, "success", snapshot_id)
    timings["total_s"] = time.perf_counter() - t0
    return {"snapshot_id": snapshot_id, "timings": timings, "full_refresh": full_refresh, "changed": changed}


def _record_build(run_id, started, full_refresh, changed, project_hash, state, snapshot_id) -> None:
    with warehouse.connect() as con:
        con.execute("insert into ops.builds values (?, ?, ?, ?, ?::date[], ?, ?, ?)",
                    [run_id, started, dt.datetime.now(dt.UTC), full_refresh, changed, project_hash, state,
                     snapshot_id])


def publish_operations(run_id: str | None = None) -> str:
    """Publish the operations record (always, also after a failure) to data/serving/operations.duckdb."""
    with warehouse.connect():
        pass  # makes sure the ops schema exists even before the first file
    return publish.publish_snapshot(source_schema="ops", target=paths().operations_db, extra={"run_id": run_id})


def feed_ids() -> list[str]:
    return sorted(load_specs())
