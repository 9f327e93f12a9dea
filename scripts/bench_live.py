"""Landing -> serving through the RUNNING platform (`make up`), each stage timed from Airflow's own record.

Real national daily files (../shared, 2020) are renamed one at a time into the landing folder of the platform that
`make up` started (each supersedes the Shandong sample's cut of that day). For each file the clock starts at the
rename and stops when the serving snapshot lists the file (``snapshot_files``: its values are then readable). The
stages in between come from Airflow's REST API (asset events, DAG runs, task instances, the build task's return
value with the pipeline's own ``timings``), so nothing here guesses what Airflow did:

    landed -> landing asset event (trigger: poll, settle, archive with SHA-256)
           -> ingest DAG run queued (asset event -> DAG run) -> started -> ingest task start (task start-up) -> end
           -> transform DAG run queued (raw asset event -> DAG run) -> started -> build task start
           -> pipeline code (dbt build, GX on the marts, publish) -> task end -> snapshot seen by a reader

The next file lands once both runs (including publish_operations, which runs after the value is served) have ended,
so every file is measured from the same steady state. Runnable alone: ``python scripts/bench_live.py [--samples N]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import statistics
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from urbanmon.settings import paths, shared_dir  # noqa: E402

FEED = "air_quality__cnemc_city_hourly"
SHARED_CITIES = (shared_dir() or REPO / ".no-shared-folder") / "data" / "air_quality" / "china_cities_2020"
INGEST_DAG = f"ingest__{FEED}"
TRANSFORM_DAG = "transform_validate_publish"
BUILD_TASK = "build_validate_publish"
TARGET_P50_S = 15.0

# (key, column header): each a duration in seconds between two consecutive moments of one file's way
STAGES = [
    ("trigger", "landed → asset event (trigger poll, settle, archive)"),
    ("ingest_queue", "event → ingest run queued"),
    ("ingest_start", "queued → ingest task start"),
    ("ingest_task", "ingest task"),
    ("transform_queue", "ingest end → transform run queued"),
    ("transform_start", "queued → build task start"),
    ("task_overhead", "build task start-up (task − pipeline code)"),
    ("pipeline", "pipeline code (dbt / GX / publish)"),
    ("served", "build task end → snapshot seen (< 0: seen before the task ended)"),
]


def _env() -> dict[str, str]:
    """The platform's settings: the environment first, then the worktree's .env (as scripts/env.sh reads them)."""
    values = {}
    env_file = REPO / ".env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                values[key] = value
    return values | {k: v for k, v in os.environ.items() if k.startswith(("AIRFLOW_", "URBANMON_"))}


class Airflow:
    def __init__(self, env: dict[str, str]):
        self.base = f"http://127.0.0.1:{env.get('AIRFLOW_PORT', '8080')}"
        self.s = requests.Session()
        self.s.trust_env = False
        r = self.s.post(f"{self.base}/auth/token", json={"username": env["AIRFLOW_ADMIN_USER"],
                                                         "password": env["AIRFLOW_ADMIN_PASSWORD"]}, timeout=30)
        r.raise_for_status()
        self.s.headers["Authorization"] = f"Bearer {r.json()['access_token']}"

    def get(self, path: str, **params) -> dict:
        r = self.s.get(f"{self.base}/api/v2/{path}", params=params, timeout=30)
        r.raise_for_status()
        return r.json()

    def asset_id(self, name: str) -> int:
        for asset in self.get("assets", name_pattern=name, limit=100)["assets"]:
            if asset["name"] == name:
                return asset["id"]
        raise LookupError(f"asset {name} not known to Airflow")

    def events(self, asset_id: int, limit: int = 50) -> list[dict]:
        return self.get("assets/events", asset_id=asset_id, order_by="-timestamp", limit=limit)["asset_events"]

    def run(self, dag_id: str, run_id: str) -> dict:
        return self.get(f"dags/{dag_id}/dagRuns/{run_id}")

    def task(self, dag_id: str, run_id: str, task_id: str) -> dict:
        return self.get(f"dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}")

    def xcom(self, dag_id: str, run_id: str, task_id: str):
        return self.get(f"dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/return_value",
                        deserialize="true")["value"]

    def active_runs(self) -> int:
        return sum(self.get(f"dags/{dag}/dagRuns", state=["queued", "running"], limit=10)["total_entries"]
                   for dag in (INGEST_DAG, TRANSFORM_DAG))


def _ts(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _served(sha: str) -> str | None:
    """The id of the serving snapshot when it lists the file, else None (a snapshot being swapped in: None)."""
    import duckdb

    try:
        con = duckdb.connect(str(paths().serving_db), read_only=True)
        try:
            row = con.execute("select (select snapshot_id from snapshot), count(*) from snapshot_files "
                              "where sha256 = ?", [sha]).fetchone()
        finally:
            con.close()
    except duckdb.Error:
        return None
    return row[0] if row and row[1] else None


def _known_shas() -> set[str]:
    import duckdb

    con = duckdb.connect(str(paths().operations_db), read_only=True)
    try:
        return {r[0] for r in con.execute("select sha256 from files").fetchall()}
    finally:
        con.close()


def _wait_idle(af: Airflow, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while af.active_runs():
        if time.monotonic() > deadline:
            raise TimeoutError("the platform's runs did not end")
        time.sleep(0.5)


def _stages(af: Airflow, ids: dict[str, int], name: str, landed: dt.datetime, seen: dt.datetime) -> dict:
    """Airflow's timestamps for the runs that carried file ``name``, as durations between consecutive moments."""
    event = next(e for e in af.events(ids["landing"])
                 if any(f["name"] == name for f in ((e.get("extra") or {}).get("payload") or {}).get("files", [])))
    ingest_run = next(r for r in event["created_dagruns"] if r["dag_id"] == INGEST_DAG)["run_id"]
    irun = af.run(INGEST_DAG, ingest_run)
    iti = af.task(INGEST_DAG, ingest_run, "ingest")
    raw_event = next(e for e in af.events(ids["raw"]) if e.get("source_run_id") == ingest_run)
    transform_run = next(r for r in raw_event["created_dagruns"] if r["dag_id"] == TRANSFORM_DAG)["run_id"]
    trun = af.run(TRANSFORM_DAG, transform_run)
    bti = af.task(TRANSFORM_DAG, transform_run, BUILD_TASK)
    result = af.xcom(TRANSFORM_DAG, transform_run, BUILD_TASK)
    timings = result["timings"] if isinstance(result, dict) else {}
    moments = {
        "landed": landed, "event": _ts(event["timestamp"]), "ingest_queued": _ts(irun["queued_at"]),
        "ingest_task_start": _ts(iti["start_date"]), "ingest_task_end": _ts(iti["end_date"]),
        "transform_queued": _ts(trun["queued_at"]), "build_task_start": _ts(bti["start_date"]),
        "build_task_end": _ts(bti["end_date"]), "seen": seen,
    }
    d = {}
    pairs = [("trigger", "landed", "event"), ("ingest_queue", "event", "ingest_queued"),
             ("ingest_start", "ingest_queued", "ingest_task_start"), ("ingest_task", "ingest_task_start",
                                                                      "ingest_task_end"),
             ("transform_queue", "ingest_task_end", "transform_queued"),
             ("transform_start", "transform_queued", "build_task_start")]
    for key, a, b in pairs:
        d[key] = (moments[b] - moments[a]).total_seconds()
    task_s = (moments["build_task_end"] - moments["build_task_start"]).total_seconds()
    d["pipeline"] = timings.get("total_s", float("nan"))
    d["task_overhead"] = task_s - d["pipeline"]
    d["served"] = (moments["seen"] - moments["build_task_end"]).total_seconds()
    d["pipeline_parts"] = {k: timings.get(k) for k in ("dbt_build_s", "validate_marts_s", "publish_s")}
    d["runs"] = {"ingest": ingest_run, "transform": transform_run,
                 "events_in_ingest_run": len([e for e in af.events(ids["landing"])
                                              if any(r["run_id"] == ingest_run for r in e["created_dagruns"])])}
    return d


def measure(samples: int = 5, timeout: float = 600) -> dict | None:
    """None when no platform is up here or the national files are missing."""
    if not paths().operations_db.exists() or not paths().serving_db.exists() or not SHARED_CITIES.exists():
        return None
    env = _env()
    try:
        af = Airflow(env)
    except requests.RequestException:
        return None
    ids = {"landing": af.asset_id(f"landing__{FEED}"), "raw": af.asset_id(f"raw__{FEED}")}
    known = _known_shas()
    landing_dir = paths().landing / "air_quality"
    load_start = os.getloadavg()
    rows = []
    candidates = sorted(SHARED_CITIES.glob("china_cities_*.csv"))[100:]
    for f in candidates:
        if len(rows) == samples:
            break
        data = f.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        if sha in known:  # landed by an earlier run on this data folder: it would only be skipped
            continue
        _wait_idle(af, timeout)
        tmp = landing_dir / f".{f.name}.part"
        tmp.write_bytes(data)
        t0 = time.perf_counter()
        landed = dt.datetime.now(dt.UTC)
        os.replace(tmp, landing_dir / f.name)
        while _served(sha) is None:
            if time.perf_counter() - t0 > timeout:
                raise TimeoutError(f"{f.name} not served within {timeout:.0f} s")
            time.sleep(0.1)
        total = time.perf_counter() - t0
        seen = dt.datetime.now(dt.UTC)
        _wait_idle(af, timeout)
        row = {"file": f.name, "total_s": total, **_stages(af, ids, f.name, landed, seen)}
        rows.append(row)
        print({k: (round(v, 2) if isinstance(v, float) else v) for k, v in row.items()}, flush=True)
    if not rows:
        return None
    return {"samples": rows, "load_start": load_start, "p50_s": statistics.median(r["total_s"] for r in rows),
            "max_s": max(r["total_s"] for r in rows),
            "p50": {k: statistics.median(r[k] for r in rows) for k, _ in STAGES}}


def lines(live: dict) -> list[str]:
    la = live["load_start"]
    out = [
        "## Event → serving through the running platform (Airflow trigger, scheduler and tasks included)",
        "",
        f"Load average at the start: {la[0]:.2f} / {la[1]:.2f} / {la[2]:.2f} (1 / 5 / 15 min).",
        "",
        "A real national daily file (2020) is renamed into `data/landing/air_quality/` of the platform `make up`",
        "started; the clock stops when the serving snapshot lists the file. Stages from Airflow's REST API (asset",
        "event, DAG-run `queued_at`, task-instance start and end) and the build task's own `timings`; the next file",
        "lands once both runs have ended. Pipeline code: dbt build / GX on the marts / publish.",
        "",
        "| file | " + " | ".join(label for _, label in STAGES) + " | landing → serving (s) |",
        "|---|" + "---:|" * (len(STAGES) + 1),
    ]
    for r in live["samples"]:
        parts = r["pipeline_parts"]
        cells = []
        for key, _ in STAGES:
            cell = f"{r[key]:.2f}"
            if key == "pipeline":
                cell += " (" + " / ".join(f"{parts[k] or 0:.2f}" for k in ("dbt_build_s", "validate_marts_s",
                                                                            "publish_s")) + ")"
            cells.append(cell)
        out.append(f"| {r['file']} | " + " | ".join(cells) + f" | {r['total_s']:.2f} |")
    out.append("| **p50** | " + " | ".join(f"{live['p50'][k]:.2f}" for k, _ in STAGES)
               + f" | **{live['p50_s']:.2f}** |")
    verdict = "met" if live["p50_s"] <= TARGET_P50_S else "MISSED"
    labels = dict(STAGES)
    airflow = sum(live["p50"][k] for k in ("trigger", "ingest_queue", "ingest_start", "transform_queue",
                                           "transform_start", "task_overhead"))
    largest = max(live["p50"], key=live["p50"].get)
    out += ["", f"p50 {live['p50_s']:.2f} s, max {live['max_s']:.2f} s: target p50 ≤ {TARGET_P50_S:.0f} s {verdict}."
            f" At p50, what Airflow adds around the tasks' work (trigger, the four scheduling hops, the build task's"
            f" start-up) is {airflow:.2f} s; the largest stage is {labels[largest]} ({live['p50'][largest]:.2f} s).",
            ""]
    return out


def section(live: bool, samples: int = 5) -> list[str]:
    if not live:
        return []
    result = measure(samples)
    if result is None:
        return ["## Event → serving through the running platform", "",
                "Not measured: no platform up in this data folder (`make up`) or no national files in ../shared.", ""]
    return lines(result)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=5)
    args = parser.parse_args()
    print("\n".join(section(True, args.samples)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
