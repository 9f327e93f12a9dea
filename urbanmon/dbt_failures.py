"""A failed ``dbt build`` explained so a person can act on it: which check or model failed, in words, how many rows,
and what to do — no terminal escape codes, no wall of SKIP lines. The full log stays in ``data/dbt/logs/dbt.log``.

The facts come from dbt's own artefacts (``run_results.json``: status, message and failing-row count of every node;
``manifest.json``: each node's description and file), the terminal output only where those are missing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
FAILED_STATUSES = {"fail", "error", "runtime error"}
ADVICE_ZH = {
    "test": "处理建议：按检查说明查看不符合的行，修正相应的数据文件后重新投放（更正文件将替代原文件）；"
            "若为登记表或模型问题，请数据工程师修正后重新运行。",
    "model": "处理建议：这是模型或登记表的问题（与单个数据文件无关），"
             "请数据工程师按错误信息修正代码或登记表后重新运行。",
}


@dataclass(frozen=True)
class Failure:
    kind: str            # test | model | seed | snapshot | unit_test
    name: str
    description: str     # the check's own words (YAML description or the SQL file's leading comment)
    message: str         # dbt's message, one line, no escape codes
    failing_rows: int | None
    path: str | None
    compiled_sql: str | None = None   # the test's query: it selects the failing rows


def _generic_description(node: dict, nodes: dict) -> str:
    """A generic test's description in words: which check on which column of which model, with its arguments and
    the column's own description."""
    meta = node.get("test_metadata") or {}
    kwargs = {k: v for k, v in (meta.get("kwargs") or {}).items() if k not in ("model", "column_name")}
    model_id = node.get("attached_node") or ""
    model = nodes.get(model_id, {})
    column = node.get("column_name") or ""
    column_doc = ((model.get("columns") or {}).get(column) or {}).get("description") or ""
    args = ", ".join(f"{k}={v}" for k, v in kwargs.items() if not isinstance(v, dict))
    where = f"{model.get('name') or model_id}.{column}" if column else (model.get("name") or model_id)
    return f"{meta.get('name', 'test')} on {where}" + (f" ({args})" if args else "") + (
        f": {column_doc}" if column_doc else "")


def strip_terminal(text: str) -> str:
    """The output without colour codes and without the SKIP lines of nodes that never ran."""
    lines = ANSI_RE.sub("", text).splitlines()
    return "\n".join(line for line in lines if " SKIP " not in line and "[SKIP]" not in line)


def _leading_comment(sql_file: Path) -> str:
    words = []
    for line in sql_file.read_text(encoding="utf-8").splitlines():
        if not line.startswith("--"):
            break
        words.append(line.lstrip("- ").strip())
    return " ".join(words)


def failures(target_dir: Path, project_dir: Path) -> list[Failure]:
    """The failed nodes of the last run in ``target_dir`` (empty when dbt left no run_results)."""
    results_file, manifest_file = target_dir / "run_results.json", target_dir / "manifest.json"
    if not results_file.exists():
        return []
    results = json.loads(results_file.read_text(encoding="utf-8"))["results"]
    nodes = json.loads(manifest_file.read_text(encoding="utf-8")).get("nodes", {}) if manifest_file.exists() else {}
    out = []
    for r in results:
        if r.get("status") not in FAILED_STATUSES:
            continue
        node = nodes.get(r["unique_id"], {})
        kind = r["unique_id"].split(".", 1)[0]
        description = (node.get("description") or "").strip()
        path = node.get("original_file_path")
        if not description and path and (project_dir / path).suffix == ".sql" and (project_dir / path).exists():
            description = _leading_comment(project_dir / path)
        if not description and node.get("test_metadata"):
            description = _generic_description(node, nodes)
        message = " ".join(ANSI_RE.sub("", r.get("message") or "").split())
        out.append(Failure(kind=kind, name=node.get("name") or r["unique_id"].rsplit(".", 1)[-1],
                           description=description, message=message[:500], failing_rows=r.get("failures"),
                           path=path, compiled_sql=r.get("compiled_code") if kind == "test" else None))
    return out


def explain(found: list[Failure], output: str, log_path: Path) -> str:
    """The Chinese message of ops.runs and the run_failed alert."""
    head = "数据构建（dbt build）失败：本次未发布新快照，服务中的仍是上一个已发布的快照。"
    if not found:
        tail = "\n".join(strip_terminal(output).splitlines()[-15:])
        return f"{head}\n未能从运行结果中识别失败的检查，输出末尾：\n{tail}\n完整日志：{log_path}"
    lines = [head, "未通过的检查："]
    for f in found:
        what = {"test": "数据测试", "model": "模型", "seed": "参考表", "unit_test": "单元测试"}.get(f.kind, f.kind)
        rows = f"（{f.failing_rows}行不符合）" if f.kind == "test" and f.failing_rows else ""
        lines.append(f"- {what} {f.name}{rows}：{f.description or '（无说明）'}")
        if f.message:
            lines.append(f"  dbt 信息：{f.message}")
    advice = "test" if all(f.kind == "test" for f in found) else "model"
    lines += [ADVICE_ZH[advice], f"完整日志：{log_path}"]
    return "\n".join(lines)


def failing_rows(database: Path, failure: Failure, limit: int = 3) -> list[dict]:
    """The first failing rows of a failed test, read again from the build database (read-only)."""
    if not failure.compiled_sql:
        return []
    import duckdb

    from urbanmon import warehouse

    try:
        with warehouse.connect(database, read_only=True) as con:  # the build file's turn (the heartbeat's too)
            cur = con.execute(f"select * from ({failure.compiled_sql}) as failing limit {int(limit)}")
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    except duckdb.Error:
        return []


def reason(failure: Failure, rows: list[dict]) -> str:
    """The quarantine reason of a file a failed test was traced to: the test in words and its first failing rows."""
    sample = "；".join(", ".join(f"{k}={v}" for k, v in row.items()) for row in rows)
    return (f"数据测试 {failure.name} 未通过（{failure.failing_rows or len(rows)}行不符合）：{failure.description}"
            + (f"。不符合的行，例如：{sample}" if sample else ""))
