"""Serving store by measurement (issue 16, item 2): today's copied DuckDB file against DuckLake, side by side.

A real serving snapshot is built with the pipeline (``urbanmon land-samples`` + ``urbanmon run-once``: the shipped
samples, national CNEMC files when ../shared has them is NOT used here, see the note in the section) and its data
tables replicated 10x (marked synthetic: copies k=1..9 get location/area ids suffixed ``#k``). Contenders:

- A  copied file: urbanmon.publish as it is (a new data version = every table copied into a fresh DuckDB file;
     ``refresh`` = the whole file copied byte for byte, operations tables rewritten).
- B  DuckLake, catalog in SQLite, data as Parquet: a build published as ONE DuckLake snapshot that rewrites every
     table (``create or replace``); readers attach the lake read-only.
- C  DuckLake, SQLite catalog, proportional: the same lake, but a publication writes only what changed: the rows of
     the changed report dates in the date-keyed tables (the build plan knows them), and the other tables only when
     their fingerprint changed.
- B' DuckLake with its catalog in a DuckDB file: only the locking fact is recorded (a read-only reader process
     holding the catalog makes the publisher fail to attach it).

Measured at 1x and 10x: publication time (first full, a one-day change, a same-version refresh of the operations
tables), the boards' heavy queries (median of 5, sealed reader), and isolation: 20 reader processes querying during
10 publications, each read checking two per-version markers written at the start and at the end of the publication
in one query (old or new, never a mix). Run alone: ``PYTHONPATH=$PWD .venvs/pipeline/bin/python
scripts/bench_serving_store.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
READERS = 20
PUBLICATIONS = 10
THINK_S = 1.0  # each reader's pause between queries: 20 readers on 2 shared cores must leave the publisher CPU
# the boards' heavy chart queries (总览 tiles and status, 区县对比 bars, the air-quality trend and the hourly peak)
BOARD_QUERIES = {
    "总览 状态分布": "select status_zh, category_zh, count(*) from board_indicator_overview group by all order by all",
    "区县对比 指标条形": (
        "select area_name, indicator_label, avg(value), max(bar_pct) from board_district_values "
        "where year = (select max(year) from board_district_values) group by all order by all"),
    "空气质量 月趋势": (
        "select area_name, date_trunc('month', date) as m, avg(aqi), count(*) filter (where is_good_day) "
        "from air_quality_daily group by all order by all"),
    "空气质量 小时峰值": (
        "select area_name, report_date, max(pm2_5_ugm3) as peak from air_quality_hourly group by all "
        "order by peak desc nulls last limit 50"),
}
# date-keyed fact tables: a one-day change rewrites only that date's rows (column that keys them)
DATE_KEYED = {"air_quality_hourly": "report_date", "air_quality_daily": "date"}
SEALED = {"enable_external_access": False, "autoinstall_known_extensions": False,
          "autoload_known_extensions": False, "allow_community_extensions": False, "threads": 2}


# ------------------------------------------------------------------------------------------------- extensions --
def extension_path(name: str, work: Path) -> str:
    """The offline extension file (one place: urbanmon.serving_lake.extension_path); ``work`` is unused."""
    from urbanmon.serving_lake import extension_path as path

    return path(name)


def lake_connect(work: Path, lake: Path, read_only: bool, sealed: bool = False):
    if not read_only and not (lake / "catalog.sqlite").exists():
        from urbanmon.serving_lake import _new_catalog

        _new_catalog(lake / "catalog.sqlite")  # WAL: readers and the publisher do not lock each other out
    con = duckdb.connect(config={"threads": 2})
    con.execute(f"load '{extension_path('ducklake', work)}'")
    con.execute(f"load '{extension_path('sqlite', work)}'")
    options = "read_only" if read_only else f"data_path '{lake}/data/'"
    con.execute(f"attach 'ducklake:sqlite:{lake}/catalog.sqlite' as lake ({options})")
    con.execute("use lake")
    if sealed:  # as the Superset connection would be: only the lake's folder readable, configuration locked
        con.execute(f"set allowed_directories = ['{lake}/']")
        for key, value in SEALED.items():
            if key != "threads":
                con.execute(f"set {key} = {str(value).lower()}")
        con.execute("set lock_configuration = true")
    return con


# ------------------------------------------------------------------------------------------------------ setup --
def build_base(work: Path) -> Path:
    """A real published serving snapshot: the shipped samples landed and run through the pipeline once."""
    data = work / "base" / "data"
    env = {**os.environ, "URBANMON_DATA_DIR": str(data), "PYTHONPATH": str(REPO)}
    for command in (["land-samples"], ["run-once"]):
        subprocess.run([sys.executable, "-m", "urbanmon.cli", *command], env=env, check=True, cwd=REPO,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return data


def scaled_data_dir(base: Path, out: Path, factor: int) -> Path:
    """A data folder whose build database holds the base build's serving tables ``factor`` times (copies k >= 1
    synthetic: their location and area ids suffixed ``#k``), and its operations record as it is."""
    (out / "build").mkdir(parents=True)
    (out / "serving").mkdir(parents=True)
    build = out / "build" / "warehouse.duckdb"
    shutil.copyfile(base / "build" / "warehouse.duckdb", build)
    if factor > 1:
        con = duckdb.connect(str(build))
        for (table,) in con.execute("select table_name from duckdb_tables() where schema_name = 'serving' "
                                    "and estimated_size >= 1000").fetchall():
            columns = [c for (c,) in con.execute(
                "select column_name from duckdb_columns() where schema_name = 'serving' and table_name = ? "
                "order by column_index", [table]).fetchall()]
            select = ", ".join(f"{c} || '#' || k" if c in ("location_id", "area_code", "area_name") else c
                               for c in columns)
            con.execute(f"insert into serving.{table} select {select} from serving.{table}, "
                        f"range(1, {factor}) as r(k)")
        con.execute("checkpoint")
        con.close()
    return out


def changed_day(build: Path, marker: str) -> str:
    """One day's rows changed in the build (as a new file for that date would): its hourly and daily rows carry a
    new value; returns the date."""
    con = duckdb.connect(str(build))
    try:
        day = con.execute("select max(report_date) from serving.air_quality_hourly").fetchone()[0]
        con.execute("update serving.air_quality_hourly set source_file_sha256 = ? where report_date = ?",
                    [marker, day])
        con.execute("update serving.air_quality_daily set standard = ? where date = ?", [f"bench {marker}", day])
    finally:
        con.close()
    return str(day)


# ------------------------------------------------------------------------------------------- contender A -------
def a_publish(data: Path) -> float:
    from urbanmon import publish

    os.environ["URBANMON_DATA_DIR"] = str(data)
    t0 = time.perf_counter()
    publish.publish_snapshot()
    return time.perf_counter() - t0


def a_refresh(data: Path) -> float:
    from urbanmon import publish

    os.environ["URBANMON_DATA_DIR"] = str(data)
    t0 = time.perf_counter()
    publish.refresh("bench: operations refreshed")
    return time.perf_counter() - t0


A_MARKERS = ("select (select min(snapshot_id) from air_quality_hourly), (select min(snapshot_id) from "
             "air_quality_daily), (select snapshot_id from snapshot)")


# ----------------------------------------------------------------------------------------- contenders B, C -----
def _fingerprint(con, database: str, table: str) -> str:
    return str(con.execute(f"select count(*), coalesce(sum(hash(t)::hugeint), 0) from {database}.{table} t")
               .fetchone())


def lake_publish(work: Path, lake: Path, build: Path, marker: str, proportional: bool,
                 changed_dates: list[str] | None) -> float:
    """One publication = one DuckLake snapshot (one transaction). Markers: ``marker_a`` written first,
    ``marker_b`` last. ``proportional``: only the changed dates' rows and the tables whose fingerprint changed."""
    t0 = time.perf_counter()
    con = lake_connect(work, lake, read_only=False)
    try:
        con.execute(f"attach '{build}' as build (read_only)")
        tables = [t for (t,) in con.execute(
            "select table_name from duckdb_tables() where database_name = 'build' and schema_name = 'serving' "
            "order by 1").fetchall()]
        existing = {t for (t,) in con.execute(
            "select table_name from duckdb_tables() where database_name = 'lake'").fetchall()}
        con.execute("begin")
        con.execute("create or replace table lake.marker_a as select ?::varchar as v", [marker])
        if proportional and "fingerprints" in existing:
            known = dict(con.execute("select table_name, fingerprint from lake.fingerprints").fetchall())
        else:
            known = {}
        prints = {}
        for table in tables:
            key = DATE_KEYED.get(table)
            if proportional and table in existing and key and changed_dates is not None:
                dates = ", ".join(f"date '{d}'" for d in changed_dates)
                con.execute(f"delete from lake.{table} where {key} in ({dates})")
                con.execute(f"insert into lake.{table} select * from build.serving.{table} where {key} in ({dates})")
                continue
            if proportional:
                prints[table] = _fingerprint(con, "build.serving", table)
                if known.get(table) == prints[table] and table in existing:
                    continue
            con.execute(f"create or replace table lake.{table} as select * from build.serving.{table}")
        if proportional:
            con.execute("create or replace table lake.fingerprints (table_name varchar, fingerprint varchar)")
            merged = {**known, **prints}
            if merged:
                con.executemany("insert into lake.fingerprints values (?, ?)", list(merged.items()))
        con.execute("create or replace table lake.marker_b as select ?::varchar as v", [marker])
        con.execute("commit")
    finally:
        con.close()
    return time.perf_counter() - t0


def lake_refresh(work: Path, lake: Path, build: Path) -> float:
    """The same data version with fresh operations tables: one small snapshot, no data table touched."""
    t0 = time.perf_counter()
    con = lake_connect(work, lake, read_only=False)
    try:
        con.execute(f"attach '{build}' as build (read_only)")
        con.execute("begin")
        for (table,) in con.execute("select table_name from duckdb_tables() where database_name = 'build' "
                                    "and schema_name = 'ops' order by 1").fetchall():
            con.execute(f"create or replace table lake.ops_{table} as select * from build.ops.{table}")
        con.execute("commit")
    finally:
        con.close()
    return time.perf_counter() - t0


LAKE_MARKERS = "select (select v from marker_a), (select v from marker_b), (select v from marker_b)"


# ----------------------------------------------------------------------------------------------- readers -------
def reader_main(kind: str, target: str, work: str, stop: str, out: str) -> None:
    """One reader process: query the two markers in one statement until ``stop`` exists; write what it saw."""
    reads, mixed, errors, seen, samples = 0, 0, [], set(), []
    con = None
    while not os.path.exists(stop):
        t0 = time.perf_counter()
        try:
            if kind == "file":  # Superset-like: a sealed read-only connection per query
                con = duckdb.connect(target, read_only=True, config=SEALED)
                row = con.execute(A_MARKERS).fetchone()
                con.close()
            else:
                con = con or lake_connect(Path(work), Path(target), read_only=True, sealed=True)
                row = con.execute(LAKE_MARKERS).fetchone()
            reads += 1
            samples.append(time.perf_counter() - t0)
            if len(set(row)) != 1:
                mixed += 1
            seen.add(row[0])
        except duckdb.Error as exc:
            errors.append(str(exc).splitlines()[0][:160])
            con = None
        time.sleep(THINK_S)
    Path(out).write_text(json.dumps({"reads": reads, "mixed": mixed, "errors": errors, "versions": len(seen),
                                     "median_s": statistics.median(samples) if samples else None}))


def isolation(kind: str, target: Path, work: Path, publish_once, count: int = PUBLICATIONS) -> dict:
    """READERS reader processes querying while PUBLICATIONS publications run one after the other."""
    stop = work / f"stop-{kind}-{time.time_ns()}"
    outs = [work / f"reader-{kind}-{i}-{time.time_ns()}.json" for i in range(READERS)]
    procs = [subprocess.Popen([sys.executable, __file__, "--reader", kind, str(target), str(work), str(stop),
                               str(out)], env={**os.environ, "PYTHONPATH": str(REPO)}) for out in outs]
    time.sleep(3)  # the readers are up and reading
    publish_times, failures = [], []
    for i in range(count):
        try:
            publish_times.append(publish_once(i))
            log(f"{kind} publication {i}: {publish_times[-1]:.2f} s")
        except Exception as exc:  # noqa: BLE001 - a publication blocked by readers is a finding, not a crash
            failures.append(str(exc).splitlines()[0][:160])
    time.sleep(1)
    stop.touch()
    for proc in procs:
        proc.wait(timeout=120)
    results = [json.loads(out.read_text()) for out in outs]
    errors = [e for r in results for e in r["errors"]]
    return {"reads": sum(r["reads"] for r in results), "mixed": sum(r["mixed"] for r in results),
            "publications": len(publish_times) + len(failures), "reader_errors": len(errors),
            "first_error": errors[0] if errors else "",
            "versions_seen": max(r["versions"] for r in results),
            "publish_p50_s": statistics.median(publish_times) if publish_times else None,
            "publish_failures": len(failures), "first_failure": failures[0] if failures else "",
            "read_median_ms": 1000 * statistics.median(r["median_s"] for r in results if r["median_s"])}


def query_latency(connect) -> dict:
    con = connect()
    result = {}
    try:
        for name, sql in BOARD_QUERIES.items():
            times = []
            for _ in range(5):
                t0 = time.perf_counter()
                con.execute(sql).fetchall()
                times.append(time.perf_counter() - t0)
            result[name] = statistics.median(times)
    finally:
        con.close()
    return result


def duckdb_catalog_lock_fact(work: Path) -> str:
    """DuckLake with its catalog in a DuckDB file: can a publisher attach it while a reader process holds it?"""
    lake = work / "lake-duckdb-catalog"
    lake.mkdir()
    ext = extension_path("ducklake", work)
    con = duckdb.connect()
    con.execute(f"load '{ext}'")
    con.execute(f"attach 'ducklake:{lake}/catalog.ducklake' as lake (data_path '{lake}/data/')")
    con.execute("create table lake.t as select 1 as v")
    con.close()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, time; c = duckdb.connect(); "
        f"c.execute(\"load '{ext}'\"); "
        f"c.execute(\"attach 'ducklake:{lake}/catalog.ducklake' as lake (read_only)\"); "
        "c.execute('select * from lake.t').fetchall(); print('ready', flush=True); time.sleep(20)")],
        stdout=subprocess.PIPE, text=True)
    holder.stdout.readline()
    try:
        con = duckdb.connect()
        con.execute(f"load '{ext}'")
        con.execute(f"attach 'ducklake:{lake}/catalog.ducklake' as lake (data_path '{lake}/data/')")
        con.execute("insert into lake.t values (2)")
        con.close()
        return "the publisher attached and wrote while a reader process held the catalog"
    except duckdb.Error as exc:
        return "publisher refused while a reader process holds the catalog: " + str(exc).splitlines()[0][:140]
    finally:
        holder.kill()
        holder.wait()


def log(message: str) -> None:
    print(f"[bench_serving_store {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# ----------------------------------------------------------------------------------------------- scenario ------
def run_scale(base: Path, work: Path, factor: int) -> dict:
    res = {"factor": factor}
    data = scaled_data_dir(base, work / f"x{factor}" / "a", factor)
    build = data / "build" / "warehouse.duckdb"
    # A: copied file
    contenders = os.environ.get("BENCH_STORE_CONTENDERS", "abc")  # own checks: a subset, e.g. "bc"
    if "a" in contenders:
        log(f"{factor}x: res['a_first_s'] ...")
        res["a_first_s"] = a_publish(data)
        day = changed_day(build, "a-day")
        res["a_day_s"] = a_publish(data)
        res["a_refresh_s"] = a_refresh(data)
        log(f"{factor}x: A first {res['a_first_s']:.1f} s, day {res['a_day_s']:.1f} s, "
            f"refresh {res['a_refresh_s']:.1f} s")
        res["a_bytes"] = (data / "serving" / "warehouse.duckdb").stat().st_size
        res["a_queries"] = query_latency(lambda: duckdb.connect(str(data / "serving" / "warehouse.duckdb"),
                                                                read_only=True, config=SEALED))
        log(f"{factor}x: res['a_iso'] ...")
        res["a_iso"] = isolation("file", data / "serving" / "warehouse.duckdb", work,
                                 lambda i: (changed_day(build, f"a{i}"), a_publish(data))[1],
                                 count=int(os.environ.get(f"BENCH_STORE_A_PUBLICATIONS_{factor}X", PUBLICATIONS)))
        log(f"{factor}x: A {json.dumps({k: v for k, v in res.items() if k.startswith('a_')}, default=str)}")
        res["a_history_bytes"] = dir_size(data / "serving")
    # B and C: DuckLake, SQLite catalog
    for name, proportional in [(n, n == "c") for n in "bc" if n in contenders]:
        lake = work / f"x{factor}" / f"lake-{name}"
        lake.mkdir(parents=True)
        log(f"{factor}x: res[f'{name}_first_s'] ...")
        res[f"{name}_first_s"] = lake_publish(work, lake, build, "v0", proportional, None)
        day = changed_day(build, f"{name}-day")
        res[f"{name}_day_s"] = lake_publish(work, lake, build, "v1", proportional, [day])
        res[f"{name}_refresh_s"] = lake_refresh(work, lake, build)
        res[f"{name}_queries"] = query_latency(lambda lake=lake: lake_connect(work, lake, read_only=True,
                                                                              sealed=True))

        def once(i, lake=lake, proportional=proportional, name=name):
            d = changed_day(build, f"{name}{i}")
            return lake_publish(work, lake, build, f"v{i + 2}", proportional, [d])

        log(f"{factor}x: res[f'{name}_iso'] ...")
        log(f"{factor}x: {name} first {res[f'{name}_first_s']:.1f} s, day {res[f'{name}_day_s']:.1f} s, "
            f"refresh {res[f'{name}_refresh_s']:.1f} s, queries {json.dumps(res[f'{name}_queries'])}")
        count = int(os.environ.get(f"BENCH_STORE_{name.upper()}_PUBLICATIONS_{factor}X", PUBLICATIONS))
        res[f"{name}_iso"] = isolation("lake", lake, work, once, count=count)
        log(f"{factor}x: res[f'{name}_bytes'] ...")
        res[f"{name}_bytes"] = dir_size(lake)
        log(f"{factor}x: {name} {json.dumps({k: v for k, v in res.items() if k.startswith(name)}, default=str)}")
        # a citation reopens an earlier version: the first snapshot's marker read back AT that version
        con = lake_connect(work, lake, read_only=True, sealed=True)
        res[f"{name}_snapshots"] = con.execute("select count(*) from lake.snapshots()").fetchone()[0]
        first = con.execute("select min(snapshot_id) from lake.snapshots() where changes::varchar "
                            "like '%marker_b%'").fetchone()[0]
        res[f"{name}_time_travel"] = con.execute(
            f"select v from marker_b at (version => {first})").fetchone()[0]
        con.close()
    con = duckdb.connect(str(build), read_only=True)
    res["serving_tables"] = con.execute("select count(*) from duckdb_tables() where schema_name = 'serving'"
                                        ).fetchone()[0]
    con.close()
    return res


def _ms(value) -> str:
    return "—" if value is None else f"{1000 * value:.0f}"


def _s(value) -> str:
    return "—" if value is None else f"{value:.2f}"


def section(live: bool) -> list[str]:
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        work = Path(tmp)
        before = os.environ.get("URBANMON_DATA_DIR")
        try:
            t0 = time.perf_counter()
            reuse = os.environ.get("BENCH_STORE_BASE")  # a data folder already built this way (own checks)
            base = Path(reuse) if reuse else build_base(work)
            build_s = time.perf_counter() - t0
            factors = [int(f) for f in os.environ.get("BENCH_STORE_FACTORS", "1,10").split(",")]
            scales = []
            for factor in factors:
                scales.append(run_scale(base, work, factor))
                log(json.dumps(scales[-1], ensure_ascii=False, default=str))
            lock_fact = duckdb_catalog_lock_fact(work)
            log(lock_fact)
        finally:
            if before is None:
                os.environ.pop("URBANMON_DATA_DIR", None)
            else:
                os.environ["URBANMON_DATA_DIR"] = before
    return render(load, build_s, scales, lock_fact)


def _measured(scales: list[dict]):
    """(scale result, contender key) for every contender measured at each scale, in table order."""
    return [(r, key) for r in scales for key in "abc" if f"{key}_first_s" in r]


def render(load: tuple, build_s: float, scales: list[dict], lock_fact: str) -> list[str]:
    names = {"a": "A 复制的 DuckDB 文件（现状）", "b": "B DuckLake（SQLite 目录，整体重写）",
             "c": "C DuckLake（SQLite 目录，按变化写入）"}
    lines = ["## Serving store: copied DuckDB file against DuckLake", "",
             f"Load average at the start: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1/5/15 min). "
             f"Base: the shipped samples run through the pipeline ({build_s:.0f} s); 10x = its data tables "
             "replicated (copies marked synthetic: ids suffixed `#k`). Serving tables: "
             f"{scales[0]['serving_tables']}.", "",
             "| scale | contender | first publication s | one-day change s | same-version refresh s | "
             "store size MB | snapshots kept |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for r, key in _measured(scales):
        size = r["a_history_bytes"] if key == "a" else r[f"{key}_bytes"]
        kept = "11 files (history/)" if key == "a" else str(r[f"{key}_snapshots"])
        lines.append(f"| {r['factor']}x | {names[key]} | {_s(r[f'{key}_first_s'])} | {_s(r[f'{key}_day_s'])} "
                     f"| {_s(r[f'{key}_refresh_s'])} | {size / 1e6:.0f} | {kept} |")
    lines += ["", "Boards' heavy queries, median of 5 on a warm sealed reader (ms; A opens the file per "
              "connection as Superset does, B/C attach the lake read-only with only its folder readable):", "",
              "| scale | contender | " + " | ".join(BOARD_QUERIES) + " |",
              "|---|---|" + "---:|" * len(BOARD_QUERIES)]
    for r, key in _measured(scales):
        q = r[f"{key}_queries"]
        lines.append(f"| {r['factor']}x | {names[key]} | " + " | ".join(_ms(q[n]) for n in BOARD_QUERIES)
                     + " |")
    lines += ["", f"Isolation: {READERS} reader processes querying two per-version markers (written first and last "
              f"in a publication) in one statement during one-day publications ({PUBLICATIONS} unless the column says "
              f"fewer), each reader pausing {THINK_S:.0f} s between queries:", "",
              "| scale | contender | publications | reads | mixed (old+new) | reader errors | versions seen | "
              "publication p50 s | publications failed | read median ms | first error |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r, key in _measured(scales):
        i = r[f"{key}_iso"]
        first = (i["first_error"] or i["first_failure"]).replace("|", "/")
        lines.append(f"| {r['factor']}x | {names[key]} | {i['publications']} | {i['reads']} | {i['mixed']} | "
                     f"{i['reader_errors']} | {i['versions_seen']} | {_s(i['publish_p50_s'])} | "
                     f"{i['publish_failures']} | {i['read_median_ms']:.1f} | {first} |")
    lines += ["", f"Time travel (a citation reopened): the first publication's marker read back `AT (VERSION => n)` "
              f"from the lake: B {scales[0].get('b_time_travel')!r}, C {scales[0].get('c_time_travel')!r} "
              "(expected 'v0').",
              f"DuckLake with its catalog in a DuckDB file (B'): {lock_fact}.", ""]
    return lines


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--reader":
        reader_main(*sys.argv[2:7])
    else:
        print("\n".join(section(live=False)))
