"""Build the dbt project once per session against a private DuckDB whose raw tables hold a few real files.

The raw tables are written by a small pandas helper that mirrors what the ingest framework writes
(``raw.air_quality__cnemc_{city,station}_hourly``: one row per file x hour x location with any value, wide over the
15 value types). It stands in for ``urbanmon``'s loader and should be swapped for it once that is settled, so that
the dbt tests and the pipeline share one loader.
"""

from __future__ import annotations

import hashlib
import io
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
VALUE_TYPES = ["AQI", "PM2.5", "PM2.5_24h", "PM10", "PM10_24h", "SO2", "SO2_24h", "NO2", "NO2_24h",
               "O3", "O3_24h", "O3_8h", "O3_8h_24h", "CO", "CO_24h"]
RAW_COLUMNS = {t: t.lower().replace(".", "_") for t in VALUE_TYPES}


def dbt_executable() -> str:
    beside_python = Path(sys.executable).with_name("dbt")
    if beside_python.exists():
        return str(beside_python)
    return str(REPO / ".venvs/pipeline/bin/dbt")


def raw_frame(content: bytes, file_name: str):
    """One CNEMC daily file (bytes) -> the raw table's rows as a DataFrame."""
    import pandas as pd

    df = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8")
    long = df.melt(id_vars=["date", "hour", "type"], var_name="location", value_name="value")
    long["value"] = pd.to_numeric(long["value"].str.strip().replace("", None), errors="coerce")
    long = long.dropna(subset=["value"])
    wide = long.pivot_table(index=["date", "hour", "location"], columns="type", values="value",
                            aggfunc="first").reset_index()
    out = pd.DataFrame({
        "source_file_sha256": hashlib.sha256(content).hexdigest(),
        "source_file_name": file_name,
        "report_date": pd.to_datetime(wide["date"], format="%Y%m%d").dt.date,
        "report_hour": wide["hour"].astype("int8"),
        "location": wide["location"].astype(str),
    })
    for value_type, column in RAW_COLUMNS.items():
        out[column] = wide[value_type].astype("float64") if value_type in wide else float("nan")
    return out


def write_raw_table(con, table: str, files: list[tuple[bytes, str]]) -> int:
    import pandas as pd

    frame = pd.concat([raw_frame(content, name) for content, name in files], ignore_index=True)
    value_columns = ", ".join(f"{c} double" for c in RAW_COLUMNS.values())
    con.execute("create schema if not exists raw")
    con.execute(f"create table {table} (source_file_sha256 varchar, source_file_name varchar, report_date date, "
                f"report_hour tinyint, location varchar, {value_columns})")
    con.register("frame", frame)
    con.execute(f"insert into {table} select * from frame")
    con.unregister("frame")
    return len(frame)


@dataclass
class DbtBuild:
    database: Path
    target: Path
    returncode: int
    output: str
    seconds: float
    city_files: dict[str, bytes]
    station_files: dict[str, bytes]

    def connect(self):
        import duckdb

        return duckdb.connect(str(self.database), read_only=True)


def build_project(work: Path, city_days: list[str], station_days: list[str]) -> DbtBuild:
    """Write the raw tables of the given real files into a fresh DuckDB under ``work`` and run ``dbt build``."""
    import duckdb

    try:
        city = {day: real_city_file(day) for day in city_days}
        station = {day: real_station_file(day) for day in station_days}
    except FileNotFoundError as exc:
        pytest.skip(f"no real CNEMC files: neither ../shared/data/air_quality nor the shipped sample ({exc})")

    database = work / "build.duckdb"
    with duckdb.connect(str(database)) as con:
        write_raw_table(con, "raw.air_quality__cnemc_city_hourly",
                        [(content, f"china_cities_{day}.csv") for day, content in city.items()])
        if station:
            write_raw_table(con, "raw.air_quality__cnemc_station_hourly",
                            [(content, f"china_sites_{day}.csv") for day, content in station.items()])

    env = {**os.environ, "URBANMON_BUILD_DB": str(database), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
           "DBT_NO_PRINT": "false"}
    cmd = [dbt_executable(), "build", "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
           "--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    seconds = time.perf_counter() - started
    return DbtBuild(database, work / "target", proc.returncode, proc.stdout + proc.stderr, seconds, city, station)


@pytest.fixture(scope="session")
def dbt_build(tmp_path_factory) -> DbtBuild:
    return build_project(tmp_path_factory.mktemp("dbt"), CITY_DAYS, STATION_DAYS)
