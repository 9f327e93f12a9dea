"""ONE live platform for all integration tests (session scope): the README's own `scripts/platform.sh up`, run on
free ports and a temporary data folder, so it never touches a developer's running platform."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
import requests

from tests.conftest import REPO


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Platform:
    def __init__(self, data: Path, env: dict):
        self.data, self.env = data, env
        self.airflow = f"http://127.0.0.1:{env['AIRFLOW_PORT']}"
        self.superset = f"http://127.0.0.1:{env['SUPERSET_PORT']}"
        self.landing = data / "landing" / "air_quality"
        self.serving_db = data / "serving" / "warehouse.duckdb"
        self.operations_db = data / "serving" / "operations.duckdb"
        self._dotenv = {}
        for line in (REPO / ".env").read_text(encoding="utf-8").splitlines():
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                self._dotenv[k] = v

    def setting(self, key: str) -> str:
        return self.env.get(key) or self._dotenv[key]

    def serving(self, sql: str, params=None):
        con = duckdb.connect(str(self.serving_db), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def operations(self, sql: str, params=None):
        con = duckdb.connect(str(self.operations_db), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def drop(self, name: str, data: bytes) -> None:
        """Land a file the way a well-behaved sender does: temporary name, then rename into place."""
        tmp = self.landing / f".{name}.part"
        tmp.write_bytes(data)
        os.replace(tmp, self.landing / name)

    def wait_for_file(self, sha256: str, timeout: float = 300) -> tuple[str, str]:
        """Wait until the file is processed AND a serving snapshot was published after it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                row = self.operations("select state, processed_at from files where sha256 = ?", [sha256])
                if row:
                    built = self.serving("select built_at from snapshot")[0][0]
                    if built >= row[0][1]:
                        return row[0][0], self.serving("select snapshot_id from snapshot")[0][0]
            except duckdb.Error:
                pass
            time.sleep(1)
        raise TimeoutError(f"file {sha256[:12]} not processed within {timeout} s")

    def superset_session(self, user: str | None = None, password: str | None = None) -> requests.Session:
        s = requests.Session()
        s.trust_env = False
        r = s.post(f"{self.superset}/api/v1/security/login", json={
            "username": user or self.setting("SUPERSET_ADMIN_USER"),
            "password": password or self.setting("SUPERSET_ADMIN_PASSWORD"),
            "provider": "db", "refresh": True}, timeout=30)
        r.raise_for_status()
        s.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        csrf = s.get(f"{self.superset}/api/v1/security/csrf_token/", timeout=30)
        csrf.raise_for_status()
        s.headers["X-CSRFToken"] = csrf.json()["result"]
        s.headers["Referer"] = self.superset
        return s

    def airflow_session(self) -> requests.Session:
        s = requests.Session()
        s.trust_env = False
        r = s.post(f"{self.airflow}/auth/token", json={
            "username": self.setting("AIRFLOW_ADMIN_USER"), "password": self.setting("AIRFLOW_ADMIN_PASSWORD")},
            timeout=30)
        r.raise_for_status()
        s.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        return s


@pytest.fixture(scope="session")
def platform(tmp_path_factory):
    data = tmp_path_factory.mktemp("platform") / "data"
    env = {
        **os.environ,
        "URBANMON_DATA_DIR": str(data),
        "AIRFLOW_PORT": str(_free_port()),
        "SUPERSET_PORT": str(_free_port()),
        "URBANMON_WAIT_TIMEOUT": "900",
    }
    log = tmp_path_factory.mktemp("logs") / "platform-up.log"
    with open(log, "w") as fh:
        up = subprocess.run([str(REPO / "scripts/platform.sh"), "up"], env=env, stdout=fh, stderr=subprocess.STDOUT,
                            timeout=1800)
    try:
        if up.returncode != 0:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-60:])
            pytest.fail(f"platform.sh up failed ({up.returncode}):\n{tail}")
        yield Platform(data, env)
    finally:
        down = subprocess.run([str(REPO / "scripts/platform.sh"), "down"], env=env, capture_output=True,
                              text=True, timeout=300)
        assert down.returncode == 0, down.stdout + down.stderr
