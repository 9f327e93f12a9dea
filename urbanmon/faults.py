"""Fault injection for the reliability tests: ``URBANMON_FAULT=<stage>`` makes the process SIGKILL itself there.

The stages are the pipeline's points of no return: ``ingest`` (rows inserted, the ingest transaction not yet
committed), ``dbt_build`` (dbt running and writing the build database; ``URBANMON_FAULT_DELAY`` seconds after it
started, default 4), ``validation`` (the first serving table validated, the rest not) and ``publication`` (the new
snapshot file fully written next to the serving file, not yet swapped in). Unset, every point is a no-op.

SIGKILL, not an exception: nothing can clean up, exactly as when the OOM killer or a lost worker node ends a task.
"""

from __future__ import annotations

import os
import signal
import time

STAGES = ("ingest", "dbt_build", "validation", "publication")


def armed(stage: str) -> bool:
    return os.environ.get("URBANMON_FAULT") == stage


def point(stage: str) -> None:
    """Die here (SIGKILL, no cleanup) if ``URBANMON_FAULT`` names this stage."""
    if stage not in STAGES:
        raise ValueError(f"unknown fault stage {stage!r}")
    if armed(stage):
        if stage == "dbt_build":
            time.sleep(float(os.environ.get("URBANMON_FAULT_DELAY", "4")))
        os.kill(os.getpid(), signal.SIGKILL)


def die_with_parent() -> None:
    """``preexec_fn`` of a child process (dbt): the kernel kills it when the pipeline process dies, so a killed
    worker never leaves an orphan holding the build database's lock (Linux; elsewhere a no-op)."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass
