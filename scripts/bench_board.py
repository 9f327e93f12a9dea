"""Benchmark the boards as a leader meets them: a real browser opening every board, and 20 viewers at once.

1. Headless Chromium (superset/browser.py, the same driver, login and "rendered" test as the live browser tests),
   logged in as 领导 (user ``leader``), opens each board and waits until every chart has rendered (no spinner, every
   chart holder filled); the time is the page's own clock from the start of the navigation. Cold: the first view of
   each board after a new serving snapshot was published (Superset's data cache is keyed by the snapshot,
   superset/snapshot_cache.py, so every chart query runs); warm: the views after it. The browser keeps its HTTP cache
   (a returning leader); the very first view of a fresh browser is reported on its own.
2. The chart-data API of every chart of 总览 (``GET /api/v1/chart/<id>/data/``, the saved query, authenticated as
   领导 with a Bearer token, row-level security applied by Superset as for any request): 20 concurrent viewers without
   think time, cold (first round after a publication) and warm; one viewer alone beside them.
   The client is kept cheap because it shares the two cores with the server: one process, one thread per viewer,
   one keep-alive ``requests.Session`` each; its own CPU time is reported.

    python scripts/bench_board.py [--viewers 20] [--rounds 5] [--views 3] [--no-publish] [--no-browser]
    (needs the platform up: make up; scripts/bench.py calls section(live=True) for `make bench LIVE=1`)
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VIEWER = "leader"  # 领导 in superset/access.yaml; password from SUPERSET_PASSWORD_LEADER
# the boards in the order a leader opens them, with their Chinese titles (superset/assets/dashboards/)
BOARDS = {"overview": "总览", "indicator-detail": "指标详情", "districts": "区县对比", "air-quality": "环境空气质量",
          "data-quality": "数据质量与时效"}
TARGETS_MS = {"overview": {"warm": 1500, "cold": 3000}}
API_TARGET_P95_MS = 300


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"superset_{name}", REPO / "superset" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def _load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"Load average at the start: {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores."


def _publish(reason: str) -> str:
    """Publish a new serving snapshot and check that the data cache really starts empty for it (its key changed)."""
    from urbanmon import publish
    from urbanmon.settings import paths

    cache = _load("snapshot_cache")
    watched = [paths().serving_db, paths().serving_db.parent / "operations.duckdb"]
    before = cache.snapshot_identity(watched)
    snapshot = publish.republish({"reason": reason})
    if cache.snapshot_identity(watched) == before:
        raise RuntimeError("publication left the snapshot identity unchanged: a 'cold' view would be served warm "
                           "from the data cache (superset/snapshot_cache.py keys it by the published files)")
    return str(snapshot)


# --- the chart-data API ------------------------------------------------------------------------------------------
def _round(clients, chart_ids: list[int]) -> list[float]:
    def viewer(client) -> list[float]:
        times = []
        for chart_id in chart_ids:
            t0 = time.perf_counter()
            r = client.session.get(f"{client.base_url}/api/v1/chart/{chart_id}/data/", timeout=120)
            times.append((time.perf_counter() - t0) * 1000)
            if r.status_code != 200:
                raise RuntimeError(f"chart {chart_id}: {r.status_code} {r.text[:200]}")
        return times

    with ThreadPoolExecutor(len(clients)) as pool:
        return [t for times in pool.map(viewer, clients) for t in times]


def api_section(viewers: int = 20, rounds: int = 5, publish: bool = True) -> list[str]:
    load = _load_note()
    api = _load("api_client")
    admin = api.SupersetClient.from_env()
    password = api._setting("SUPERSET_PASSWORD_LEADER")
    if not password:
        raise RuntimeError("SUPERSET_PASSWORD_LEADER is not set (environment or .env)")
    chart_ids = [c["id"] for c in admin.get("/api/v1/dashboard/overview/charts")["result"]]
    if publish:
        _publish("bench-board: chart-data API")
    # logged in after the publication: gunicorn closes a keep-alive connection idle for more than 2 s
    clients = [api.SupersetClient(admin.base_url, VIEWER, password) for _ in range(viewers)]
    cpu0, wall0 = time.process_time(), time.perf_counter()
    cold = _round(clients, chart_ids)
    t_warm = time.perf_counter()
    warm = [t for _ in range(rounds) for t in _round(clients, chart_ids)]
    warm_wall = time.perf_counter() - t_warm
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    single = [t for _ in range(rounds) for t in _round(clients[:1], chart_ids)]
    p95 = _percentile(warm, 95)
    rows = [(f"cold: first round after a publication, {viewers} viewers", cold),
            (f"warm: {rounds} rounds, {viewers} viewers", warm),
            (f"warm: one viewer alone, {rounds} rounds", single)]
    lines = ["## Board chart-data API (总览)", "",
             f"`GET /api/v1/chart/<id>/data/` of the {len(chart_ids)} charts of 总览 (each chart's saved query), "
             f"{viewers} concurrent viewers logged in as 领导 without think time, each asking for every chart in turn. "
             f"Target: warm p95 ≤ {API_TARGET_P95_MS} ms with {viewers} viewers. " + load, "",
             "| run | requests | p50 ms | p95 ms | max ms |", "|---|---|---|---|---|"]
    for label, times in rows:
        lines.append(f"| {label} | {len(times)} | {statistics.median(times):.0f} | {_percentile(times, 95):.0f} | "
                     f"{max(times):.0f} |")
    verdict = "met" if p95 <= API_TARGET_P95_MS else "MISSED"
    lines += ["", f"Warm p95 {p95:.0f} ms: target {verdict}. Throughput while warm: {len(warm) / warm_wall:.0f} "
              f"requests/s for the whole server. The client (one process, {viewers} threads, keep-alive sessions) "
              f"used {cpu:.1f} s of CPU in {wall:.1f} s of the cold and warm rounds ({100 * cpu / wall:.0f} % of "
              "one core) on the same two cores as the server."]
    return lines


# --- a real browser ----------------------------------------------------------------------------------------------
def browser_section(views: int = 3, publish: bool = True) -> list[str]:
    load = _load_note()
    api, browser = _load("api_client"), _load("browser")
    admin = api.SupersetClient.from_env()
    password = api._setting("SUPERSET_PASSWORD_LEADER")
    expected = {slug: len(admin.get(f"/api/v1/dashboard/{slug}/charts")["result"]) for slug in BOARDS}
    drv = browser.chromium()
    try:
        browser.login(drv, admin.base_url, VIEWER, password)
        # a fresh browser: nothing in its HTTP cache yet (the JavaScript bundles come with the first board)
        if publish:
            _publish("bench-board: browser, first visit")
        first_visit = browser.open_board(drv, admin.base_url, "overview", expected["overview"])
        cold: dict[str, list[float]] = {slug: [] for slug in BOARDS}
        warm: dict[str, list[float]] = {slug: [] for slug in BOARDS}
        for _ in range(views):
            if publish:
                _publish("bench-board: browser, cold")
            for slug in BOARDS:
                cold[slug].append(browser.open_board(drv, admin.base_url, slug, expected[slug]))
            for slug in BOARDS:
                warm[slug].append(browser.open_board(drv, admin.base_url, slug, expected[slug]))
    finally:
        drv.quit()
    version = _chromium_version()
    lines = ["## Boards in a real browser", "",
             f"Headless Chromium ({version}, 1600×2200 px) logged in as 领导 opens each board and waits until every "
             "chart has rendered (no spinner, every chart holder filled: superset/browser.py, the same test as "
             "tests/integration/test_boards_live.py); time from the start of the navigation by the page's own clock. "
             "Cold: the first view of each board after a new snapshot was published (every chart query runs); warm: "
             f"the next view. {views} rounds (a publication, every board cold, every board warm); the median. "
             "Targets: 总览 warm ≤ 1.5 s, cold ≤ 3 s. " + load, "",
             "| board | charts | cold ms (median) | cold ms (max) | warm ms (median) | warm ms (max) | target |",
             "|---|---|---|---|---|---|---|"]
    for slug, title in BOARDS.items():
        c, w = statistics.median(cold[slug]), statistics.median(warm[slug])
        target = TARGETS_MS.get(slug)
        verdict = ("—" if not target else
                   ("met" if c <= target["cold"] and w <= target["warm"] else "MISSED"))
        lines.append(f"| {title} | {expected[slug]} | {c:.0f} | {max(cold[slug]):.0f} | {w:.0f} | "
                     f"{max(warm[slug]):.0f} | {verdict} |")
    lines += ["", f"First view of 总览 in a fresh browser (empty HTTP cache: the JavaScript bundles load too), "
              f"after a publication: {first_visit:.0f} ms."]
    return lines


def _chromium_version() -> str:
    import subprocess

    try:
        out = subprocess.run(["chromium", "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "Chromium"
    return out or "Chromium"


def section(live: bool) -> list[str]:
    """The markdown lines of the board sections for docs/benchmarks.md; none without a running platform (live)."""
    if not live:
        return []
    return [*browser_section(), "", *api_section()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5, help="warm API rounds after the cold one")
    parser.add_argument("--views", type=int, default=3, help="browser rounds (each: publish, cold, warm)")
    parser.add_argument("--no-publish", action="store_true", help="publish no new snapshot (cold is then warm)")
    parser.add_argument("--no-browser", action="store_true", help="the chart-data API only")
    parser.add_argument("--no-api", action="store_true", help="the browser only")
    args = parser.parse_args(argv)
    lines: list[str] = []
    if not args.no_browser:
        lines += [*browser_section(args.views, not args.no_publish), ""]
    if not args.no_api:
        lines += api_section(args.viewers, args.rounds, not args.no_publish)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
