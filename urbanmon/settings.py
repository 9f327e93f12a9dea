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
    def history_dir(self) -> Path:
        """The last snapshots, read-only, one file per snapshot id (``<snapshot_id>.duckdb``)."""
        return self.serving_dir / "history"

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


def snapshot_history_size() -> int:
    """How many earlier serving snapshots ``data/serving/history/`` keeps beside the current one
    (``URBANMON_SNAPSHOT_HISTORY``, default 10): a citation survives that many later publications."""
    value = os.environ.get("URBANMON_SNAPSHOT_HISTORY", "10").strip()
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"URBANMON_SNAPSHOT_HISTORY must be a whole number of snapshots >= 1, not {value!r}")
    return int(value)


def shared_dir() -> Path | None:
    """The team's shared folder (real national files, the plan text, published figures), if this machine has it.

    ``$URBANMON_SHARED_DIR`` names it (default: ``shared`` beside the repository); ``URBANMON_SHARED_DIR=none`` hides
    it, so the test suite can be run as on a user's machine, where only the repository's own samples exist."""
    value = os.environ.get("URBANMON_SHARED_DIR")
    if value is not None and value.strip().lower() in ("", "none", "0", "off"):
        return None
    folder = Path(value) if value else REPO_ROOT.parent / "shared"
    return folder.resolve() if folder.is_dir() else None


SOURCES_DIR = REPO_ROOT / "sources"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
