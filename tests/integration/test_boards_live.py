"""The boards live (issue 5): the roles of superset/access.yaml through Superset's API, district row-level security,
the sealed SQL Lab, and a real headless Chromium that opens every dashboard as each role and saves screenshots to
artifacts/browser/. Runs on the session's one platform (tests/integration/conftest.py)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
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
def _browser_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("superset_browser", REPO / "superset" / "browser.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BROWSER = _browser_module()  # superset/browser.py: how Chromium starts, logs in, and when a board has rendered
EMPTY_TEXTS = BROWSER.EMPTY_TEXTS
# charts that record events which need not have happened: empty is a valid answer there
MAY_BE_EMPTY = {"被隔离的文件", "失败的运行", "指标状态变化", "告警记录", "样例数据退役", "计算值与公布值核对"}


@pytest.fixture(scope="module")
def browser():
    try:
        drv = BROWSER.chromium()
    except BROWSER.BrowserError as error:
        pytest.fail(str(error))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield drv
    drv.quit()


def _browser_login(drv, platform, username: str) -> None:
    password = (platform.setting("SUPERSET_ADMIN_PASSWORD") if username == "admin"
                else platform.setting(USERS[username]["password_env"]))
    user = platform.setting("SUPERSET_ADMIN_USER") if username == "admin" else username
    BROWSER.login(drv, platform.superset, user, password)


def _wait_for_charts(drv, expected: int, timeout: float = 60) -> list[str]:
    """Wait until every chart holder has rendered (no spinner, something drawn); return their error texts."""
    try:
        return BROWSER.wait_for_charts(drv, expected, timeout)[1]
    except BROWSER.BrowserError as error:
        raise AssertionError(str(error)) from None


def _charts(drv) -> list[dict]:
    """Every chart on the page: its title, text and whether it shows Superset's empty state."""
    return drv.execute_script("""
        return Array.from(document.querySelectorAll("[data-test='chart-grid-component']")).map(h => {
          const title = h.querySelector("[data-test='editable-title'], .header-title, [data-test='slice-header']");
          return {title: title ? title.innerText.trim() : '', text: h.innerText,
                  empty: !!h.querySelector(".ant-empty, [data-test='empty-state']")};
        });""")


# (role, width): every role at 1600 px; the leader, for whom the boards are made, also at 1024 px (a tablet)
BROWSER_RUNS = [("admin", 1600), *[(u, 1600) for u in USERS], ("leader", 1024)]


@pytest.mark.parametrize(("username", "width"), BROWSER_RUNS)
def test_every_dashboard_renders_in_chromium(platform, browser, username, width):
    browser.set_window_size(width, 2200)
    _browser_login(browser, platform, username)
    admin = platform.superset_session()
    for slug in DASHBOARDS:
        expected = len(admin.get(f"{platform.superset}/api/v1/dashboard/{slug}/charts", timeout=30).json()["result"])
        browser.get(f"{platform.superset}/superset/dashboard/{slug}/")
        errors = _wait_for_charts(browser, expected)
        time.sleep(1)  # let the last chart paint before the screenshot
        browser.save_screenshot(str(ARTIFACTS / f"{username}-{slug}-{width}.png"))
        assert not errors, (username, slug, errors)
        assert "Unexpected error" not in browser.find_element("tag name", "body").text, (username, slug)
        charts = _charts(browser)
        # every board has data here (the samples are landed): an empty chart is a broken chart
        empty = [c["title"] for c in charts if (c["empty"] or any(w in c["text"] for w in EMPTY_TEXTS))
                 and c["title"] not in MAY_BE_EMPTY]
        assert not empty, (username, slug, width, "empty charts", empty)
        # booleans are shown as 是/否, never as true/false
        raw = [c["title"] for c in charts if re.search(r"\b(true|false)\b", c["text"], re.IGNORECASE)]
        assert not raw, (username, slug, "true/false shown in", raw)
        # Superset 6.1 always asks for a telemetry pixel: the CSP and the resolver must stop it (nothing received)
        resources = browser.execute_script(
            "return performance.getEntriesByType('resource').map(e => [e.name, e.responseStatus, e.transferSize])")
        outside = [(url, status, size) for url, status, size in resources
                   if urlparse(url).scheme in ("http", "https") and urlparse(url).hostname != "127.0.0.1"]
        assert all(not status and not size for _, status, size in outside), f"{slug} reached outside: {outside}"
        if slug == "overview":
            _check_cockpit(browser, platform, username)
        if slug == "districts":
            _check_districts(browser, username, width)


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def _check_cockpit(drv, platform, username: str) -> None:
    """22 tiles (one per headline indicator), each with its status as colour AND word, the colour the served
    vocabulary gives that word; the category summary names every status in full."""
    from urbanmon.status import COLOUR_HEX, STATUSES

    colour_of_word = {s.word_zh: _rgb(COLOUR_HEX[s.colour]) for s in STATUSES}
    tiles = drv.execute_script("""
        return Array.from(document.querySelectorAll('.cockpit .tile')).map(t => ({
          name: t.querySelector('.name').innerText.trim(),
          status: t.querySelector('.status').innerText.trim(),
          border: getComputedStyle(t).borderLeftColor,
          dot: getComputedStyle(t.querySelector('.dot')).backgroundColor,
          value: t.querySelector('.num').innerText.trim(),
          nature: t.querySelector('.nature').innerText.trim(),
          arrow: t.querySelector('.arrow').innerText.trim()}));""")
    headline = platform.serving("select count(*) from indicator_catalog where headline_no is not null")[0][0]
    assert len(tiles) == headline == 22, (username, len(tiles))
    for tile in tiles:
        assert tile["status"] in colour_of_word, tile
        assert tile["border"] == tile["dot"] == colour_of_word[tile["status"]], tile
        assert tile["nature"] in ("官方公布", "真实数据计算", "样例数据", "暂无数据"), tile
        assert tile["arrow"] in ("↑", "↓", "→", "—"), tile
    # the year on the board is the latest: the tiles show that year's served values and statuses
    year = platform.serving("select max(as_of_year) from board_indicator_tiles")[0][0]
    served = dict(platform.serving(
        "select name_zh, value_text || '|' || status_zh from board_indicator_tiles where as_of_year = ?", [year]))
    assert {t["name"]: f"{t['value']}|{t['status']}" for t in tiles} == served
    summary = drv.execute_script("return document.querySelector('.summary').innerText")
    for category in ("智慧城镇化", "绿色城镇化", "均衡城镇化", "双向城镇化"):
        assert category in summary, summary
    assert "…" not in summary and "..." not in summary, summary


def _check_districts(drv, username: str, width: int) -> None:
    """The map inside its box; the scorecard; the city as a line, not a bar; sample-data notices."""
    box = drv.execute_script("""
        const svg = document.querySelector('.district-map svg');
        const holder = svg.closest("[data-test='chart-grid-component']");
        const s = svg.getBoundingClientRect(), h = holder.getBoundingClientRect();
        return {svg: [s.left, s.top, s.right, s.bottom], box: [h.left, h.top, h.right, h.bottom]};""")
    (sl, st, sr, sb), (bl, bt, br, bb) = box["svg"], box["box"]
    assert sr - sl > 100 and sb - st > 100, (width, box)  # drawn at a readable size
    assert sl >= bl - 1 and st >= bt - 1 and sr <= br + 1 and sb <= bb + 1, (f"map outside its box at {width} px", box)
    fills = drv.execute_script(
        "return Array.from(document.querySelectorAll('.district-map path')).map(p => p.getAttribute('fill'))")
    assert len(fills) == 12 and len(set(fills)) >= 2, fills  # 12 districts, coloured by rank
    bars = drv.execute_script(
        "return Array.from(document.querySelectorAll('.dbars .row .name')).map(n => n.innerText.trim())")
    assert bars and "济南" not in bars, bars  # the city is never one of the bars
    legend = drv.execute_script("return document.querySelector('.dbars .ref').innerText")
    assert "全市" in legend, legend
    if not username.startswith("district_"):  # the reference is drawn as a line across the bars
        assert drv.execute_script("return document.querySelectorAll('.dbars .refline').length") == len(bars)
    header = drv.execute_script(
        "return Array.from(document.querySelectorAll('.scorecard')[0].querySelectorAll('.cell.head'))"
        ".map(c => c.innerText.trim())")
    coloured = drv.execute_script("return document.querySelectorAll('.scorecard .cell:not(.head)').length")
    if username.startswith("district_"):  # row-level security: the own district and the city
        assert len(header) == 2 and "济南" in header, header
    else:
        assert len(header) == 13 and header[0] == "济南", header  # the city, then the 12 districts
        assert coloured >= 13 * 10, coloured
    zones = drv.execute_script(
        "return document.querySelectorAll('.scorecard').length > 1 ? "
        "document.querySelectorAll('.scorecard')[1].innerText : ''")
    if not username.startswith("district_"):
        assert "高新区" in zones and "高新区" not in " ".join(header), (zones[:200], header)  # beside, not in it
    # every ranking, list and matrix computed from sample data says so (the samples are synthetic here)
    for selector in (".scorecard", ".dbars", ".commended", ".district-map"):
        text = drv.execute_script(f"return document.querySelector('{selector}').innerText")
        assert "样例（合成）数据计算" in text, (selector, text[:300])


def _download_from_menu(drv, item: str, folder, suffix: str, timeout: float = 60):
    """Superset's own dashboard menu: ⋯ → 下载 → item; the browser saves the file into ``folder``."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    before = set(folder.iterdir())
    WebDriverWait(drv, 30).until(expected_conditions.element_to_be_clickable(
        (By.CSS_SELECTOR, "[data-test='actions-trigger']"))).click()
    submenu = WebDriverWait(drv, 10).until(expected_conditions.visibility_of_element_located(
        (By.XPATH, "//*[contains(@class,'submenu-title') and normalize-space(.)='下载']")))
    ActionChains(drv).move_to_element(submenu).perform()
    WebDriverWait(drv, 10).until(expected_conditions.element_to_be_clickable(
        (By.XPATH, f"//li[contains(@class,'menu-item') and normalize-space(.)='{item}']"))).click()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in set(folder.iterdir()) - before if p.suffix == suffix and p.stat().st_size > 0]
        if done:
            return done[0]
        time.sleep(0.5)
    raise AssertionError(f"no {suffix} file from 下载 → {item} within {timeout} s")


def test_leader_exports_the_overview_as_pdf_and_image(platform, browser, tmp_path):
    """For the meeting: 总览 as PDF and as an image through Superset's own download menu, offline, Chinese legible."""
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.set_window_size(1600, 2200)
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    _browser_login(browser, platform, "leader")
    browser.get(f"{platform.superset}/superset/dashboard/overview/")
    admin = platform.superset_session()
    expected = len(admin.get(f"{platform.superset}/api/v1/dashboard/overview/charts", timeout=30).json()["result"])
    assert not _wait_for_charts(browser, expected)

    pdf = _download_from_menu(browser, "导出为PDF", downloads, ".pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000, pdf.stat().st_size
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 1, info
    # the PDF is the dashboard drawn to a canvas: rasterise its first page for review and check it is not blank
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(ARTIFACTS / "leader-overview-export-pdf")], check=True)
    page = ARTIFACTS / "leader-overview-export-pdf.png"
    assert page.stat().st_size > 20_000, page.stat().st_size  # a blank page compresses to a few kB

    # Superset 6.1's 下载为图片 saves a JPEG of the dashboard
    image = _download_from_menu(browser, "下载为图片", downloads, ".jpg")
    from PIL import Image

    with Image.open(image) as img:
        assert img.format == "JPEG" and img.width >= 1000 and img.height >= 1000, (img.format, img.size)
        # not blank: a page of charts has many distinct colours
        assert len(img.convert("RGB").resize((200, 200)).getcolors(40_000)) > 500
    shutil.copy(image, ARTIFACTS / "leader-overview-export.jpg")

    # Chinese glyphs: the export draws the page on a canvas; there, 济南 must render as glyphs, not as the
    # missing-glyph boxes an unassigned code point gets (Debian's fonts-noto-cjk; without it both look alike)
    same = browser.execute_script("""
        const draw = text => { const c = document.createElement('canvas'); c.width = 120; c.height = 40;
          const g = c.getContext('2d'); g.font = '28px sans-serif'; g.fillText(text, 4, 30);
          return Array.from(g.getImageData(0, 0, 120, 40).data).join(','); };
        const cjk = draw('济南'), missing = draw('\\u0378\\u0379'), blank = draw('');
        return [cjk === missing, cjk === blank];""")
    assert same == [False, False], "Chinese characters do not render on a canvas (no CJK font?)"
