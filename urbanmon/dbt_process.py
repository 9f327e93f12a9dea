"""``python -m urbanmon.dbt_process <dbt build arguments>``: the short-lived process that runs one ``dbt build``.

The same as the ``dbt`` command (same arguments, output and exit code: 0 success, 1 failed nodes, 2 dbt error), with
two differences that matter for a one-day build (docs/benchmarks.md, the dbt stages of the latency table):

- dbt writes ``manifest.json`` and ``semantic_manifest.json`` twice per run (after parsing, and again after the
  build). An incremental build of an unchanged project would only rewrite the same manifest, so it is written once,
  and only when somebody reads it: after a full build (``--full-refresh``, a changed project) and after a failed
  build (``urbanmon.dbt_failures`` explains failures from it). ``run_results.json`` is always written.
- it writes ``urbanmon_timings.json`` beside run_results: seconds spent importing dbt, loading the (partially
  parsed) project, and executing the nodes, so the benchmark can tell dbt's start-up from its work.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

TIMINGS_FILE = "urbanmon_timings.json"


def _option(args: list[str], name: str) -> str | None:
    return args[args.index(name) + 1] if name in args and args.index(name) + 1 < len(args) else None


def _peak_rss_mb() -> float | None:
    """This process's own peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the forking parent)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def main(argv: list[str]) -> int:
    t0 = time.perf_counter()
    from dbt.cli.main import dbtRunner

    imported = time.perf_counter()
    if not argv or argv[0] != "build":
        raise SystemExit("usage: python -m urbanmon.dbt_process build <dbt build arguments>")
    args = argv[1:]
    target = Path(_option(args, "--target-path") or "target")
    common = [a for a in ("--project-dir", "--profiles-dir", "--target-path", "--log-path") if a in args]
    common_args = [x for a in common for x in (a, _option(args, a))]
    parsed = dbtRunner().invoke(["parse", "--no-write-json", *common_args])
    if not parsed.success or parsed.result is None:
        print(f"dbt could not load the project: {parsed.exception}", file=sys.stderr)
        return 2
    manifest = parsed.result
    loaded = time.perf_counter()
    built = dbtRunner(manifest=manifest).invoke(["build", "--no-write-json", *args])
    done = time.perf_counter()
    target.mkdir(parents=True, exist_ok=True)
    if built.result is not None and hasattr(built.result, "write"):
        built.result.write(str(target / "run_results.json"))
    if "--full-refresh" in args or not built.success:
        manifest.write(str(target / "manifest.json"))
    (target / TIMINGS_FILE).write_text(json.dumps({
        "import_s": imported - t0, "load_project_s": loaded - imported, "execute_s": done - loaded,
        "elapsed_s": getattr(built.result, "elapsed_time", None), "write_artifacts_s": time.perf_counter() - done,
        "peak_rss_mb": _peak_rss_mb(),
    }))
    if built.exception is not None:
        print(f"dbt error: {built.exception}", file=sys.stderr)
        return 2
    return 0 if built.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
