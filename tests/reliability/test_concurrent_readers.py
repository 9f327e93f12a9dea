"""Twenty reader processes on the serving snapshot while the pipeline publishes ten snapshots in a row.

Each publication is the pipeline's own publication step (``publish.publish_snapshot``: build database -> new file
-> ``os.replace``) in its own process, as a pipeline run ends; the readers open the serving file read-only, as
Superset does, and check in every read that each table carries the snapshot table's id. Zero failed queries, zero
lock errors, no read that mixes two snapshots. (The crash-safety test runs the whole pipeline; ten whole runs cost
minutes each on a loaded 2-core machine, and only the publication step touches what readers see.)
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.reliability.conftest import FIGURES, Readers, section

READERS = 20
PUBLICATIONS = 10


@pytest.mark.timeout(1800)
def test_twenty_readers_during_ten_publications_see_old_or_new_never_a_mix(workspace):
    data = workspace.restore("base")
    serving = data / "serving" / "warehouse.duckdb"
    env = {**os.environ, "URBANMON_DATA_DIR": str(data)}
    env.pop("URBANMON_FAULT", None)
    published = []
    with Readers(serving, READERS, workspace.root / "readers") as readers:
        for i in range(PUBLICATIONS):
            proc = subprocess.run(
                [sys.executable, "-c", "import sys; from urbanmon import publish; "
                 f"print(publish.publish_snapshot(extra={{'run_id': 'reliability-{i}'}}))"],
                capture_output=True, text=True, env=env, timeout=600)
            assert proc.returncode == 0, proc.stderr[-2000:]
            published.append(proc.stdout.strip())
    totals = readers.totals()
    assert len(set(published)) == PUBLICATIONS
    assert totals["failed"] == 0, totals["errors"]
    assert totals["lock_errors"] == 0, totals["errors"]
    assert totals["mixed"] == 0, totals["errors"]
    assert totals["reads"] >= READERS * PUBLICATIONS, totals  # every reader read throughout
    assert totals["snapshots_seen"] >= PUBLICATIONS // 2, totals  # they did see the snapshots change under them

    FIGURES["readers"] = totals
    section("Concurrent readers", [
        f"{READERS} reader processes (read-only DuckDB connections on the serving file, as Superset opens it) while "
        f"{PUBLICATIONS} snapshots were published one after another, each by the pipeline's publication step in "
        "its own process. Every read takes the `snapshot` row and the snapshot ids of five serving tables in one "
        "connection.", "",
        f"- Publications: {PUBLICATIONS}; readers: {totals['readers']}; reads: {totals['reads']}; queries: "
        f"{totals['queries']}",
        f"- Failed queries: {totals['failed']}; lock errors: {totals['lock_errors']}; reads mixing two "
        f"snapshots: {totals['mixed']}",
        f"- Distinct snapshots the readers saw: {totals['snapshots_seen']} of {PUBLICATIONS + 1}",
    ])
