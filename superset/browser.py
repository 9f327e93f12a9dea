"""A real headless Chromium on the boards: one definition of how it starts, how a user logs in and when a board has
rendered, shared by the live browser tests (tests/integration/test_boards_live.py) and the board benchmark
(scripts/bench_board.py).

superset/ is not a Python package (it would shadow Superset itself): load this module by path, as api_client.py.
Needs Debian's ``chromium`` and ``chromium-driver`` (scripts/bootstrap.sh) and selenium (pipeline venv).
"""

from __future__ import annotations

import json
import shutil
import time

# every chart type the boards draw: a canvas or SVG (ECharts), a table, or one of the Handlebars boards' HTML
DRAWN = ("svg, canvas, table, .ant-empty, [data-test='empty-state'], .district-map, .cockpit, .summary, .scorecard, "
         ".dbars, .commended")
EMPTY_TEXTS = ("没有数据返回", "没有结果", "No results")
HOLDER = "[data-test='chart-grid-component']"
ERRORS = f"{HOLDER} [data-test='error-alert'], {HOLDER} [role='alert'], .alert-danger"


class BrowserError(RuntimeError):
    pass


def chromium(width: int = 1600, height: int = 2200, downloads: str | None = None):
    """A headless Chromium driven by chromedriver; requests to any host but this machine fail."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not binary or not driver:
        raise BrowserError("Debian's chromium and chromium-driver are needed (scripts/bootstrap.sh installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", f"--window-size={width},{height}", "--lang=zh-CN",
                # requests to any host but this machine fail: nothing may come from outside
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
        options.add_argument(arg)
    drv = webdriver.Chrome(service=Service(driver), options=options)
    drv.set_page_load_timeout(60)
    if downloads:
        drv.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    return drv


def login(drv, base_url: str, user: str, password: str) -> None:
    """Log in through Superset's own login form (3 attempts: on a loaded machine React may redraw the form while it
    is being filled in)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    drv.delete_all_cookies()
    for _attempt in range(3):
        drv.get(f"{base_url}/login/")
        # the login form is drawn by React after the page has loaded
        WebDriverWait(drv, 30).until(expected_conditions.element_to_be_clickable((By.ID, "username")))
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
    raise BrowserError(f"{user} could not log in (3 attempts)")


# Runs in the page: resolves once every chart holder has rendered (no spinner, something drawn or Superset's empty
# state) with the milliseconds since the navigation began (performance.now()), or with an error after the timeout.
_WAIT_JS = """
const [expected, drawn, holder, errors, emptyTexts, timeoutMs, done] = arguments;
function state() {
  const holders = Array.from(document.querySelectorAll(holder));
  const loading = document.querySelectorAll(holder + " [data-test='loading-indicator']").length;
  const filled = holders.filter(h => h.querySelector(drawn)
                                   || emptyTexts.some(w => (h.textContent || '').includes(w))).length;
  return {holders: holders.length, loading: loading, filled: filled,
          errors: Array.from(document.querySelectorAll(errors)).map(e => (e.textContent || '').slice(0, 200))};
}
const started = performance.now();
(function poll() {
  const s = state();
  if (s.holders >= expected && s.loading === 0 && s.filled >= expected) {
    done(JSON.stringify({ok: true, ms: performance.now(), errors: s.errors}));
  } else if (performance.now() - started > timeoutMs) {
    done(JSON.stringify({ok: false, ms: performance.now(), state: s}));
  } else {
    setTimeout(poll, 20);
  }
})();
"""


def wait_for_charts(drv, expected: int, timeout: float = 60) -> tuple[float, list[str]]:
    """Wait until every one of ``expected`` chart holders has rendered: no spinner, each holder filled (a canvas,
    SVG, table, one of the boards' HTML blocks, or the empty state). Returns (milliseconds from the start of the
    navigation to that moment, measured by the page's own clock; the error texts shown). Raises on timeout."""
    drv.set_script_timeout(timeout + 10)
    result = json.loads(drv.execute_async_script(_WAIT_JS, expected, DRAWN, HOLDER, ERRORS, list(EMPTY_TEXTS),
                                                 timeout * 1000))
    if not result["ok"]:
        state = result["state"]
        raise BrowserError(f"charts not rendered within {timeout} s ({state['holders']}/{expected} holders, "
                           f"{state['filled']} filled, {state['loading']} spinners)")
    return result["ms"], result["errors"]


def open_board(drv, base_url: str, slug: str, expected: int, timeout: float = 60) -> float:
    """Open a dashboard and wait until every chart has rendered; milliseconds from navigation start. A chart that
    shows an error is a failure, not a fast render."""
    drv.get(f"{base_url}/superset/dashboard/{slug}/")
    ms, errors = wait_for_charts(drv, expected, timeout)
    if errors:
        raise BrowserError(f"{slug}: charts show errors: {errors}")
    return ms
