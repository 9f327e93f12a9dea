"""Benchmark the chart-data API of every chart of the 总览 board: 20 concurrent viewers, no think time.

Cold: the first round right after a new serving snapshot is published (urbanmon.publish, a fresh DuckDB file: the
connection, page cache and Superset's snapshot-keyed data cache (superset/snapshot_cache.py) start empty: every
request runs its query). Warm: the following rounds, served from the data cache of that snapshot; nothing can serve
stale data after a publish, because a new snapshot changes every cache key.

    make bench-board            # needs the platform up (make up); writes the result into docs/benchmarks.md
    .venvs/pipeline/bin/python scripts/bench_board.py --viewers 20 --rounds 5 [--no-publish] [--no-write]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = REPO / "docs" / "benchmarks.md"
SECTION = "## Board chart-data API (总览)"


def _client_module():
    spec = importlib.util.spec_from_file_location("superset_api_client", REPO / "superset" / "api_client.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5, help="warm rounds after the cold one")
    parser.add_argument("--no-publish", action="store_true", help="do not publish a new snapshot first")
    parser.add_argument("--no-write", action="store_true", help="print only, leave docs/benchmarks.md")
    args = parser.parse_args(argv)

    load_at_start = os.getloadavg()[0]
    api = _client_module()
    admin = api.SupersetClient.from_env()
    chart_ids = [c["id"] for c in admin.get("/api/v1/dashboard/overview/charts")["result"]]
    clients = [api.SupersetClient.from_env() for _ in range(args.viewers)]
    if not args.no_publish:
        from urbanmon import publish

        print(f"published snapshot {publish.republish({'reason': 'bench-board'})}", file=sys.stderr)
    cold = _round(clients, chart_ids)
    warm = [t for _ in range(args.rounds) for t in _round(clients, chart_ids)]
    single = [t for _ in range(args.rounds) for t in _round(clients[:1], chart_ids)]
    rows = [("cold (first round after a publish)", cold), (f"warm ({args.rounds} rounds)", warm),
            (f"warm, one viewer alone ({args.rounds} rounds)", single)]
    lines = [SECTION, "",
             f"`make bench-board` ({time.strftime('%Y-%m-%d')}): {len(chart_ids)} charts of 总览, {args.viewers} "
             "concurrent viewers without think time, `GET /api/v1/chart/<id>/data/` (the saved query; Superset's "
             "data cache keyed by the published snapshot, so the cold round runs every query). Target: warm p95 < "
             f"200 ms. Measured on the 2-core machine, load average {load_at_start:.1f} at the start.", "",
             "| run | requests | p50 ms | p95 ms | max ms |", "|---|---|---|---|---|"]
    for label, times in rows:
        lines.append(f"| {label} | {len(times)} | {statistics.median(times):.0f} | {_percentile(times, 95):.0f} | "
                     f"{max(times):.0f} |")
    per_second = len(warm) / (sum(warm) / 1000 / args.viewers)
    lines += ["", f"Throughput while warm: about {per_second:.0f} requests/s for the whole server. One cached "
              f"request alone takes {statistics.median(single):.0f} ms (p50); with {args.viewers} viewers and no "
              "think time the requests queue for the two cores, and the queue, not the query, sets the warm p95."]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        current = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else "# Benchmarks\n"
        pattern = re.compile(rf"{re.escape(SECTION)}\n.*?(?=\n## |\Z)", re.S)
        current = pattern.sub("", current).rstrip("\n") + "\n\n" + text
        BENCHMARKS.write_text(current, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
