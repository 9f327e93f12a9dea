"""Load every received-but-unprocessed file of a feed into its raw table.

Per batch: parse and check each file (the adapter names file, line, column and rule), validate the parsed rows with
Great Expectations, quarantine every file that failed either, and commit the rest with their ledger entries in ONE
DuckDB transaction. A file already in the ledger (same SHA-256) is skipped, so loading the same file twice changes
nothing. A newer file for a date already loaded supersedes the old one's rows (the ledger keeps both).
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from urbanmon import faults, landing, warehouse
from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import FeedSpec, get_spec
from urbanmon.settings import paths

log = logging.getLogger(__name__)


@dataclass
class IngestResult:
    feed_id: str
    loaded: list[str] = field(default_factory=list)
    quarantined: dict[str, str] = field(default_factory=dict)  # name -> reason
    skipped: list[str] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)   # sample files retired by the first real file of their year
    rows: int = 0
    values: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def _adapter(spec: FeedSpec):
    module, func = spec.adapter.rsplit(".", 1)
    return getattr(importlib.import_module(module), func)


def ingest_pending(feed_id: str, run_id: str | None = None, validate: bool = True) -> IngestResult:
    """Process every archived file of ``feed_id`` that the ledger does not know yet.

    Streams in chunks: while one chunk is validated and inserted, the next is parsed (two threads), so memory is
    bounded by two chunks and parsing overlaps DuckDB's insert. All chunks go into ONE transaction."""
    import time

    spec = get_spec(feed_id)
    result = IngestResult(feed_id)
    t0 = time.perf_counter()
    receipts = landing.received(spec)
    with warehouse.connect() as con:
        known = warehouse.known_files(con, feed_id)
        pending = [r for r in receipts if r.sha256 not in known]
        result.skipped = [r.name for r in receipts if r.sha256 in known]
        if not pending:
            return result

        # Two files for one date in one batch: the later received wins; the earlier is kept as superseded.
        latest: dict[str, landing.Receipt] = {}
        batch_superseded = []
        for receipt in pending:  # oldest first
            match = spec.matches(receipt.name)
            key = match.group("period") if match else receipt.sha256
            if key in latest:
                batch_superseded.append((latest[key], receipt))
            latest[key] = receipt
        todo = list(latest.values())

        parse = _adapter(spec)
        data_dir = paths().data

        def parse_one(receipt: landing.Receipt):
            try:
                return receipt, parse(data_dir / receipt.archive_path, spec, receipt.name), None
            except FeedError as exc:
                return receipt, None, exc.as_dict()
            except Exception as exc:  # an adapter bug must not lose the file: quarantine it with the reason
                log.exception("adapter crashed on %s", receipt.name)
                return receipt, None, FeedError(receipt.name, "adapter_error", repr(exc)).as_dict()

        now = dt.datetime.now(dt.UTC)
        errors: dict[str, dict] = {}
        quarantined: list[landing.Receipt] = []
        timings = {"parse_wait_s": 0.0, "validate_s": 0.0, "load_s": 0.0}
        chunks = [todo[i : i + LOAD_CHUNK_FILES] for i in range(0, len(todo), LOAD_CHUNK_FILES)]
        con.execute("begin transaction")
        try:
            warehouse.ensure_raw_table(con, spec, _raw_schema(spec))
            for older, newer in batch_superseded:
                _ledger(con, older, "superseded", now, run_id, None, superseded_by=newer.sha256)
                period = (m.group("period") if (m := spec.matches(newer.name)) else None)
                _revision(con, spec.feed_id, period, older.sha256, older.name, older.received_at, newer, now, run_id)
                result.superseded.append(older.name)
            with ThreadPoolExecutor(max_workers=2) as pool:
                futures = [pool.map(parse_one, chunks[0])] if chunks else []
                for i in range(len(chunks)):
                    t = time.perf_counter()
                    parsed = list(futures[i])
                    if i + 1 < len(chunks):  # parse the next chunk while this one is validated and inserted
                        futures.append(pool.map(parse_one, chunks[i + 1]))
                    timings["parse_wait_s"] += time.perf_counter() - t
                    good = [(r, p) for r, p, err in parsed if err is None]
                    for r, _, err in parsed:
                        if err is not None:
                            errors[r.sha256] = err
                            quarantined.append(r)
                    if validate and good and spec.raw_suite:
                        t = time.perf_counter()
                        validation = _validate_batch(spec, good)
                        bad = validation.bad_files()
                        for r, _ in good:
                            if r.name in bad:
                                errors[r.sha256] = FeedError(r.name, "validation", "; ".join(bad[r.name])).as_dict()
                                quarantined.append(r)
                        good = [(r, p) for r, p in good if r.sha256 not in errors]
                        con.execute(
                            "insert into ops.validations values (?, ?, ?, ?, ?, ?, ?, ?)",
                            [run_id, validation.suite, spec.raw_table, validation.critical_success,
                             validation.evaluated, validation.failed, _json(validation.details()), now],
                        )
                        timings["validate_s"] += time.perf_counter() - t
                    t = time.perf_counter()
                    _supersede(con, spec, good, result, now)
                    if good:
                        con.register("incoming", _with_lineage(good))
                        con.execute(f"insert into {spec.raw_table} select * from incoming")
                        con.unregister("incoming")
                    for receipt, parsed_file in good:
                        _ledger(con, receipt, "loaded", now, run_id, parsed_file.report_date,
                                rows=parsed_file.rows, values=parsed_file.values)
                        result.loaded.append(receipt.name)
                        result.rows += parsed_file.rows
                        result.values += parsed_file.values
                    timings["load_s"] += time.perf_counter() - t
                    del parsed, good
            for receipt in quarantined:
                err = errors[receipt.sha256]
                _ledger(con, receipt, "quarantined", now, run_id, None, rule=err["rule"], error=err["text"])
                result.quarantined[receipt.name] = err["text"]
            result.retired = retire_samples(con, spec, now)
            faults.point("ingest")
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        result.timings.update(timings)

    # Quarantine copies are written after the commit: the ledger is the truth, the folder a convenience copy.
    for receipt in quarantined:
        landing.quarantine_file(receipt, errors[receipt.sha256])
        log.warning("quarantined %s: %s", receipt.name, errors[receipt.sha256]["text"])
    result.timings["total_s"] = time.perf_counter() - t0
    return result


def _raw_schema(spec: FeedSpec):
    return importlib.import_module(spec.adapter.rsplit(".", 1)[0]).raw_schema(spec)


LOAD_CHUNK_FILES = 96


def _with_lineage(chunk) -> pa.Table:
    """One Arrow table for a chunk of files, with source_file_sha256/name as cheap dictionary columns."""
    tables = []
    for receipt, parsed_file in chunk:
        t = parsed_file.table
        idx = pa.array([0] * t.num_rows, type=pa.int32())
        sha = pa.DictionaryArray.from_arrays(idx, pa.array([receipt.sha256]))
        name = pa.DictionaryArray.from_arrays(idx, pa.array([receipt.name]))
        tables.append(t.add_column(0, "source_file_name", name).add_column(0, "source_file_sha256", sha))
    return pa.concat_tables(tables, promote_options="permissive")


def _supersede(con, spec: FeedSpec, good, result: IngestResult, now) -> None:
    """A newer file for a date already loaded replaces the older file's rows; the ledger keeps the history."""
    if not good:
        return
    dates = [p.report_date for _, p in good]
    old = con.execute(
        "select sha256, name, report_date, received_at from ops.files where feed_id = ? and state = 'loaded' "
        "and report_date in (select unnest(?::date[]))",
        [spec.feed_id, dates],
    ).fetchall()
    for sha, name, report_date, received_at in old:
        newer = next(r for r, p in good if p.report_date == report_date)
        period = m.group("period") if (m := spec.matches(newer.name)) else str(report_date)
        _revision(con, spec.feed_id, period, sha, name, received_at, newer, now, None)
        _keep_history(con, spec, sha, newer.sha256, now)
        con.execute(f"delete from {spec.raw_table} where source_file_sha256 = ?", [sha])
        con.execute(
            "update ops.files set state = 'superseded', superseded_by = ?, processed_at = ? "
            "where feed_id = ? and sha256 = ?",
            [newer.sha256, now, spec.feed_id, sha],
        )
        result.superseded.append(name)


def is_sample(spec: FeedSpec, name: str) -> bool:
    """A synthetic sample file (the feed's generator names them synthetic_<name>)."""
    match = spec.matches(name)
    if match and "synthetic" in match.re.groupindex:
        return bool(match.group("synthetic"))
    return name.startswith("synthetic_")


def retire_samples(con, spec: FeedSpec, now, years: list[int] | None = None, by: str | None = None) -> list[str]:
    """Sample data is a removable layer: the loaded sample files of every year that has a loaded real file of this
    feed (or of ``years``, by command) leave the raw table — their rows kept in history.<feed>, the ledger state
    ``retired``, a row in ops.sample_retirements — so a year is computed from real data alone, never a mix.
    Runs inside the caller's transaction."""
    loaded = con.execute(
        "select sha256, name, year(report_date) from ops.files where feed_id = ? and state = 'loaded' "
        "and report_date is not null order by received_at, name", [spec.feed_id]).fetchall()
    real_by_year: dict[int, str] = {}
    for _, name, year in loaded:
        if not is_sample(spec, name):
            real_by_year.setdefault(year, name)
    targets = set(years) if years is not None else set(real_by_year)
    retired = []
    for sha, name, year in loaded:
        if not is_sample(spec, name) or year not in targets:
            continue
        rows = con.execute(f"select count(*) from {spec.raw_table} where source_file_sha256 = ?", [sha]).fetchone()[0]
        _keep_history(con, spec, sha, None, now)
        con.execute(f"delete from {spec.raw_table} where source_file_sha256 = ?", [sha])
        note = (f"样例数据已退役：{year}年已有真实数据（{real_by_year[year]}），该年只用真实数据计算"
                if by is None else f"样例数据已退役：{by}")
        con.execute("update ops.files set state = 'retired', rule = 'sample_retired', error = ?, processed_at = ? "
                    "where feed_id = ? and sha256 = ?", [note, now, spec.feed_id, sha])
        con.execute("insert into ops.sample_retirements values (?, ?, ?, ?, ?, ?, ?)",
                    [spec.feed_id, year, sha, name, now, by or real_by_year.get(year), rows])
        retired.append(name)
        log.info("retired sample file %s (%s %s)", name, spec.feed_id, year)
    return retired


def retire_feed_samples(feed_id: str, by: str = "urbanmon samples-retire") -> list[str]:
    """A feed goes live: retire every loaded sample file of it, whatever its year (the command's service)."""
    spec = get_spec(feed_id)
    now = dt.datetime.now(dt.UTC)
    with warehouse.connect() as con:
        years = [r[0] for r in con.execute(
            "select distinct year(report_date) from ops.files where feed_id = ? and state = 'loaded' "
            "and report_date is not null", [feed_id]).fetchall()]
        con.execute("begin transaction")
        try:
            retired = retire_samples(con, spec, now, years=years, by=by)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return retired


def _keep_history(con, spec: FeedSpec, old_sha: str, new_sha: str | None, now) -> None:
    """history.<feed>: the superseded file's rows as they were loaded, with when and by which file they were replaced
    (with ops.files.received_at of both files: which value was known when, from which file)."""
    history = "history." + spec.raw_table.rsplit(".", 1)[-1]
    con.execute("create schema if not exists history")
    con.execute(f"create table if not exists {history} as select *, null::timestamptz as superseded_at, "
                f"null::varchar as superseded_by_sha256 from {spec.raw_table} limit 0")
    con.execute(f"insert into {history} by name select *, ?::timestamptz as superseded_at, "
                f"?::varchar as superseded_by_sha256 from {spec.raw_table} where source_file_sha256 = ?",
                [now, new_sha, old_sha])


def _revision(con, feed_id, period, old_sha, old_name, old_received_at, newer: landing.Receipt, now,
              run_id) -> None:
    """ops.file_revisions: which file's values were known from when until which corrected file replaced them."""
    con.execute("insert into ops.file_revisions values (?, ?::varchar, ?, ?, ?::timestamptz, ?, ?, ?::timestamptz, "
                "?, ?)", [feed_id, period, old_sha, old_name, old_received_at, newer.sha256, newer.name,
                          newer.received_at, now, run_id])


def _ledger(con, receipt: landing.Receipt, state: str, now, run_id, report_date, rows=None, values=None,
            rule=None, error=None, superseded_by=None) -> None:
    con.execute(
        "insert into ops.files values (?, ?, ?, ?, ?::timestamptz, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [receipt.feed_id, receipt.sha256, receipt.name, receipt.size, receipt.received_at, receipt.archive_path,
         state, rule, error, report_date, rows, values, now, run_id, superseded_by],
    )


def _validate_batch(spec: FeedSpec, good):
    from urbanmon import quality

    tables = []
    for receipt, parsed_file in good:
        t = parsed_file.table
        tables.append(t.append_column("source_file_name", pa.array([receipt.name] * t.num_rows)))
    df = pa.concat_tables(tables).to_pandas()
    suite = quality.load_suite_spec(spec.raw_suite)
    return quality.validate_dataframe(df, suite["name"], spec.raw_table, suite["expectations"],
                                      index_column="source_file_name")


def _json(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, default=str)


def archive_landing(feed_id: str) -> list[landing.Receipt]:
    """Archive every file currently in the feed's landing folder (used by the CLI and benchmark; the
    trigger does the same file by file once each is complete)."""
    spec = get_spec(feed_id)
    folder = landing.landing_dir(spec)
    for outcome in landing.sweep_hostile(spec.landing_subdir):
        log.warning("rejected from landing: %s", outcome)
    settle = float(os.environ.get("URBANMON_SETTLE_SECONDS") or 0)
    out = []
    for path in sorted(folder.glob("*")) if folder.exists() else []:
        if path.is_file() and not path.is_symlink() and landing.is_candidate(path.name) and spec.matches(path.name):
            if settle and time.time() - path.stat().st_mtime < settle:
                continue  # perhaps still being copied in place: next time
            try:
                out.append(landing.archive_file(spec, Path(path)))
            except OSError as exc:  # changed while archiving (a copy in progress), or vanished: next time
                log.warning("could not archive %s yet: %s", path.name, exc)
    return out
