"""Build the dbt project against a private data folder whose raw tables hold a few real files.

The raw tables are written by the project's own ingest (``urbanmon.landing.archive_file`` +
``urbanmon.ingest.ingest_pending``, without the Great Expectations step), so the dbt tests and the pipeline share one
loader: ``raw.air_quality__cnemc_{city,station}_hourly`` in ``<data>/build/warehouse.duckdb``, lineage columns and the
ledger ``ops.files`` included.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import real_city_file, real_station_file

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO / "dbt_project"
CITY_DAYS = ["20200101", "20200102", "20200103"]
STATION_DAYS = ["20190101", "20190102"]
CITY_FEED = "air_quality__cnemc_city_hourly"
STATION_FEED = "air_quality__cnemc_station_hourly"
# what an incremental build runs (selectors.yml): no seeds, unit tests or views, which only change with the project
INCREMENTAL_SELECTOR = "incremental"


def dbt_executable() -> str:
    beside_python = Path(sys.executable).with_name("dbt")
    if beside_python.exists():
        return str(beside_python)
    return str(REPO / ".venvs/pipeline/bin/dbt")


@contextlib.contextmanager
def data_dir_env(data: Path):
    """URBANMON_DATA_DIR -> ``data`` for the duration (session fixtures cannot use monkeypatch)."""
    before = os.environ.get("URBANMON_DATA_DIR")
    os.environ["URBANMON_DATA_DIR"] = str(data)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("URBANMON_DATA_DIR", None)
        else:
            os.environ["URBANMON_DATA_DIR"] = before


def ingest_files(data: Path, feed_id: str, files: dict[str, bytes], quarantined: int = 0) -> dict:
    """Archive the files ({name: bytes}) into ``data`` and load them with the project's ingest, as the pipeline
    does (a newer file for a date already loaded supersedes the old one's rows); ``quarantined`` of them are
    expected to be refused."""
    from urbanmon import ingest, landing
    from urbanmon.feeds.spec import get_spec

    with data_dir_env(data):
        spec = get_spec(feed_id)
        incoming = data / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            path = incoming / name
            path.write_bytes(content)
            landing.archive_file(spec, path)
        result = ingest.ingest_pending(feed_id, validate=False)
    assert len(result.quarantined) == quarantined, result.quarantined
    return result.as_dict()


def run_dbt(data: Path, work: Path, *args: str, changed_report_dates: list[str] | None = None,
            command: str = "build"):
    """``dbt build`` on ``<data>/build/warehouse.duckdb``; with ``changed_report_dates`` an incremental build the way
    the pipeline runs it (dates in URBANMON_CHANGED_REPORT_DATES, the ``incremental`` selector). ``work`` holds
    dbt's target and logs: share it between runs of the same project to keep dbt's partial parse (~3 s a run)."""
    import json

    env = {**os.environ, "URBANMON_BUILD_DB": str(data / "build" / "warehouse.duckdb"),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_NO_PRINT": "false"}
    env.pop("URBANMON_CHANGED_REPORT_DATES", None)
    cmd = [dbt_executable(), command, "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
           "--target-path", str(work / "target"), "--log-path", str(work / "logs"), *args]
    if changed_report_dates is not None:
        env["URBANMON_CHANGED_REPORT_DATES"] = json.dumps(changed_report_dates)
        cmd += ["--selector", INCREMENTAL_SELECTOR, "--no-write-json"]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    return proc.returncode, proc.stdout + proc.stderr, time.perf_counter() - started


@dataclass
class DbtBuild:
    database: Path
    target: Path
    returncode: int
    output: str
    seconds: float
    city_files: dict[str, bytes]
    station_files: dict[str, bytes]
    data: Path | None = None

    def connect(self):
        import duckdb

        return duckdb.connect(str(self.database), read_only=True)


def ingest_synthetic_samples(data: Path) -> None:
    """Load every feed's generated sample (sources/<feed>/generate.py) with the project's ingest."""
    from urbanmon.cli import generated_samples
    from urbanmon.feeds.spec import load_specs

    for feed_id, spec in load_specs().items():
        if spec.generator:
            ingest_files(data, feed_id, generated_samples(feed_id))


def ingest_shipped_samples(data: Path) -> None:
    """Load the real samples shipped as plain files (sources/<feed>/sample/*.csv: the official figures) with the
    project's ingest; the CNEMC archives are loaded by day above."""
    from urbanmon.cli import sample_members

    files: dict[str, dict[str, bytes]] = {}
    for feed_id, name, content in sample_members():
        if not name.startswith("synthetic_") and not feed_id.startswith("air_quality__"):
            files.setdefault(feed_id, {})[name] = content
    for feed_id, named in files.items():
        ingest_files(data, feed_id, named)


def build_project(work: Path, city_days: list[str], station_days: list[str], dbt_work: Path | None = None,
                  *dbt_args: str, synthetic: bool = True) -> DbtBuild:
    """Ingest the given real files into a fresh data folder under ``work`` and run ``dbt build`` (target and logs in
    ``dbt_work``, default ``work``)."""
    try:
        city = {day: real_city_file(day) for day in city_days}
        station = {day: real_station_file(day) for day in station_days}
    except FileNotFoundError as exc:
        pytest.skip(f"no real CNEMC files: neither ../shared/data/air_quality nor the shipped sample ({exc})")

    data = work / "data"
    ingest_files(data, CITY_FEED, {f"china_cities_{day}.csv": content for day, content in city.items()})
    if station:
        ingest_files(data, STATION_FEED, {f"china_sites_{day}.csv": content for day, content in station.items()})
    if synthetic:
        ingest_synthetic_samples(data)
        ingest_shipped_samples(data)
    with data_dir_env(data):
        from urbanmon import warehouse

        with warehouse.connect() as con:  # every feed's raw table exists, as the pipeline makes sure before dbt
            warehouse.ensure_all_raw_tables(con)
    dbt_work = dbt_work or work
    returncode, output, seconds = run_dbt(data, dbt_work, *dbt_args)
    return DbtBuild(data / "build" / "warehouse.duckdb", dbt_work / "target", returncode, output, seconds, city,
                    station, data)


@pytest.fixture(scope="session")
def dbt_build(tmp_path_factory) -> DbtBuild:
    return build_project(tmp_path_factory.mktemp("dbt"), CITY_DAYS, STATION_DAYS)


@pytest.fixture
def scratch(dbt_build) -> Path:
    """An emptied folder at a FIXED path for a test's private data: dbt's partial parse survives only while the
    profile (the database path) stays the same, so every test that builds elsewhere than the session build uses
    this one path (a full parse costs ~3 s per run)."""
    import shutil

    folder = dbt_build.target.parent / "scratch"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    return folder
