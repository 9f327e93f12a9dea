"""Kill the pipeline process (SIGKILL) during ingest, the dbt build, validation and publication.

The state *base + one new CNEMC day in landing* is run once uninterrupted (the reference). Then, from the same
state, ``urbanmon run-once`` is killed at each stage in turn, as a worker lost four times and retried would be:
after every kill the serving snapshot's bytes are exactly what they were (same SHA-256), nothing is left that blocks
the next run (no orphan dbt holding the build database), and every kill's successor gets at least as far as the
next stage; the run after the last kill completes to the same content as the uninterrupted run, every file in
exactly one state.
"""

from __future__ import annotations

import os
import signal

import pytest

from tests.conftest import real_city_file
from tests.reliability.conftest import NEW_CITY_DAY, land, section, urbanmon
from urbanmon import faults

CITY_FEED = "air_quality__cnemc_city_hourly"


@pytest.mark.timeout(2400)  # 6 pipeline runs: ~5 min on CI, more on a loaded machine
def test_kill_at_every_stage_leaves_snapshot_and_next_run_completes_the_same(workspace):
    import duckdb

    from urbanmon import accounting, publish

    data = workspace.restore("base")
    land(data, CITY_FEED, f"china_cities_{NEW_CITY_DAY}.csv", real_city_file(NEW_CITY_DAY))
    workspace.save("next")
    serving = data / "serving" / "warehouse.duckdb"
    before = publish.file_checksum(serving)
    proc = urbanmon(data, "run-once")
    assert proc.returncode == 0, proc.stderr[-3000:]
    reference = publish.content_hash(serving)
    assert publish.file_checksum(serving) != before  # the uninterrupted run did publish something new

    data = workspace.restore("next")
    assert publish.file_checksum(serving) == before
    stages = {}
    for stage in faults.STAGES:
        killed = urbanmon(data, "run-once", fault=stage)
        assert killed.returncode == -signal.SIGKILL, (stage, killed.returncode, killed.stderr[-2000:])
        assert publish.file_checksum(serving) == before, f"the serving snapshot changed under a kill at {stage}"
        # nothing of the killed run holds the build database (dbt dies with its parent)
        duckdb.connect(str(data / "build" / "warehouse.duckdb")).close()
        stages[stage] = sorted(p.name for p in (data / "serving").glob(".*.tmp*"))
    rerun = urbanmon(data, "run-once")
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    result = publish.content_hash(serving)
    assert not list((data / "serving").glob(".*.tmp*")), "a half-written snapshot file was left behind"
    assert result == reference, "after the kills the next run published other content than an uninterrupted run"

    # replay: everything reloaded from the archive and rebuilt (a full build) publishes the same content again
    replayed = urbanmon(data, "replay")
    assert replayed.returncode == 0, replayed.stderr[-3000:]
    assert publish.content_hash(serving) == reference, "a replay from the archive published other content"

    previous = os.environ.get("URBANMON_DATA_DIR")
    os.environ["URBANMON_DATA_DIR"] = str(data)
    try:
        summary = accounting.summary(accounting.check(verify_hashes=True))
    finally:
        if previous is None:
            os.environ.pop("URBANMON_DATA_DIR")
        else:
            os.environ["URBANMON_DATA_DIR"] = previous
    assert not summary["anomalies"], summary["anomalies"]
    assert set(summary["states"]) <= {"processed", "quarantined"}, summary["states"]

    body = ["From the state *base + one new CNEMC day in landing*: one uninterrupted `urbanmon run-once` (the "
            "reference); then, from the same state, `urbanmon run-once` with `URBANMON_FAULT=<stage>` (the process "
            "SIGKILLs itself there) for each stage in turn, as a worker lost and retried; then one run without a "
            "fault. After each kill the serving file's SHA-256 is compared with the one before; the last run's "
            "content (a hash of a sorted export of every serving table, run-specific columns excluded) with the "
            "reference's.", "",
            "| stage killed | exit | serving file after the kill | half-written files left by the kill |",
            "|---|---|---|---|"]
    for stage, leftovers in stages.items():
        body.append(f"| {stage} | -9 (SIGKILL) | unchanged (same SHA-256) | {', '.join(leftovers) or 'none'} |")
    body += ["", f"- Run after the {len(stages)} kills: same content as the uninterrupted run "
             f"(`{result['sha256'][:16]}…`, {sum(result['tables'].values())} rows in {len(result['tables'])} tables)",
             "- `urbanmon replay` afterwards (every feed reloaded from the archive, full rebuild): same content "
             "again",
             f"- Files accounted afterwards: {summary['files']} ({summary['states']}), anomalies: "
             f"{len(summary['anomalies'])}"]
    section("Crash safety (SIGKILL at each stage)", body)
