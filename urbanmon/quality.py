"""Great Expectations gates, run inside the pipeline.

GX has no DuckDB datasource that works (see docs/decisions/0003-great-expectations-on-pandas.md): each table or batch
is read into pandas and validated through a pandas datasource of a file-backed context under ``data/gx``. The suites
themselves are code, in ``expectations/*.json``, and are re-registered on every run.

``great_expectations`` is imported lazily (it costs seconds), never at DAG parse time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from urbanmon.settings import EXPECTATIONS_DIR, paths


@dataclass
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    unexpected_count: int
    severity: str = "critical"  # critical: the file is quarantined; warning: recorded, the file loads
    bad_files: dict[str, int] = field(default_factory=dict)  # source_file_name -> failing rows
    sample: list[Any] = field(default_factory=list)


@dataclass
class ValidationOutcome:
    suite: str
    target: str
    success: bool
    evaluated: int
    outcomes: list[ExpectationOutcome]

    @property
    def failed(self) -> int:
        return sum(not o.success for o in self.outcomes)

    @property
    def critical_success(self) -> bool:
        return all(o.success for o in self.outcomes if o.severity == "critical")

    def bad_files(self) -> dict[str, list[str]]:
        """file name -> human-readable reasons, for the critical expectations that failed."""
        out: dict[str, list[str]] = {}
        for o in self.outcomes:
            if o.severity != "critical":
                continue
            for name, count in o.bad_files.items():
                where = f" on column {o.column!r}" if o.column else ""
                out.setdefault(name, []).append(
                    f"{self.suite}: {o.expectation}{where} failed for {count} row(s), e.g. {o.sample[:3]}"
                )
        return out

    def details(self) -> list[dict]:
        return [o.__dict__ for o in self.outcomes]


def load_suite_spec(name: str) -> dict:
    return json.loads((EXPECTATIONS_DIR / f"{name}.json").read_text(encoding="utf-8"))


_context = None


def _gx_context():
    global _context
    root = paths().gx_dir
    # a context per folder, made anew when the folder is gone (a data folder emptied under a long-lived process)
    if _context is None or _context[0] != root or not (root / "gx" / "great_expectations.yml").exists():
        import os

        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # no calls to the outside
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        root.mkdir(parents=True, exist_ok=True)
        context = gx.get_context(mode="file", project_root_dir=str(root))
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        _context = (root, context)
    return _context[1]


def validate_dataframe(df, suite_name: str, target: str, expectations: list[dict],
                       index_column: str | None = None) -> ValidationOutcome:
    """Validate ``df`` against ``expectations``; with ``index_column``, failing rows are traced to its values."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    context = _gx_context()
    source = context.data_sources.add_or_update_pandas(name="urbanmon")
    asset_name = target.replace(".", "__")
    try:
        asset = source.get_asset(asset_name)
    except LookupError:
        asset = source.add_dataframe_asset(name=asset_name)
    try:
        batch_def = asset.get_batch_definition("whole")
    except (LookupError, KeyError):
        batch_def = asset.add_batch_definition_whole_dataframe("whole")

    suite = gx.ExpectationSuite(name=suite_name)
    for exp in expectations:
        present = [c for c in ([exp["kwargs"].get("column")] + exp["kwargs"].get("column_list", [])) if c]
        if any(c not in df.columns for c in present):
            raise KeyError(f"suite {suite_name}: column(s) {present} not in {target}")
        suite.add_expectation_configuration(
            ExpectationConfiguration(type=exp["type"], kwargs=exp["kwargs"], meta=exp.get("meta", {}))
        )
    suite = context.suites.add_or_update(suite)
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=f"{suite_name}__{asset_name}", data=batch_def, suite=suite)
    )
    result_format: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": 5}
    if index_column:
        result_format = {"result_format": "COMPLETE", "unexpected_index_column_names": [index_column]}
    result = definition.run(batch_parameters={"dataframe": df}, result_format=result_format)

    outcomes = []
    for r in result.results:
        cfg = r.expectation_config
        res = r.result or {}
        bad: dict[str, int] = {}
        if index_column and not r.success:
            for item in res.get("unexpected_index_list") or []:
                if isinstance(item, dict) and index_column in item:
                    bad[item[index_column]] = bad.get(item[index_column], 0) + 1
        sample = res.get("partial_unexpected_list") or (res.get("unexpected_list") or [])[:5]
        if r.exception_info and r.exception_info.get("raised_exception"):
            sample = [r.exception_info.get("exception_message")]
        outcomes.append(
            ExpectationOutcome(
                expectation=cfg.type,
                column=cfg.kwargs.get("column") or ",".join(cfg.kwargs.get("column_list", [])) or None,
                success=bool(r.success),
                severity=(cfg.meta or {}).get("severity", "critical"),
                unexpected_count=int(res.get("unexpected_count") or 0),
                bad_files=bad,
                sample=[_plain(v) for v in sample[:5]],
            )
        )
    return ValidationOutcome(suite_name, target, bool(result.success), len(df), outcomes)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
