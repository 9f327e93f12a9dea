"""Paths and settings, from the environment with defaults relative to the repository."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(os.environ.get("URBANMON_REPO_ROOT") or Path(__file__).resolve().parents[1])
BEIJING_TZ = "Asia/Shanghai"


@dataclass(frozen=True)
class Paths:
    data: Path

    @property
    def landing(self) -> Path:
        return self.data / "landing"

    @property
    def archive(self) -> Path:
        return self.data / "archive"

    @property
    def quarantine(self) -> Path:
        return self.data / "quarantine"

    @property
    def build_db(self) -> Path:
        return self.data / "build" / "warehouse.duckdb"

    @property
    def serving_dir(self) -> Path:
        return self.data / "serving"

    @property
    def serving_db(self) -> Path:
        return self.serving_dir / "warehouse.duckdb"

    @property
    def operations_db(self) -> Path:
        return self.serving_dir / "operations.duckdb"

    @property
    def editions_db(self) -> Path:
        return self.data / "editions" / "editions.duckdb"

    @property
    def gx_dir(self) -> Path:
        return self.data / "gx"


def paths() -> Paths:
    """Read the data directory from URBANMON_DATA_DIR at call time (tests point it elsewhere)."""
    return Paths(Path(os.environ.get("URBANMON_DATA_DIR") or REPO_ROOT / "data").resolve())


SOURCES_DIR = REPO_ROOT / "sources"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
