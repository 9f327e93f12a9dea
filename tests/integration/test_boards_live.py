"""The boards live (issue 5): the roles of superset/access.yaml through Superset's API, district row-level security,
the sealed SQL Lab, and a real headless Chromium that opens every dashboard as each role and saves screenshots to
artifacts/browser/. Runs on the session's one platform (tests/integration/conftest.py)."""

from __future__ import annotations

import json
import shutil
import time
from urllib.parse import urlparse

import pytest
import requests
import yaml

from tests.conftest import REPO

ACCESS = yaml.safe_load((REPO / "superset" / "access.yaml").read_text(encoding="utf-8"))
USERS = {u["username"]: u for u in ACCESS["users"]}
DASHBOARDS = ["overview", "indicator-detail", "districts", "air-quality", "data-quality"]
ARTIFACTS = REPO / "artifacts" / "browser"
DISTRICT_USER = "district_licheng"
HARMFUL_SQL = {
    "select * from read_csv('/etc/passwd')": "file system operations are disabled",
    "ATTACH '/tmp/urbanmon_attack.duckdb' AS x": "file system operations are disabled",
    "COPY (select 1) TO '/tmp/urbanmon_attack.csv'": "file system operations are disabled",
    "SET enable_external_access = true": "configuration has been locked",
    "create table attack as select 1": "DML_NOT_ALLOWED",
}


def _login(platform, username: str) -> requests.Session:
    if username == "admin":
        return platform.superset_session()
    return platform.superset_session(username, platform.setting(USERS[username]["password_env"]))


def _chart_id(session, base: str, uuid: str) -> int:
    q = "(columns:!(id,uuid),page_size:100)"
    for chart in session.get(f"{base}/api/v1/chart/", params={"q": q}, timeout=30).json()["result"]:
        if chart["uuid"] == uuid:
            return chart["id"]
    raise AssertionError(f"chart {uuid} not visible")


def _chart_uuid(name: str) -> str:
    return yaml.safe_load((REPO / "superset/assets/charts" / f"{name}.yaml").read_text(encoding="utf-8"))["uuid"]


def _chart_rows(platform, session, name: str) -> list[dict]:
    admin = platform.superset_session()
    chart_id = _chart_id(admin, platform.superset, _chart_uuid(name))
    r = session.get(f"{platform.superset}/api/v1/chart/{chart_id}/data/", params={"force": "true"}, timeout=60)
    assert r.status_code == 200, r.text[:500]
    return [row for result in r.json()["result"] for row in result["data"]]


def _sql(platform, session, sql: str) -> requests.Response:
    db = session.get(f"{platform.superset}/api/v1/database/", timeout=30).json()["result"]
    db_id = next(d["id"] for d in db if d["database_name"].startswith("城镇化监测"))
    return session.post(f"{platform.superset}/api/v1/sqllab/execute/",
                        json={"database_id": db_id, "schema": "main", "sql": sql, "runAsync": False}, timeout=60)


# --- roles through the API ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("username", ["admin", *USERS])
def test_every_role_logs_in_and_sees_the_five_boards(platform, username):
    session = _login(platform, username)
    dashboards = session.get(f"{platform.superset}/api/v1/dashboard/", params={"q": "(page_size:100)"},
                             timeout=30).json()["result"]
    assert {d["slug"] for d in dashboards} >= set(DASHBOARDS), username
    rows = _chart_rows(platform, session, "board_overview_table")
    assert len(rows) >= 22  # every headline indicator (per year: the native year filter narrows it on the board)
    assert all(r["explanation_zh"] for r in rows)


@pytest.mark.parametrize("username", ["leader", DISTRICT_USER])
def test_viewers_have_no_sql_lab_and_no_downloads(platform, username):
    session = _login(platform, username)
    r = _sql(platform, session, "select 1 as x")
    assert r.status_code in (401, 403, 404) or r.json().get("status") == "failed", r.text[:300]
    admin = platform.superset_session()
    chart_id = _chart_id(admin, platform.superset, _chart_uuid("board_overview_table"))
    csv = session.get(f"{platform.superset}/api/v1/chart/{chart_id}/data/", params={"format": "csv"}, timeout=60)
    assert csv.status_code in (401, 403), (csv.status_code, csv.text[:200])


def test_statistician_queries_the_snapshot_and_downloads_csv(platform):
    session = _login(platform, "statistician")
    r = _sql(platform, session, "select count(*) as n from board_indicator_overview")
    assert r.status_code == 200 and r.json()["data"][0]["n"] >= 22, r.text[:300]
    admin = platform.superset_session()
    chart_id = _chart_id(admin, platform.superset, _chart_uuid("board_overview_table"))
    csv = session.get(f"{platform.superset}/api/v1/chart/{chart_id}/data/", params={"format": "csv"}, timeout=60)
    assert csv.status_code == 200 and "建成5G基站数量" in csv.content.decode("utf-8-sig"), csv.text[:200]


def test_district_user_sees_its_own_district_and_the_city_only_but_the_whole_league(platform):
    area_code = USERS[DISTRICT_USER]["district"]
    names = dict(platform.serving("select area_code, short_name from area_catalog"))
    session = _login(platform, DISTRICT_USER)
    detail = _chart_rows(platform, session, "board_district_values")
    assert detail and {r["area_name"] for r in detail} <= {names[area_code], names["370100"]}
    admin_detail = _chart_rows(platform, platform.superset_session(), "board_district_values")
    assert len({r["area_name"] for r in admin_detail}) > 2  # the filter is RLS, not the chart
    league = _chart_rows(platform, session, "board_district_league")
    assert len({r["area_name"] for r in league}) >= 12
    assert set(league[0]) >= {"area_name", "rank", "overall_score"}


@pytest.mark.parametrize("sql", sorted(HARMFUL_SQL))
def test_harmful_sql_is_refused_with_a_clear_message(platform, sql):
    session = _login(platform, "statistician")
    r = _sql(platform, session, sql)
    is_json = r.headers.get("content-type", "").startswith("application/json")
    body = json.dumps(r.json(), ensure_ascii=False) if is_json else r.text
    assert r.status_code >= 400 or '"failed"' in body, body[:300]
    assert HARMFUL_SQL[sql] in body, body[:500]
    assert not (platform.data.parent / "urbanmon_attack.csv").exists()


# --- a real browser ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.fail("Debian's chromium and chromium-driver are needed (scripts/bootstrap.sh installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--window-size=1600,2200", "--lang=zh-CN",
                # requests to any host but this machine fail: nothing may come from outside
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
        options.add_argument(arg)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    drv = webdriver.Chrome(service=Service(driver), options=options)
    drv.set_page_load_timeout(60)
    yield drv
    drv.quit()


def _browser_login(drv, platform, username: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    password = (platform.setting("SUPERSET_ADMIN_PASSWORD") if username == "admin"
                else platform.setting(USERS[username]["password_env"]))
    user = platform.setting("SUPERSET_ADMIN_USER") if username == "admin" else username
    drv.delete_all_cookies()
    for _attempt in range(3):  # on a loaded machine React may redraw the form while it is being filled in
        drv.get(f"{platform.superset}/login/")
        # the login form is drawn by React after the page has loaded
        field = WebDriverWait(drv, 30).until(expected_conditions.element_to_be_clickable((By.ID, "username")))
        time.sleep(1)
        field = drv.find_element(By.ID, "username")
        field.clear()
        field.send_keys(user)
        drv.find_element(By.ID, "password").clear()
        drv.find_element(By.ID, "password").send_keys(password)
        drv.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        deadline = time.monotonic() + 30
        while "/login" in drv.current_url and time.monotonic() < deadline:
            time.sleep(0.5)
        if "/login" not in drv.current_url:
            return
    raise AssertionError(f"{username} could not log in (3 attempts)")


def _wait_for_charts(drv, expected: int, timeout: float = 60) -> list[str]:
    """Wait until every chart holder has rendered (no spinner, something drawn); return their error texts."""
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        holders = drv.find_elements(By.CSS_SELECTOR, "[data-test='chart-grid-component']")
        loading = drv.find_elements(By.CSS_SELECTOR,
                                    "[data-test='chart-grid-component'] [data-test='loading-indicator']")
        drawn = [h for h in holders if h.find_elements(By.CSS_SELECTOR, "svg, canvas, table, .ant-empty, "
                                                       "[data-test='empty-state'], .district-map")
                 or any(word in h.text for word in ("没有数据返回", "没有结果", "No results"))]
        if len(holders) >= expected and not loading and len(drawn) >= expected:
            break
        time.sleep(0.5)
    else:
        raise AssertionError(f"charts not rendered within {timeout} s ({len(holders)}/{expected} holders)")
    errors = drv.find_elements(By.CSS_SELECTOR, "[data-test='chart-grid-component'] [data-test='error-alert'], "
                                                "[data-test='chart-grid-component'] [role='alert'], .alert-danger")
    return [e.text[:200] for e in errors]


@pytest.mark.parametrize("username", ["admin", *USERS])
def test_every_dashboard_renders_in_chromium(platform, browser, username):
    _browser_login(browser, platform, username)
    admin = platform.superset_session()
    for slug in DASHBOARDS:
        expected = len(admin.get(f"{platform.superset}/api/v1/dashboard/{slug}/charts", timeout=30).json()["result"])
        browser.get(f"{platform.superset}/superset/dashboard/{slug}/")
        errors = _wait_for_charts(browser, expected)
        time.sleep(1)  # let the last chart paint before the screenshot
        browser.save_screenshot(str(ARTIFACTS / f"{username}-{slug}.png"))
        assert not errors, (username, slug, errors)
        assert "Unexpected error" not in browser.find_element("tag name", "body").text, (username, slug)
        # Superset 6.1 always asks for a telemetry pixel: the CSP and the resolver must stop it (nothing received)
        resources = browser.execute_script(
            "return performance.getEntriesByType('resource').map(e => [e.name, e.responseStatus, e.transferSize])")
        outside = [(url, status, size) for url, status, size in resources
                   if urlparse(url).scheme in ("http", "https") and urlparse(url).hostname != "127.0.0.1"]
        assert all(not status and not size for _, status, size in outside), f"{slug} reached outside: {outside}"
        if slug == "districts":
            fills = browser.execute_script(
                "return Array.from(document.querySelectorAll('.district-map path')).map(p => p.getAttribute('fill'))")
            assert len(fills) == 12 and len(set(fills)) >= 2, fills  # 12 districts, coloured by rank
