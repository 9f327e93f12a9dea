"""Shared fixtures: a private data folder per test, and real air-quality files (shared data or the shipped sample)."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from urbanmon.settings import shared_dir

REPO = Path(__file__).resolve().parents[1]
# ../shared (or $URBANMON_SHARED_DIR; URBANMON_SHARED_DIR=none runs the suite as on a user's machine without it)
SHARED_ROOT = shared_dir()
SHARED = (SHARED_ROOT or REPO / ".no-shared-folder") / "data" / "air_quality"
CITY_SAMPLE = REPO / "sources/air_quality__cnemc_city_hourly/sample/china_cities_2020_shandong.tar.gz"
STATION_SAMPLE = REPO / "sources/air_quality__cnemc_station_hourly/sample/china_sites_2019_jinan.tar.gz"


def _from_tar(archive: Path, name: str) -> bytes:
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            if Path(member.name).name == name:
                return tar.extractfile(member).read()
    raise FileNotFoundError(f"{name} not in {archive}")


def real_city_file(day: str) -> bytes:
    """The real file of 2020-MM-DD (``day`` = '20200101'): national if ../shared is there, else the sample."""
    path = SHARED / "china_cities_2020" / f"china_cities_{day}.csv"
    if path.exists():
        return path.read_bytes()
    return _from_tar(CITY_SAMPLE, f"china_cities_{day}.csv")


def real_station_file(day: str) -> bytes:
    path = SHARED / "china_sites_2019" / f"china_sites_{day}.csv"
    if path.exists():
        return path.read_bytes()
    return _from_tar(STATION_SAMPLE, f"china_sites_{day}.csv")


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("URBANMON_DATA_DIR", str(folder))
    return folder
