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
        message = " ".join(ANSI_RE.sub("", r.get("message") or "").split())
        out.append(Failure(kind=kind, name=node.get("name") or r["unique_id"].rsplit(".", 1)[-1],
                           description=description, message=message[:500], failing_rows=r.get("failures"),
                           path=path))
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
