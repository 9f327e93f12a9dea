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
from dataclasses import dataclass, field

from urbanmon import dbt_failures, dbt_process, faults, landing, publish, registry, warehouse
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
    # the plan registry feeds the registry, path, progress and league models: a change rebuilds everything
    for name in registry.VERSIONED_FILES:
        path = registry.registry_dir() / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b""))
    return digest.hexdigest()[:16]


@dataclass
class BuildPlan:
    """What the next dbt build must do: everything (``full_refresh``), or what depends on the feeds whose files
    changed since the last successful build of the same project (``feeds``; for the CNEMC models, which are
    incremental by report date, the changed ``dates``)."""

    full_refresh: bool
    dates: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)


def plan_build() -> BuildPlan:
    project_hash = dbt_project_hash()
    with warehouse.connect() as con:
        last = con.execute(
            "select started_at, project_hash from ops.builds where state = 'success' "
            "order by started_at desc limit 1").fetchone()
        if last is None or last[1] != project_hash:
            return BuildPlan(True)
        changed = con.execute(
            "select feed_id, report_date::varchar from ops.files where processed_at > ? order by 1, 2",
            [last[0]]).fetchall()
    return BuildPlan(False, sorted({d for _, d in changed if d is not None}), sorted({f for f, _ in changed}))


def dbt_selection(feeds: list[str]) -> list[str]:
    """dbt arguments of an incremental build: every table downstream of the changed feeds' raw tables (the
    indicators that depend on them, and only those), not the seeds, unit tests and views, which only change with
    the project (and a changed project gets a full rebuild)."""
    if not feeds:
        return ["--select", "registry_indicators"]  # nothing changed: a no-op build keeps the run's record honest
    return ["--select", *[f"source:*.{feed}+" for feed in feeds],
            "--exclude", "resource_type:seed", "resource_type:unit_test", "config.materialized:view"]


class DbtBuildFailed(RuntimeError):
    """dbt build failed; ``failures`` are the failed nodes (dbt_failures.Failure), the message explains them."""

    def __init__(self, message: str, failures: list):
        super().__init__(message)
        self.failures = failures


def dbt_build(plan: BuildPlan) -> dict:
    """Run ``dbt build`` in a short-lived process (dbt keeps DuckDB locked until its process exits).

    A full build rebuilds everything; otherwise only what depends on the changed feeds (``dbt_selection``), the
    CNEMC models only for the changed report dates. Returns the seconds taken and the nodes dbt ran."""
    target = paths().data / "dbt"
    # `dbt build` through urbanmon.dbt_process: manifest.json only when read (full or failed builds), stage timings
    cmd = [sys.executable, "-m", "urbanmon.dbt_process", "build", "--project-dir", str(DBT_PROJECT_DIR),
           "--profiles-dir", str(DBT_PROJECT_DIR),
           "--target-path", str(target / "target"), "--log-path", str(target / "logs")]
    env = {**os.environ, "URBANMON_BUILD_DB": str(paths().build_db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.pop("URBANMON_CHANGED_REPORT_DATES", None)
    if plan.full_refresh:
        cmd += ["--full-refresh"]
    else:
        # The dates go through the environment, not --vars, so dbt's partial parse stays valid (dbt_project/README)
        env["URBANMON_CHANGED_REPORT_DATES"] = json.dumps(plan.dates)
        cmd += dbt_selection(plan.feeds)
    (target / "target" / dbt_process.TIMINGS_FILE).unlink(missing_ok=True)
    t0 = time.perf_counter()
    # dbt dies with this process (a killed worker leaves no orphan dbt holding the build database's lock)
    # the build file's turn (warehouse.build_lock): the heartbeat never opens it while dbt writes
    with warehouse.build_lock(), subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                                  env=env, preexec_fn=faults.die_with_parent) as proc:
        faults.point("dbt_build")
        try:
            stdout, stderr = proc.communicate(timeout=1800)
        except subprocess.TimeoutExpired:
            proc.kill()
            stdout, stderr = proc.communicate()
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        # what failed, in words, for the operations record and the alert (the full log stays in dbt.log)
        found = dbt_failures.failures(target / "target", DBT_PROJECT_DIR)
        raise DbtBuildFailed(f"dbt build failed (exit {proc.returncode})\n"
                             + dbt_failures.explain(found, stdout + stderr, target / "logs" / "dbt.log"), found)
    nodes, node_seconds = [], {}
    results = target / "target" / "run_results.json"
    if results.exists():
        ran = json.loads(results.read_text())["results"]
        nodes = [(r["unique_id"], r["status"]) for r in ran]
        node_seconds = {r["unique_id"]: r.get("execution_time") or 0.0 for r in ran}
    stages = {}
    timings_file = target / "target" / dbt_process.TIMINGS_FILE
    if timings_file.exists():
        stages = json.loads(timings_file.read_text())
    return {"seconds": elapsed, "summary": stdout.splitlines()[-1] if stdout else "", "nodes": nodes,
            "node_seconds": node_seconds, "stages": stages}


def validate_marts(run_id: str | None, changed_dates: list[str] | None = None) -> dict:
    """Validate the built serving tables. Returns {'success', 'bad_files': {name: reason}, 'failures': [...]}.

    With ``changed_dates`` the large tables are validated on the rows those dates can touch (the suite names the
    date column per table in ``incremental_on``); the small ones always whole."""
    import duckdb

    from urbanmon import quality

    outcomes = []
    lock = warehouse.build_lock()  # the build file's turn, released in the finally below
    lock.__enter__()
    try:
        con = duckdb.connect(str(paths().build_db), read_only=True)
    except BaseException:
        lock.__exit__(None, None, None)
        raise
    try:
        for suite, table, expectations in (
                (s, t, e) for s in map(quality.load_suite_spec, SERVING_SUITES) for t, e in s["tables"].items()):
            outcomes.append(_validate_table(con, suite, table, expectations, changed_dates))
            faults.point("validation")
    finally:
        con.close()
        lock.__exit__(None, None, None)
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


def _validate_table(con, suite: dict, table: str, expectations: list[dict], changed_dates: list[str] | None):
    """One serving table through its GX expectations, reading only the columns they check (and the file name that
    attributes a failure). A table with a date column (``incremental_on``) is read for the changed dates only, or,
    on a full build, one year at a time — its expectations are per row, or unique per date — so memory stays that
    of one year however long the history."""
    from urbanmon import quality

    present = [r[0] for r in con.execute(
        "select column_name from duckdb_columns() where schema_name = 'serving' and table_name = ? "
        "order by column_index", [table]).fetchall()]
    wanted = {c for e in expectations for c in [e["kwargs"].get("column"), *e["kwargs"].get("column_list", [])] if c}
    index = "source_file_name" if "source_file_name" in present else None
    missing = sorted(wanted - set(present))
    if missing:
        raise KeyError(f"suite {suite['name']}: column(s) {missing} not in serving.{table}")
    whole_rows = any(e["type"].startswith("expect_table_") for e in expectations)  # a table-level check sees all
    columns = ", ".join(f'"{c}"' for c in present if whole_rows or c in wanted or c == index)
    column = suite.get("incremental_on", {}).get(table)
    name, target = f"{suite['name']}.{table}", f"serving.{table}"
    if column and changed_dates is not None:
        chunks = [con.execute(
            f"select {columns} from serving.{table} where {column} in (select unnest(?::date[])) "
            f"or {column} in (select unnest(?::date[]) - 1)", [changed_dates, changed_dates]).df()]
    elif column:
        years = [r[0] for r in con.execute(
            f"select distinct year({column}) from serving.{table} order by 1").fetchall()]
        chunks = (con.execute(f"select {columns} from serving.{table} where year({column}) is not distinct from ?",
                              [year]).df() for year in years or [None])
    else:
        chunks = [con.execute(f"select {columns} from serving.{table}").df()]
    return _merged([quality.validate_dataframe(df, name, target, expectations, index_column=index)
                    for df in chunks])


def _merged(parts: list):
    """The outcomes of one table validated in parts, as one outcome (counts summed, file attributions merged)."""
    import dataclasses

    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    outcomes = []
    for i, outcome in enumerate(first.outcomes):
        same = [p.outcomes[i] for p in parts]
        bad: dict[str, int] = {}
        for o in same:
            for name, count in o.bad_files.items():
                bad[name] = bad.get(name, 0) + count
        outcomes.append(dataclasses.replace(
            outcome, success=all(o.success for o in same), unexpected_count=sum(o.unexpected_count for o in same),
            bad_files=bad, sample=[v for o in same for v in o.sample][:5]))
    return dataclasses.replace(first, success=all(p.success for p in parts),
                               evaluated=sum(p.evaluated for p in parts), outcomes=outcomes)


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


def _new_files() -> list[tuple[str, str, str]]:
    """(feed_id, sha256, name) of the files loaded since the last successful build: the only ones a failure that
    was not there before can come from (files already published are never quarantined for it)."""
    with warehouse.connect() as con:
        last = con.execute("select max(started_at) from ops.builds where state = 'success'").fetchone()[0]
        return con.execute(
            "select feed_id, sha256, name from ops.files where state = 'loaded' and (?::timestamptz is null "
            "or processed_at > ?::timestamptz) order by feed_id, received_at, name", [last, last]).fetchall()


def _hold(files: list[tuple[str, str, str]], aside: bool) -> None:
    """Take files' rows out of their raw tables into hold.<table> (``aside``), or put them back: how a build is
    tried without some files, losing nothing."""
    specs = load_specs()
    with warehouse.connect() as con:
        con.execute("begin transaction")
        con.execute("create schema if not exists hold")
        for feed_id in sorted({f for f, _, _ in files}):
            raw = specs[feed_id].raw_table
            hold = "hold." + raw.rsplit(".", 1)[-1]
            shas = [sha for f, sha, _ in files if f == feed_id]
            con.execute(f"create table if not exists {hold} as select * from {raw} limit 0")
            source, dest = (raw, hold) if aside else (hold, raw)
            con.execute(f"insert into {dest} by name select * from {source} "
                        "where source_file_sha256 in (select unnest(?::varchar[]))", [shas])
            con.execute(f"delete from {source} where source_file_sha256 in (select unnest(?::varchar[]))", [shas])
        con.execute("commit")


def _builds(plan: BuildPlan) -> tuple[bool, list]:
    try:
        dbt_build(plan)
        return True, []
    except DbtBuildFailed as exc:
        return False, exc.failures


def attribute_test_failures(run_id: str, plan: BuildPlan, failed: DbtBuildFailed) -> list[str]:
    """A failing dbt data test traced to the newly arrived files whose removal makes it pass: they are quarantined
    with the test in words and its first failing rows as the reason (a superseded earlier version of theirs comes
    back), and the caller builds again without them. A failure that is not a data test, or that new files do not
    explain (a broken registry, a model bug), is raised unchanged: nothing is published, the last snapshot serves.

    Group testing: all new files are set aside and the build tried (it must pass, or the failure is not theirs);
    then groups are put back, halving a group whose return makes the build fail, down to single files."""
    if not failed.failures or any(f.kind != "test" for f in failed.failures):
        raise failed
    new = _new_files()
    if not new:
        raise failed
    _hold(new, aside=True)
    ok, _ = _builds(plan)
    if not ok:
        _hold(new, aside=False)
        raise failed
    reasons: dict[tuple[str, str, str], str] = {}

    def search(group):
        _hold(group, aside=False)
        ok, failures = _builds(plan)
        if ok:
            return
        if len(group) == 1:  # the culprit: its failing rows are read now, while the build holds them
            tests = [f for f in failures if f.kind == "test"] or failed.failures
            reasons[group[0]] = " | ".join(
                dbt_failures.reason(f, dbt_failures.failing_rows(paths().build_db, f)) for f in tests)
        _hold(group, aside=True)
        if len(group) > 1:
            half = len(group) // 2
            search(group[:half])
            search(group[half:])

    search(new)
    return quarantine_held(reasons, run_id)


def quarantine_held(reasons: dict[tuple[str, str, str], str], run_id: str | None) -> list[str]:
    """Quarantine files whose rows are held aside: ledger state, reason, the quarantine folder; an earlier version
    they superseded is loaded again (its rows come back from history.<feed>)."""
    now = dt.datetime.now(dt.UTC)
    specs = load_specs()
    done = []
    with warehouse.connect() as con:
        for (feed_id, sha, name), why in reasons.items():
            spec = specs[feed_id]
            table = spec.raw_table.rsplit(".", 1)[-1]
            con.execute("begin transaction")
            con.execute(f"delete from hold.{table} where source_file_sha256 = ?", [sha])
            con.execute("update ops.files set state = 'quarantined', rule = 'dbt_test', error = ?, processed_at = ?, "
                        "run_id = ? where feed_id = ? and sha256 = ?",
                        [f"{name}: [dbt_test] {why}", now, run_id, feed_id, sha])
            for (old,) in con.execute("select sha256 from ops.files where feed_id = ? and state = 'superseded' "
                                      "and superseded_by = ?", [feed_id, sha]).fetchall():
                con.execute(f"insert into {spec.raw_table} by name select * exclude (superseded_at, "
                            f"superseded_by_sha256) from history.{table} where source_file_sha256 = ? "
                            "and superseded_by_sha256 = ?", [old, sha])
                con.execute("update ops.files set state = 'loaded', superseded_by = null, processed_at = ? "
                            "where feed_id = ? and sha256 = ?", [now, feed_id, old])
            con.execute("commit")
            receipt = next((r for r in landing.received(spec) if r.sha256 == sha), None)
            if receipt:
                landing.quarantine_file(receipt, {"rule": "dbt_test", "text": why})
            done.append(name)
    return done


def transform_validate_publish(run_id: str, full_refresh: bool = False) -> dict:
    """dbt build -> validate -> publish; a file that breaks a mart check is quarantined and the build redone.
    ``full_refresh`` forces a rebuild of everything (a replay from the archive)."""
    timings = {}
    quarantined: list[str] = []
    t0 = time.perf_counter()
    with warehouse.connect() as con:
        warehouse.ensure_all_raw_tables(con)
    plan = BuildPlan(True) if full_refresh else plan_build()
    started = dt.datetime.now(dt.UTC)
    project_hash = dbt_project_hash()
    try:
        registry.load()  # a broken registry fails here, naming its entries (dbt's registry models check it too)
        try:
            built = dbt_build(plan)
        except DbtBuildFailed as failed:
            # a data test broken by newly arrived files: quarantine them, publish everything else in this run
            quarantined = attribute_test_failures(run_id, plan, failed)
            log.warning("quarantined after a failed dbt test: %s", quarantined)
            built = dbt_build(plan)
        timings["dbt_build_s"] = built["seconds"]
        for stage, seconds in built["stages"].items():  # start-up (imports, project) vs execution
            timings[f"dbt_{stage}"] = seconds
        timings["dbt_nodes_s"] = built["node_seconds"]
        _record_nodes(run_id, built["nodes"])
        t1 = time.perf_counter()
        scope = None if plan.full_refresh else plan.dates
        check = validate_marts(run_id, scope)
        timings["validate_marts_s"] = time.perf_counter() - t1
        if not check["success"] and check["bad_files"]:
            removed = quarantine_loaded(check["bad_files"], run_id)
            log.warning("quarantined after mart validation: %s", removed)
            # the removed files' dates are rebuilt from raw, which no longer has their rows
            if not plan.full_refresh:
                more = plan_build()
                plan = BuildPlan(more.full_refresh, sorted(set(plan.dates) | set(more.dates)),
                                 sorted(set(plan.feeds) | set(more.feeds)))
            rebuilt = dbt_build(plan)
            timings["dbt_rebuild_s"] = rebuilt["seconds"]
            _record_nodes(run_id, rebuilt["nodes"])
            check = validate_marts(run_id, None if plan.full_refresh else plan.dates)
        if not check["success"]:
            raise RuntimeError("mart validation failed, snapshot not published: " + " | ".join(check["failures"]))
        t2 = time.perf_counter()
        snapshot_id = publish.publish_snapshot(extra={"run_id": run_id, "full_refresh": plan.full_refresh,
                                                      "changed_report_dates": plan.dates,
                                                      "changed_feeds": plan.feeds},
                                               build={"run_id": run_id, "started_at": started})
        timings["publish_s"] = time.perf_counter() - t2
    except BaseException as exc:
        # the serving snapshot says so at its next re-publication (publish_operations: last_build, files_waiting)
        _record_build(run_id, started, plan.full_refresh, plan.dates, project_hash, "failed", None,
                      f"{type(exc).__name__}: {exc}"[:4000])
        raise
    _record_build(run_id, started, plan.full_refresh, plan.dates, project_hash, "success", snapshot_id)
    timings["total_s"] = time.perf_counter() - t0
    return {"snapshot_id": snapshot_id, "timings": timings, "full_refresh": plan.full_refresh,
            "changed": plan.dates, "feeds": plan.feeds, "quarantined": quarantined}


def _record_nodes(run_id, nodes: list[tuple[str, str]]) -> None:
    """The dbt nodes a build ran (run_results.json): which models a file's arrival rebuilt."""
    if not nodes:
        return
    with warehouse.connect() as con:
        con.executemany("insert into ops.build_nodes values (?, ?, ?, ?)",
                        [[run_id, node, status, dt.datetime.now(dt.UTC)] for node, status in nodes])


def _record_build(run_id, started, full_refresh, changed, project_hash, state, snapshot_id, error=None) -> None:
    with warehouse.connect() as con:
        con.execute("insert into ops.builds (run_id, started_at, finished_at, full_refresh, changed_report_dates, "
                    "project_hash, state, snapshot_id, error) values (?, ?, ?, ?, ?::date[], ?, ?, ?, ?)",
                    [run_id, started, dt.datetime.now(dt.UTC), full_refresh, changed, project_hash, state,
                     snapshot_id, error])


def publish_operations(run_id: str | None = None) -> str:
    """Publish the operations record (always, also after a failure) to data/serving/operations.duckdb, stamped with
    the serving snapshot's id, and re-publish the serving snapshot's operations tables (same data version: same
    snapshot id and content hash), so the serving file alone says the last build's state and the files waiting."""
    with warehouse.connect():
        pass  # makes sure the ops schema exists even before the first file
    from urbanmon import accounting, alerts, freshness

    # each step is guarded: one that fails must not keep the operations record (with the failure) from being published
    for step, call in (("accounting", accounting.write),  # ops.file_accounting: every file in exactly one state
                       ("freshness", freshness.judge),  # ops.feed_freshness: each feed's next due date and state
                       ("alerts", lambda: alerts.run(run_id))):  # status changes, quarantine, failed runs, overdue
        try:
            call()
        except Exception:
            log.exception("%s failed while publishing the operations record", step)
    snapshot_id = publish.publish_snapshot(source_schema="ops", target=paths().operations_db,
                                           extra={"run_id": run_id})
    publish.refresh("operations refreshed")
    return snapshot_id


def feed_ids() -> list[str]:
    return sorted(load_specs())
