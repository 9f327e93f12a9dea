"""A scan of the plan text for every clause that states something a monitor could judge (issue 12 item 6).

The registry (registry/indicators.yaml) is meant to hold every judgeable target of the plan. This module lists the
*candidates* mechanically so that nothing is left out by oversight: each candidate must be either registered (a
registry entry's ``plan_ref.quote`` overlaps it) or excluded with its reason in registry/plan_exclusions.yaml.
tests/unit/test_plan_scan.py holds the two files against the scan both ways (no unlisted candidate, no stale
exclusion).

The rules are deliberately simple, so a reader can redo them by hand:

1. The text is the plan after its 目录, with every whitespace character removed (the plan text carries page-break
   line breaks in mid-sentence; quotes are compared the same way in tests/unit/test_registry_plan.py).
2. It is cut into clauses at 。 and ；; a line holding a tab (a table row, e.g. of 专栏1) is a clause of its own.
3. A clause is a candidate when one of ``TRIGGERS`` occurs in it:
   - ``figure``: an Arabic figure with a unit of quantity (``UNIT_WORDS``: %, 个, 万人, 家, 处, 万吨, …);
   - ``dated_figure``: a year (到2025年 / 2023年) and any other Arabic figure, a table row's cells included;
   - ``all``: 全覆盖 / 全部 (100 %); ``zero``: 清零 / 零填埋 / 零增长 (0); ``milestone``: 基本建成 / 基本完成 (a dated
     yes/no milestone).
   The years themselves and the plan's document numbers (〔2022〕9号) are not figures.
4. A candidate's place is the last chapter and section heading before it; its key is ``第N章/<section
   numeral>/<the first KEY_CHARS characters of the clause>`` (punctuation kept, whitespace removed), with ``#2``,
   ``#3`` added when two clauses of one section start alike. Keys only change when the plan text does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from urbanmon.settings import REPO_ROOT

PLAN_PATH = REPO_ROOT / "registry" / "plan" / "jinan-new-urbanization-plan-2021-2035.txt"
EXCLUSIONS_PATH = REPO_ROOT / "registry" / "plan_exclusions.yaml"
KEY_CHARS = 24
NUMERALS = "一二三四五六七八九十"
CHAPTER_RE = re.compile(rf"^第[{NUMERALS}]+章")
SECTION_RE = re.compile(rf"^[{NUMERALS}]+、[^\t]+$")  # table group rows (一、智慧城镇化\t\t…) carry tabs
CLAUSE_END = "。；"
PHRASE_END = r"[，,]"
PHRASE_PUNCT = "，,。；"
# the units of quantity the plan writes after a figure (longest first so 万平方米 wins over 万)
UNIT_WORDS = sorted(("%", "个", "万个", "人", "万人", "万人次", "人次", "家", "处", "万吨", "吨", "万平方米", "平方米",
                     "亿平方米", "平方公里", "公里", "亿元", "万元", "元", "所", "张", "座", "条", "户", "万户", "项",
                     "倍", "个百分点", "天", "床", "名", "m²", "m ²"), key=len, reverse=True)
_YEAR = r"20\d\d年"
YEAR_RE = re.compile(_YEAR)
# an Arabic figure that is not a year (20xx年), not part of a document number (〔2022〕9号) and not a technology
# name (5G, 4K, 5A级, IPv6); a date (7月15日) is no figure either
_FIGURE = r"(?<![\d.〔v])\d+(?:\.\d+)?(?![\d.])(?!年|月|日|号|〕|G|K|A级)"
TRIGGERS: dict[str, re.Pattern] = {
    "figure": re.compile(_FIGURE + "(?:" + "|".join(re.escape(u) for u in UNIT_WORDS) + ")"),
    "dated_figure": re.compile(_FIGURE),     # only in a clause that names a year (YEAR_RE)
    "all": re.compile("(?<!健)全覆盖|全部"),   # 健全覆盖城乡的… is 健全 + 覆盖
    "zero": re.compile("清零|零填埋|零增长"),
    "milestone": re.compile("基本建成|基本完成"),
}

# a table cell that states a figure: 100, 85.2, <40, >90, ≥35, [100], 13.7*
TABLE_FIGURE = re.compile(r"^[<>≥≤\[〔]?\d+(?:\.\d+)?[*\]〕]?$")


@dataclass(frozen=True)
class Candidate:
    key: str
    chapter: str          # the chapter heading line, verbatim
    section: str          # the section heading line, verbatim ("" before the first section of a chapter)
    text: str             # the phrase, whitespace removed
    clause: str           # the clause it sits in
    start: int            # its place in the squashed body text
    end: int
    triggers: tuple[str, ...]
    hits: tuple[tuple[int, int], ...]   # the places of the words and figures that made it a candidate


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _body_lines(lines: list[str]) -> list[str]:
    """The lines after the 目录 (which repeats every heading): from the second line starting 第一章."""
    firsts = [i for i, line in enumerate(lines) if line.startswith("第一章")]
    if len(firsts) < 2:
        raise ValueError("plan text: cannot find the end of the 目录 (two lines starting 第一章)")
    return lines[firsts[1]:]


@dataclass
class _Clause:
    start: int
    text: str
    chapter: str
    section: str
    table_row: bool = False
    cells: tuple[str, ...] = ()    # a table row's cells, whitespace removed


def clauses(lines: Iterable[str]) -> list[_Clause]:
    """Every clause of the squashed body with its place; a table row (a line holding a tab) is one clause."""
    out: list[_Clause] = []
    chapter = section = ""
    offset = 0
    current = _Clause(0, "", "", "")

    def flush() -> None:
        nonlocal current
        if current.text:
            out.append(current)
        current = _Clause(offset, "", chapter, section)

    for line in lines:
        piece = squash(line)
        if CHAPTER_RE.match(line) or SECTION_RE.match(line):  # a heading is the place of what follows, not a clause
            flush()
            if CHAPTER_RE.match(line):
                chapter, section = line, ""
            else:
                section = line
            offset += len(piece)
            current = _Clause(offset, "", chapter, section)
            continue
        if "\t" in line:
            flush()
            out.append(_Clause(offset, piece, chapter, section, table_row=True,
                               cells=tuple(squash(c) for c in line.split("\t"))))
            offset += len(piece)
            current = _Clause(offset, "", chapter, section)
            continue
        for ch in piece:
            if not current.text:
                current = _Clause(offset, "", chapter, section)
            current.text += ch
            offset += 1
            if ch in CLAUSE_END:
                flush()
    flush()
    return out


def _phrases(clause: _Clause) -> list[tuple[int, str]]:
    """(offset in the clause, phrase): the clause cut after every comma (a table row stays whole)."""
    if clause.table_row:
        return [(0, clause.text)]
    out, at = [], 0
    for m in re.finditer(PHRASE_END, clause.text):
        out.append((at, clause.text[at:m.end()]))
        at = m.end()
    if at < len(clause.text):
        out.append((at, clause.text[at:]))
    return out


def _hits(phrase: str, clause: _Clause) -> dict[str, list[tuple[int, int]]]:
    """Trigger name -> the places in ``phrase`` that match it."""
    found: dict[str, list[tuple[int, int]]] = {}
    if clause.table_row:  # the figure cells after the name (the 序号 cell is a number, not a figure)
        at, spans = 0, []
        for i, cell in enumerate(clause.cells):
            if i > 0 and TABLE_FIGURE.match(cell):
                spans.append((at, at + len(cell)))
            at += len(cell)
        return {"table_figure": spans} if spans else {}
    for name, pattern in TRIGGERS.items():
        if name == "dated_figure":
            if not YEAR_RE.search(clause.text):
                continue
        spans = [m.span() for m in pattern.finditer(phrase)]
        if spans:
            found[name] = spans
    if "dated_figure" in found and "figure" in found:  # a bare figure is dated only where no unit says more
        figured = found["figure"]
        found["dated_figure"] = [s for s in found["dated_figure"] if not any(a <= s[0] < b for a, b in figured)]
        if not found["dated_figure"]:
            del found["dated_figure"]
    return found


def _key(chapter: str, section: str, text: str) -> str:
    numeral = section.split("、", 1)[0] if section else "-"
    return f"{chapter[:chapter.index('章') + 1]}/{numeral}/{text.rstrip(PHRASE_PUNCT)[:KEY_CHARS]}"


def scan(text: str) -> list[Candidate]:
    """The candidate targets of the plan ``text`` (the whole file, 目录 included)."""
    found: list[Candidate] = []
    seen: dict[str, int] = {}
    for clause in clauses(_body_lines(text.split("\n"))):
        for at, phrase in _phrases(clause):
            hits = _hits(phrase, clause)
            if not hits:
                continue
            key = _key(clause.chapter, clause.section, phrase)
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:
                key = f"{key}#{seen[key]}"
            start = clause.start + at
            spans = tuple(sorted((start + a, start + b) for spans in hits.values() for a, b in spans))
            found.append(Candidate(key=key, chapter=clause.chapter, section=clause.section, text=phrase,
                                   clause=clause.text, start=start, end=start + len(phrase),
                                   triggers=tuple(hits), hits=spans))
    return found


@cache
def _plan_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def body_text(text: str) -> str:
    """The squashed body (after the 目录): the text candidate positions and quotes are measured in."""
    return "".join(squash(line) for line in _body_lines(text.split("\n")))


def registered(candidates: list[Candidate], text: str, quotes: dict[str, str]) -> dict[str, list[str]]:
    """Candidate key -> the registry codes whose quote (whitespace removed) covers the candidate: every word and
    figure that made it a candidate lies inside a quote. A quote that is not in the body text covers nothing
    (test_registry_plan names it); [] when the candidate is not registered."""
    body = body_text(text)
    spans = []
    for code, quote in quotes.items():
        q = squash(quote)
        pos = body.find(q) if q else -1
        if pos >= 0:
            spans.append((pos, pos + len(q), code))
    out = {}
    for c in candidates:
        codes = [code for s, e, code in spans if any(s <= a and b <= e for a, b in c.hits)]
        whole = all(any(s <= a and b <= e for s, e, _ in spans) for a, b in c.hits)
        out[c.key] = codes if whole else []
    return out


def load_exclusions(path: Path = EXCLUSIONS_PATH) -> list[dict]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return list(doc.get("exclusions") or [])


REASONS = {
    "headline_restatement": "restates a headline indicator of 专栏1 (the table governs)",
    "not_a_target": "a figure that is not a target (a name, a count of plans or ranks, a description)",
    "baseline": "the state before the plan (发展基础 / 发展趋势): no target",
    "no_figure": "a goal without anything to judge (no figure, no date, no yes/no milestone a source could settle)",
    "registered_elsewhere": "its target is registered under another clause's quote",
    "context": "a heading or framing clause of targets registered separately",
}


def check(text: str, quotes: dict[str, str], exclusions: list[dict]) -> list[str]:
    """Problems: a candidate neither registered nor excluded, an exclusion without a candidate (stale), an exclusion
    of a registered candidate, an exclusion without a known reason."""
    candidates = scan(text)
    covered = registered(candidates, text, quotes)
    by_key = {c.key: c for c in candidates}
    excluded: dict[str, dict] = {}
    problems = []
    for i, ex in enumerate(exclusions):
        key = ex.get("key")
        where = f"plan_exclusions.yaml: entry {i + 1} ({key})"
        if ex.get("reason") not in REASONS:
            problems.append(f"{where}: reason {ex.get('reason')!r} not one of {sorted(REASONS)}")
        if not ex.get("note"):
            problems.append(f"{where}: a note saying why is required")
        if key in excluded:
            problems.append(f"{where}: duplicate key")
        if key not in by_key:
            problems.append(f"{where}: stale: no candidate of the plan text has this key")
        elif covered[key]:
            problems.append(f"{where}: registered by {covered[key]}: not to be excluded as well")
        excluded[key] = ex
    for c in candidates:
        if not covered[c.key] and c.key not in excluded:
            problems.append(f"candidate {c.key!r} ({c.chapter} / {c.section}; {'+'.join(c.triggers)}) is neither "
                            f"registered nor excluded: {c.text}")
    return problems


def main() -> None:  # pragma: no cover - a maintainer's listing: python -m urbanmon.plan_scan
    from urbanmon import registry

    text = _plan_text(PLAN_PATH)
    reg = registry.load()
    quotes = {code: ind.plan_quote for code, ind in reg.indicators.items()}
    candidates = scan(text)
    covered = registered(candidates, text, quotes)
    excluded = {e["key"]: e for e in load_exclusions()}
    for c in candidates:
        state = ",".join(covered[c.key]) or (f"excluded:{excluded[c.key]['reason']}" if c.key in excluded else "OPEN")
        print(f"{c.key}\t{'+'.join(c.triggers)}\t{state}\t{c.text[:80]}")


if __name__ == "__main__":  # pragma: no cover
    main()
