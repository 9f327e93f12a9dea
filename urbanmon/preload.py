"""What every task process would otherwise import at its start, imported once by the scheduler's forkserver.

The scheduler runs its LocalExecutor workers from a ``forkserver`` (``[scheduler] mp_start_method``) that imports
this module first (``[scheduler] mp_forkserver_preload``, scripts/env.sh). A worker is forked from that server and
each task process is forked from a worker, so a task starts with pandas, pyarrow, DuckDB, Great Expectations and the
pipeline's own modules already in memory, shared copy-on-write: the ingest and the build task no longer pay the
~5 s of ``import great_expectations`` (more on a loaded machine) each on the way from a landed file to the served
value. The DAG files stay light (urbanmon.dag_factory): the DAG processor never imports this module.

Only imports, nothing that starts a thread or opens a file: forking a process that runs threads is unsafe
(tests/unit/test_preload.py checks it).
"""

from __future__ import annotations

import importlib
import os

MODULES = (
    "pandas",
    "pyarrow",
    "pyarrow.csv",
    "duckdb",
    "great_expectations",
    "great_expectations.data_context.types.base",
    "great_expectations.expectations.expectation_configuration",
    "urbanmon.ingest",
    "urbanmon.pipeline",
    "urbanmon.quality",
)

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # as urbanmon.quality: no calls to the outside
for _name in MODULES:
    importlib.import_module(_name)
