"""A small client for Superset's REST API (stdlib + requests only: runs under the pipeline and the Superset venv).

    # superset/ is not a Python package (it would shadow Superset itself): load the module by path
    spec = importlib.util.spec_from_file_location("superset_api_client", REPO / "superset/api_client.py")
    api = importlib.util.module_from_spec(spec); spec.loader.exec_module(api)

    client = api.SupersetClient.from_env()        # SUPERSET_URL or SUPERSET_PORT, SUPERSET_ADMIN_USER/PASSWORD
    rows = client.chart_data(api.CHARTS["jinan_annual_vs_plan"])  # the chart's saved query, as a list of dicts
    rows = client.sql("select 1 as x")            # SQL Lab on the serving database (synchronous)

Command line (reads the same variables, falling back to the repository's .env):
    python superset/api_client.py chart-data <chart uuid or name in CHARTS>
    python superset/api_client.py sql "select count(*) as n from air_quality_daily"
    python superset/api_client.py import-assets bundle.zip

How login works (the same for any client): POST /api/v1/security/login returns a JWT, sent as a Bearer token;
every write (POST/PUT/DELETE) also needs the CSRF token from GET /api/v1/security/csrf_token/, sent as X-CSRFToken
with a Referer, within the same session (the token is tied to the session cookie).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import requests

REPO_ROOT = Path(__file__).resolve().parents[1]
SERVING_DATABASE = "城镇化监测（服务快照）"
OPERATIONS_DATABASE = "平台运行记录（城镇化监测）"
# UUIDs of the dashboard 环境空气质量's charts (superset/assets/charts/; tests/superset checks they match)
CHARTS = {
    "jinan_daily_aqi": "9ee39185-eedf-5371-933b-4d372df7f2f6",
    "jinan_monthly_good_days_ratio": "6cde9517-e71e-5251-bff4-8c9a98625888",
    "jinan_annual_vs_plan": "945d7605-2b7b-5a46-9ddd-59664b7cdba4",  # indicator_value + the plan's 62 / 65.2
    "shandong_cities_annual_ratio": "f01ec722-d2e1-5d91-90fc-bab35d8d3a35",
}


class SupersetError(RuntimeError):
    pass


def _charts_under(position: dict, roots: list[str]) -> list[int]:
    """Ids of the charts in the layout below the given nodes (a native filter's scope.rootPath)."""
    found, queue, seen = [], list(roots), set()
    while queue:
        node = position.get(queue.pop(0))
        if not isinstance(node, dict) or node.get("id") in seen:
            continue
        seen.add(node.get("id"))
        if node.get("type") == "CHART":
            found.append(node["meta"]["chartId"])
        queue += node.get("children", [])
    return found


def _dotenv() -> dict[str, str]:
    path = REPO_ROOT / ".env"
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                key, value = line.split("=", 1)
                values[key.strip()] = value
    return values


def _setting(key: str, default: str | None = None) -> str | None:
    return os.environ.get(key) or _dotenv().get(key) or default


class SupersetClient:
    def __init__(self, base_url: str, username: str, password: str, timeout: float = 60):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False  # localhost: never through a proxy
        r = self.session.post(
            f"{self.base_url}/api/v1/security/login",
            json={"username": username, "password": password, "provider": "db", "refresh": True},
            timeout=timeout,
        )
        if r.status_code != 200:
            raise SupersetError(f"login failed ({r.status_code}): {r.text[:300]}")
        self.session.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        csrf = self.session.get(f"{self.base_url}/api/v1/security/csrf_token/", timeout=timeout)
        csrf.raise_for_status()
        self.session.headers["X-CSRFToken"] = csrf.json()["result"]
        self.session.headers["Referer"] = self.base_url

    @classmethod
    def from_env(cls) -> SupersetClient:
        url = _setting("SUPERSET_URL") or f"http://127.0.0.1:{_setting('SUPERSET_PORT', '8088')}"
        user, password = _setting("SUPERSET_ADMIN_USER"), _setting("SUPERSET_ADMIN_PASSWORD")
        if not user or not password:
            raise SupersetError("SUPERSET_ADMIN_USER / SUPERSET_ADMIN_PASSWORD are not set (environment or .env)")
        return cls(url, user, password)

    # --- plumbing --------------------------------------------------------------------------------------------
    def get(self, path: str, **params: Any) -> dict:
        r = self.session.get(f"{self.base_url}{path}", params=params or None, timeout=self.timeout)
        if r.status_code != 200:
            raise SupersetError(f"GET {path} -> {r.status_code}: {r.text[:500]}")
        return r.json()

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.post(f"{self.base_url}{path}", timeout=self.timeout, **kwargs)

    def _find(self, resource: str, column: str, value: str) -> dict:
        q = f"(filters:!((col:{column},opr:eq,value:'{value}')))"
        result = self.get(f"/api/v1/{resource}/", q=q)["result"]
        if len(result) != 1:
            raise SupersetError(f"{resource} with {column}={value!r}: {len(result)} found")
        return result[0]

    # --- what tests and scripts need --------------------------------------------------------------------------
    def chart_id(self, chart_uuid: str) -> int:
        # the chart list cannot filter on uuid; the dashboard-independent lookup is by id through the list's rows
        for chart in self._all("chart", ["id", "uuid", "slice_name"]):
            if str(chart.get("uuid")) == str(chart_uuid):
                return chart["id"]
        raise SupersetError(f"no chart with uuid {chart_uuid}")

    def _all(self, resource: str, columns: list[str]) -> list[dict]:
        rows, page = [], 0
        while True:
            q = f"(columns:!({','.join(columns)}),page:{page},page_size:100)"
            result = self.get(f"/api/v1/{resource}/", q=q)["result"]
            rows += result
            if len(result) < 100:
                return rows
            page += 1

    def chart_data(self, chart_uuid: str) -> list[dict]:
        """Rows of the chart's saved query (GET /api/v1/chart/<id>/data/), fresh from the database."""
        chart_id = self.chart_id(chart_uuid)
        r = self.session.get(
            f"{self.base_url}/api/v1/chart/{chart_id}/data/", params={"force": "true"}, timeout=self.timeout
        )
        if r.status_code != 200:
            raise SupersetError(f"chart {chart_uuid} data -> {r.status_code}: {r.text[:500]}")
        return [row for result in r.json()["result"] for row in result["data"]]

    def database_id(self, name: str = SERVING_DATABASE) -> int:
        return self._find("database", "database_name", name)["id"]

    def sql(self, sql: str, database: str = SERVING_DATABASE, schema: str = "main") -> list[dict]:
        """Run ``sql`` in SQL Lab (synchronously). Raises SupersetError if Superset or the database refuse it."""
        r = self.post(
            "/api/v1/sqllab/execute/",
            json={"database_id": self.database_id(database), "schema": schema, "sql": sql, "runAsync": False},
        )
        body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
        if r.status_code >= 400 or body.get("status") == "failed":
            raise SupersetError(f"SQL refused ({r.status_code}): {json.dumps(body, ensure_ascii=False)[:500]}")
        return body["data"]

    def import_assets(self, bundle: Path) -> None:
        """POST /api/v1/assets/import/: overwrites the objects with the bundle's UUIDs, creates the missing ones."""
        with open(bundle, "rb") as fh:
            r = self.post("/api/v1/assets/import/", files={"bundle": (bundle.name, fh, "application/zip")})
        if r.status_code != 200:
            raise SupersetError(f"asset import failed ({r.status_code}): {r.text[:2000]}")
        self.scope_native_filters()

    def _default_to_first_value(self, nf: dict) -> None:
        """Superset 6.1 shows a 'first item' default without applying it until Apply is clicked (apache/superset
        #40470): store the first value as an explicit, applied default instead (refreshed at every import)."""
        target = nf["targets"][0]
        column = target["column"]["name"]
        values = self.get(f"/api/v1/datasource/table/{target['datasetId']}/column/{column}/values/")["result"]
        descending = not nf["controlValues"].get("sortAscending", True)
        values = sorted((v for v in values if v is not None), reverse=descending)
        if not values:
            return
        nf["controlValues"]["defaultToFirstItem"] = False
        nf["defaultDataMask"] = {
            "extraFormData": {"filters": [{"col": column, "op": "IN", "val": [values[0]]}]},
            "filterState": {"value": [values[0]], "label": str(values[0])},
            "ownState": {},
        }

    def scope_native_filters(self) -> None:
        """Fill each native filter's chartsInScope with the real chart ids (the importer leaves it as exported).

        The committed dashboards give a filter's scope (root and excluded charts, remapped by the importer) but no
        chartsInScope, which holds server-specific ids; the dashboard then applies the filter to no chart."""
        for dash in self._all("dashboard", ["id"]):
            body = self.get(f"/api/v1/dashboard/{dash['id']}")["result"]
            metadata = json.loads(body.get("json_metadata") or "{}")
            filters = metadata.get("native_filter_configuration") or []
            if not filters:
                continue
            position = json.loads(body.get("position_json") or "{}")
            for nf in filters:
                scope = nf.get("scope", {})
                excluded = set(scope.get("excluded", []))
                nf["chartsInScope"] = [c for c in _charts_under(position, scope.get("rootPath", ["ROOT_ID"]))
                                       if c not in excluded]
                if nf.get("controlValues", {}).get("defaultToFirstItem"):
                    self._default_to_first_value(nf)
            r = self.session.put(f"{self.base_url}/api/v1/dashboard/{dash['id']}",
                                 json={"json_metadata": json.dumps(metadata, ensure_ascii=False)}, timeout=self.timeout)
            if r.status_code != 200:
                raise SupersetError(f"dashboard {dash['id']}: scoping native filters failed: {r.text[:500]}")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("chart-data", "sql", "import-assets"):
        print(__doc__, file=sys.stderr)
        return 2
    command, arg = argv
    client = SupersetClient.from_env()
    if command == "import-assets":
        client.import_assets(Path(arg))
        print(f"superset: imported {arg}")
    else:
        rows = client.chart_data(CHARTS.get(arg, arg)) if command == "chart-data" else client.sql(arg)
        print(json.dumps(rows, ensure_ascii=False, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
