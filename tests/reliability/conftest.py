"""The reliability suite: the real pipeline (``urbanmon run-once`` in its own process: real DuckDB, dbt, Great
Expectations) on a compact sample, killed on purpose, read concurrently, replayed and revised.

Every pipeline run happens in ONE fixed folder (``<tmp>/run/data``, restored from a saved state before each
scenario), so dbt's partial parse, which is keyed on the database path, survives from run to run.

The suite's figures (runs, kills, readers, queries, files, catalogue size, results) are collected in ``FIGURES`` and
written to docs/reliability.md by ``pytest_sessionfinish`` whenever the reliability tests ran.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import real_city_file, real_station_file

REPO = Path(__file__).resolve().parents[2]
REPORT = REPO / "docs" / "reliability.md"
CITY_DAYS = ["20200101", "20200102", "20200103"]
STATION_DAYS = ["20190101", "20190102"]
NEW_CITY_DAY = "20200104"
COMPACT_LAST_TWO = {"telecom__opencellid_cells"}  # the file each crash scenario's run has to take in

FIGURES: dict = {"runs": 0, "kills": 0, "run_seconds": [], "sections": {}, "results": {}}


def urbanmon(data: Path, *args: str, fault: str | None = None, timeout: float = 600,
             env: dict | None = None) -> subprocess.CompletedProcess:
    """``urbanmon <args>`` in its own process on ``data`` (URBANMON_FAULT=<fault> to kill it at that stage)."""
    full_env = {**os.environ, "URBANMON_DATA_DIR": str(data), **(env or {})}
    full_env.pop("URBANMON_FAULT", None)
    if fault:
        full_env["URBANMON_FAULT"] = fault
    exe = Path(sys.executable).with_name("urbanmon")
    started = time.perf_counter()
    proc = subprocess.run([str(exe), *args], capture_output=True, text=True, env=full_env, timeout=timeout)
    if args and args[0] in ("run-once", "replay"):
        FIGURES["runs"] += 1
        FIGURES["run_seconds"].append(time.perf_counter() - started)
        if fault:
            FIGURES["kills"] += 1
    return proc


def land(data: Path, feed_id: str, name: str, content: bytes) -> Path:
    """Put a file into the feed's landing folder the way a sender does (temp name, then rename)."""
    from urbanmon.feeds.spec import get_spec

    folder = data / "landing" / get_spec(feed_id).landing_subdir
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{name}.part"
    tmp.write_bytes(content)
    os.replace(tmp, folder / name)
    return folder / name


def compact_sample() -> list[tuple[str, str, bytes]]:
    """Three real CNEMC city days, two station days and every other feed's generated sample (the cell registry's
    newest two snapshots only: each is a few MB)."""
    from urbanmon.cli import generated_samples
    from urbanmon.feeds.spec import load_specs

    out = [("air_quality__cnemc_city_hourly", f"china_cities_{d}.csv", real_city_file(d)) for d in CITY_DAYS]
    out += [("air_quality__cnemc_station_hourly", f"china_sites_{d}.csv", real_station_file(d)) for d in STATION_DAYS]
    for feed_id in sorted(load_specs()):
        if feed_id.startswith("air_quality__"):
            continue  # the real days above; the generated years of hourly files cost minutes per build
        files = sorted(generated_samples(feed_id).items())
        out += [(feed_id, name, data) for name, data in (files[-2:] if feed_id in COMPACT_LAST_TWO else files)]
    return out


class Workspace:
    """The fixed run folder and saved states to restore into it."""

    def __init__(self, root: Path):
        self.root = root
        self.data = root / "run" / "data"
        self.saved = root / "saved"

    def save(self, name: str) -> None:
        target = self.saved / name
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(self.data, target, symlinks=True)

    def restore(self, name: str) -> Path:
        shutil.rmtree(self.data, ignore_errors=True)
        shutil.copytree(self.saved / name, self.data, symlinks=True)
        return self.data


@pytest.fixture(scope="session")
def workspace(tmp_path_factory) -> Workspace:
    """State ``base``: the compact sample landed and run through the whole pipeline once (a full build)."""
    try:
        files = compact_sample()
    except FileNotFoundError as exc:
        pytest.skip(f"no real CNEMC files ({exc})")
    ws = Workspace(tmp_path_factory.mktemp("reliability"))
    ws.data.mkdir(parents=True)
    for feed_id, name, content in files:
        land(ws.data, feed_id, name, content)
    proc = urbanmon(ws.data, "run-once")
    assert proc.returncode == 0, proc.stderr[-3000:]
    FIGURES["files_compact_sample"] = len(files)
    ws.save("base")
    return ws


def pytest_runtest_logreport(report):
    if report.when == "call" or report.outcome != "passed":
        if "tests/reliability/" in report.nodeid.replace(os.sep, "/"):
            FIGURES["results"][report.nodeid] = (report.outcome, round(report.duration, 1))


def pytest_sessionfinish(session, exitstatus):
    if not FIGURES["results"]:
        return
    write_report(FIGURES)


def write_report(figures: dict) -> None:
    results = figures["results"]
    passed = sum(1 for o, _ in results.values() if o == "passed")
    lines = [
        "# Reliability: trust under faults",
        "",
        "Written by the test run itself (`tests/reliability/conftest.py`, at the end of every run of "
        "`pytest tests/reliability`): do not edit by hand. What is tested and why: "
        "[ADR 0007](decisions/0007-trust-under-faults.md).",
        "",
        f"- Written: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- Tests: {passed} passed of {len(results)}",
        f"- Pipeline runs (`urbanmon` processes, real DuckDB, dbt, Great Expectations): {figures['runs']}, "
        f"of which killed on purpose (SIGKILL): {figures['kills']}; "
        f"median run {_median(figures['run_seconds']):.1f} s",
        f"- Compact sample: {figures.get('files_compact_sample', '—')} files",
        "",
    ]
    for title, body in figures["sections"].items():
        lines += [f"## {title}", "", *body, ""]
    lines += ["## Results", "", "| test | outcome | seconds |", "|---|---|---|"]
    for nodeid, (outcome, seconds) in sorted(results.items()):
        lines.append(f"| `{nodeid.split('::', 1)[-1]}` ({nodeid.split('/')[-1].split('::')[0]}) | {outcome} | "
                     f"{seconds} |")
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _median(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def section(title: str, body: list[str]) -> None:
    FIGURES["sections"][title] = body


def dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


class Readers:
    """``n`` reader processes (tests/reliability/reader.py) on a serving file until ``stop()``."""

    def __init__(self, serving: Path, n: int, work: Path):
        self.serving, self.n, self.work = serving, n, work
        self.procs: list[subprocess.Popen] = []
        self.stats: list[dict] = []

    def __enter__(self):
        self.work.mkdir(parents=True, exist_ok=True)
        self.stop_file = self.work / "stop"
        self.stop_file.unlink(missing_ok=True)
        script = Path(__file__).with_name("reader.py")
        for i in range(self.n):
            self.procs.append(subprocess.Popen(
                [sys.executable, str(script), str(self.serving), str(self.stop_file), str(self.work / f"r{i}.json")]))
        time.sleep(1.0)
        return self

    def __exit__(self, *exc):
        self.stop_file.touch()
        for proc in self.procs:
            proc.wait(timeout=60)
        self.stats = [json.loads((self.work / f"r{i}.json").read_text()) for i in range(self.n)]
        return False

    def totals(self) -> dict:
        keys = ("queries", "reads", "failed", "lock_errors", "mixed")
        out = {k: sum(s[k] for s in self.stats) for k in keys}
        out["readers"] = self.n
        out["snapshots_seen"] = len({x for s in self.stats for x in s["snapshots"]})
        out["errors"] = [e for s in self.stats for e in s["errors"]][:10]
        return out
