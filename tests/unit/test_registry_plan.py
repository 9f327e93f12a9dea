"""The plan registry held against the plan's own text (济南市新型城镇化规划（2021—2035年）, 济政发〔2022〕9号).

Table 专栏1 is parsed from the text and every headline entry must copy it cell for cell; every entry's quote must
occur in the plan under the chapter and section heading it names; every milestone must say what its words say.
Whitespace is ignored when text is compared: the plan text carries page-break line breaks in mid-sentence.

The test reads the YAML files, not urbanmon's loader; the only rule it shares with the loader is the table of the
plan's quantity words (urbanmon.wording), which is what is held against the text here.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from tests.conftest import SHARED_ROOT
from urbanmon import wording  # the one rule table of the plan's quantity words, held here against the text

HERE = Path(__file__).resolve()
REPO = HERE.parents[2]
PLAN_NAME = "jinan-new-urbanization-plan-2021-2035.txt"
SHARED_PLAN = (SHARED_ROOT or REPO / ".no-shared-folder") / "plan" / PLAN_NAME
REPO_PLAN = REPO / "registry/plan" / PLAN_NAME
REGISTRY_DIR = Path(os.environ.get("URBANMON_REGISTRY_DIR") or REPO / "registry")

REQUIRED_KEYS = ("code", "kind", "headline_no", "name_zh", "name_en", "category", "unit", "direction", "limits",
                 "baseline", "milestones", "footnotes", "plan_ref", "formula", "feed", "release", "department",
                 "per_district", "binding", "path", "method", "precision")
GROUPS = {"智慧城镇化": "smart", "绿色城镇化": "green", "均衡城镇化": "balanced", "双向城镇化": "two_way"}
# text targets take the category of their chapter (registry/indicators.yaml, header); 第一章's 主要目标 text takes
# the group named in its ——paragraph
CHAPTER_CATEGORY = {"第二章": "two_way", "第三章": "balanced", "第四章": "smart", "第五章": "green",
                    "第六章": "balanced", "第七章": "two_way"}
NUMERALS = "一二三四五六七八九十"
CHAPTER_RE = re.compile(rf"^第[{NUMERALS}]+章")
SECTION_RE = re.compile(rf"^[{NUMERALS}]+、[^\t]+$")  # table group rows (一、智慧城镇化\t\t…) carry tabs
FEED_RE = re.compile(r"^[a-z][a-z0-9_]*__[a-z0-9_]+$")


def squash(text: str) -> str:
    """The text with every whitespace character removed."""
    return re.sub(r"\s+", "", text)


def plan_path() -> Path:
    """$URBANMON_PLAN_TEXT, else ../shared/plan, else the copy in registry/plan."""
    override = os.environ.get("URBANMON_PLAN_TEXT")
    if override:
        return Path(override)
    return SHARED_PLAN if SHARED_PLAN.exists() else REPO_PLAN


@cache
def plan_lines() -> tuple[str, ...]:
    return tuple(plan_path().read_text(encoding="utf-8").split("\n"))


@cache
def body_start() -> int:
    """Index of the first line after the table of contents (目录 repeats every heading: start at the 2nd 第一章)."""
    firsts = [i for i, line in enumerate(plan_lines()) if line.startswith("第一章")]
    assert len(firsts) >= 2, "cannot find the end of the 目录"
    return firsts[1]


@cache
def body() -> tuple[str, list[tuple[int, str, str]]]:
    """The squashed text after the 目录 and its headings as (position in that text, 'chapter'|'section', line)."""
    parts, headings, offset = [], [], 0
    for line in plan_lines()[body_start():]:
        if CHAPTER_RE.match(line):
            headings.append((offset, "chapter", line))
        elif SECTION_RE.match(line):
            headings.append((offset, "section", line))
        piece = squash(line)
        parts.append(piece)
        offset += len(piece)
    return "".join(parts), headings


@cache
def table() -> tuple[list[dict], str]:
    """Rows of 专栏1 (no, name, unit, 2020, 2025, 2035, group) and its 注： line."""
    lines = plan_lines()
    start = next(i for i in range(body_start(), len(lines)) if lines[i].startswith("专栏1"))
    rows, group = [], None
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if line.startswith("注："):
            return rows, line
        cells = line.rstrip("\n").split("\t")
        if not line.strip() or cells[0] == "序号":
            continue
        m = re.match(rf"^[{NUMERALS}]+、(.+)$", cells[0])
        if m and not any(c.strip() for c in cells[1:]):
            group = GROUPS[m.group(1).strip()]
            continue
        assert len(cells) == 6 and cells[0].isdigit(), f"专栏1: unparsable row {line!r}"
        rows.append({"no": int(cells[0]), "name": cells[1], "unit": cells[2], "2020": cells[3], "2025": cells[4],
                     "2035": cells[5], "group": group, "cells": cells})
    raise AssertionError("专栏1: no 注： line after the table")


def load_yaml(name: str) -> dict:
    return yaml.safe_load((REGISTRY_DIR / name).read_text(encoding="utf-8"))


INDICATORS: list[dict] = load_yaml("indicators.yaml")["indicators"]
UNITS: list[dict] = load_yaml("units.yaml")["units"]
HEADLINE = [i for i in INDICATORS if i["kind"] == "headline"]
TEXT = [i for i in INDICATORS if i["kind"] == "text_target"]


def number_in(text: str | None) -> float | None:
    """The figure a cell or a target wording states: the first Arabic number, else 零 (0) or 一 (1); '—' is None."""
    if text is None:
        return None
    m = re.search(r"\d+(?:\.\d+)?", text)
    if m:
        return float(m.group())
    if "零" in text:
        return 0.0
    if "一" in text:
        return 1.0
    return None


# the value a target word states (urbanmon.wording): 全覆盖 / 全部采用 → 100 (%), 基本建成 / 基本完成 → 1 (done)
READING_VALUE = {"all": 100.0, "milestone": 1.0}


def target_of(text: str) -> float | None:
    """The target a milestone's text states: its figure, else the value of its words (全覆盖 → 100, 清零 → 0)."""
    return READING_VALUE.get(wording.reading_of(text), number_in(text))


def decimals(cell: str) -> int:
    """The decimals the plan writes a figure with ('85.2' -> 1)."""
    return max((len(d) for d in re.findall(r"\d+(?:\.(\d+))?", cell)), default=0)


def where(entry: dict) -> tuple[int, str, str]:
    """Position of the entry's quote in the squashed body and the nearest chapter and section heading before it."""
    text, headings = body()
    quote = squash(entry["plan_ref"]["quote"])
    assert quote, f"{entry['code']}: empty quote"
    pos = text.find(quote)
    assert pos >= 0, f"{entry['code']}: quote not in the plan (after the 目录): {entry['plan_ref']['quote']!r}"
    before = [h for h in headings if h[0] <= pos]
    chapter = [h for h in before if h[1] == "chapter"][-1]
    sections = [h for h in before if h[1] == "section" and h[0] >= chapter[0]]
    return pos, chapter[2], sections[-1][2] if sections else ""


# ─────────────────────────────── the plan text itself ───────────────────────────────

def test_the_plan_text_is_found_and_the_repo_copy_is_the_shared_one():
    assert plan_path().exists(), f"plan text not found: {plan_path()}"
    assert REPO_PLAN.exists(), "registry/plan/ must carry a copy of the plan text"
    if not SHARED_PLAN.exists():
        pytest.skip("../shared/plan is not on this machine: only the repository copy is used")
    assert REPO_PLAN.read_bytes() == SHARED_PLAN.read_bytes(), (
        "registry/plan/ and ../shared/plan hold different plan texts; copy the shared one (see PROVENANCE.md)")


def test_the_plan_is_the_expected_document():
    lines = plan_lines()
    assert "济政发〔2022〕9号" in lines
    assert sum(1 for line in lines if CHAPTER_RE.match(line)) == 16  # 8 in the 目录, 8 in the body
    assert [h[2][:3] for h in body()[1] if h[1] == "chapter"] == [f"第{n}章" for n in NUMERALS[:8]]


# ─────────────────────────────── table 专栏1 ───────────────────────────────

def test_table_has_22_rows_and_the_registry_22_headline_entries():
    rows, _ = table()
    assert [r["no"] for r in rows] == list(range(1, 23))
    assert {r["group"] for r in rows} == set(GROUPS.values())
    assert [i["headline_no"] for i in HEADLINE] == list(range(1, 23))


@pytest.mark.parametrize("row", table()[0], ids=lambda r: f"row{r['no']}")
def test_headline_entry_copies_its_table_row(row):
    entry = next(i for i in HEADLINE if i["headline_no"] == row["no"])
    code = entry["code"]
    assert entry["name_zh"] == row["name"], code
    assert entry.get("unit_text", entry["unit"]) == row["unit"], f"{code}: unit cell {row['unit']!r}"
    if "unit_text" in entry:
        assert entry["unit_text"] != entry["unit"], f"{code}: unit_text only when the cell differs from the code"
    assert entry["category"] == row["group"], code
    assert squash(entry["plan_ref"]["quote"]) == squash("".join(row["cells"][1:])), f"{code}: quote != table row"
    assert entry["plan_ref"]["chapter"] == "第一章 准确把握发展形势 科学确定目标要求"
    assert entry["plan_ref"]["section"] == "四、主要目标"

    baseline = entry["baseline"]
    assert baseline["year"] == 2020 and baseline["text"] == row["2020"], code
    assert baseline["value"] == number_in(row["2020"]), f"{code}: baseline value vs {row['2020']!r}"
    assert baseline["qualifier"] == {"<": "<", ">": ">"}.get(row["2020"][:1]), code

    by_year = {m["year"]: m for m in entry["milestones"]}
    assert set(by_year) <= {2025, 2035}, code
    for year in (2025, 2035):
        cell = row[str(year)]
        if cell == "—":
            assert year not in by_year, f"{code}: the table has no {year} target"
            continue
        m = by_year.get(year)
        assert m is not None, f"{code}: {year} target {cell!r} missing"
        assert m["text"] == cell, code
        assert m["value"] == number_in(cell), f"{code}: {year} value vs {cell!r}"
        bracketed = bool(re.search(r"[\[〔]", cell))
        assert bool(m.get("cumulative")) == bracketed, f"{code}: [..] / 〔..〕 marks a five-year total"
        if bracketed:
            assert m["period_start"] == year - 4, code
        # the table's sign is the shorthand of the text's words; where the text words the target itself
        # (m["wording"]), the words decide (urbanmon.wording: 以上 includes the number, 左右 is one-sided)
        if m.get("wording"):
            assert squash(m["wording"]) in body()[0], f"{code}: wording {m['wording']!r} is not the plan's"
        assert wording.check(entry["direction"], m["comparator"], m.get("wording") or cell) is None, (
            f"{code}: {year} comparator {m['comparator']!r} vs {m.get('wording') or cell!r}")
        assert entry["precision"] >= max(decimals(row["2020"]), decimals(cell)), f"{code}: precision vs the cells"

    cells = row["2020"] + row["2025"] + row["2035"]
    starred, bracketed = "*" in cells, bool(re.search(r"[\[〔]", cells))
    assert bool(entry["footnotes"]) == (starred or bracketed), f"{code}: footnotes iff the cells carry * or [..]"
    note = squash(table()[1])
    for footnote in entry["footnotes"]:
        assert squash(footnote) in note, f"{code}: footnote not in the 注： line"
    if starred:
        assert any("*" in f for f in entry["footnotes"]), code
    if bracketed:
        assert any("累计" in f for f in entry["footnotes"]), code


def test_headline_directions():
    by_no = {i["headline_no"]: i for i in HEADLINE}
    assert by_no[12]["direction"] == "maintain"  # 35 → ≥35
    assert by_no[13]["direction"] == "lower"  # 城乡居民收入比 2.61 → <2.5 → 1.8
    # 年末常住人口: a planning projection, judged in the direction the text asks for (加快壮大人口规模)
    assert by_no[18]["direction"] == "higher" and by_no[18]["method"] == "projection"
    for m in by_no[18]["milestones"]:
        assert "加快壮大人口规模" in m["reading_note"] and "加快壮大人口规模" in body()[0]
    for entry in HEADLINE:
        if entry["headline_no"] not in (12, 13):
            assert entry["direction"] == "higher", entry["code"]


def test_air_quality_entry_is_the_one_the_pipeline_computes():
    entry = next(i for i in HEADLINE if i["headline_no"] == 8)
    assert entry["code"] == "air_quality_good_days_ratio"
    assert entry["unit"] == "%"
    assert entry["feed"] == "air_quality__cnemc_city_hourly"
    assert entry["per_district"] is True and entry["method"] == "distance"


# ─────────────────────────────── every entry against the text ───────────────────────────────

@pytest.mark.parametrize("entry", INDICATORS, ids=lambda i: i["code"])
def test_entry_is_complete(entry):
    missing = [k for k in REQUIRED_KEYS if k not in entry]
    assert not missing, f"{entry['code']}: missing keys {missing}"
    assert re.fullmatch(r"[a-z][a-z0-9_]*", entry["code"])
    assert entry["kind"] in ("headline", "text_target")
    assert (entry["headline_no"] is None) == (entry["kind"] == "text_target")
    assert entry["milestones"], f"{entry['code']}: no milestone"
    assert set(entry["baseline"]) == {"year", "value", "qualifier", "text"}
    assert set(entry["release"]) == {"frequency", "month", "note"}
    assert set(entry["plan_ref"]) == {"chapter", "section", "quote"}
    assert entry["binding"] is False  # the plan marks no indicator 约束性
    assert entry["feed"] is None or FEED_RE.match(entry["feed"]), entry["feed"]
    assert "unit_text" not in entry or entry["kind"] == "headline"
    for m in entry["milestones"]:
        assert m["value"] == target_of(m["text"]), f"{entry['code']}: {m['year']} value vs text {m['text']!r}"
        if m.get("cumulative"):
            assert isinstance(m.get("period_start"), int) and m["period_start"] <= m["year"]


@pytest.mark.parametrize("entry", INDICATORS, ids=lambda i: i["code"])
def test_quote_sits_under_its_chapter_and_section(entry):
    lines = plan_lines()
    ref = entry["plan_ref"]
    assert ref["chapter"] in lines, f"{entry['code']}: chapter heading not a line of the plan: {ref['chapter']!r}"
    assert ref["section"] in lines, f"{entry['code']}: section heading not a line of the plan: {ref['section']!r}"
    plan = squash("\n".join(lines))
    quote = squash(ref["quote"])
    assert plan.count(quote) == 1, f"{entry['code']}: the quote must occur exactly once in the plan"
    _, chapter, section = where(entry)
    assert (chapter, section) == (ref["chapter"], ref["section"]), (
        f"{entry['code']}: the quote sits under {chapter} / {section}, not {ref['chapter']} / {ref['section']}")
    for m in entry["milestones"]:
        assert squash(m["text"]) in quote, f"{entry['code']}: milestone text {m['text']!r} not in the quote"


# ─────────────────────────────── text targets ───────────────────────────────

def test_at_least_25_text_targets():
    assert len(TEXT) >= 25


@pytest.mark.parametrize("entry", TEXT, ids=lambda i: i["code"])
def test_text_target_says_what_the_plan_says(entry):
    code, text = entry["code"], body()[0]
    pos, chapter, _ = where(entry)
    quote = squash(entry["plan_ref"]["quote"])

    if chapter.startswith("第一章"):
        para = text[text.rfind("——", 0, pos):pos]
        wanted = next((cat for word, cat in (("智慧", "smart"), ("绿色", "green"), ("均衡", "balanced"),
                                            ("双向", "two_way")) if word in para), None)
    else:
        wanted = CHAPTER_CATEGORY[chapter[:3]]
    assert entry["category"] == wanted, f"{code}: category {entry['category']!r}, chapter says {wanted!r}"

    assert entry["baseline"]["value"] is None or squash(entry["baseline"]["text"]) in text, code
    for m in entry["milestones"]:
        assert wording.check(entry["direction"], m["comparator"], m["text"]) is None, (
            f"{code}: comparator {m['comparator']!r} vs wording {m['text']!r}")
        assert entry["precision"] >= decimals(m["text"]), f"{code}: precision vs {m['text']!r}"
        # the year: the last 到YYYY年 / YYYY年年底 of the sentence before the figure; "十四五" → 2025; none → no
        # deadline (year null, no_deadline: true): a target without a year but with a milestone year fails here
        at = pos + quote.find(squash(m["text"]))
        sentence = text[text.rfind("。", 0, at) + 1:at]
        years = re.findall(r"(20\d\d)年", sentence)
        year = int(years[-1]) if years else 2025 if "十四五" in sentence else None
        if year is None and chapter.startswith("第一章"):  # the ——paragraphs under （一）到2025年主要目标
            year = int(re.findall(r"到(20\d\d)年主要目标", text[:at])[-1])
        assert m["year"] == year, f"{code}: milestone year {m['year']} vs {sentence!r}"
        assert bool(m.get("no_deadline")) == (year is None), f"{code}: no_deadline iff the sentence states no year"
        if m.get("cumulative"):
            assert "十四五" in sentence and m["period_start"] == 2021, f"{code}: a five-year total is a 十四五 total"


@pytest.mark.parametrize(("name", "value", "year", "cumulative"), [
    ("城市建成区绿地率", 37, 2025, False),
    ("城市污水日处理能力", 230, 2025, False),
    ("建制镇生活污水集中处理率", 75, 2025, False),
    ("生活垃圾焚烧处理率", 90, 2023, False),
    ("智慧社区（村居）试点", 400, 2025, False),
    ("泉城书房", 50, 2025, False),
    ("三品一标", 1400, 2025, False),
    ("落户青年人才", 60, 2025, True),
])
def test_known_text_targets(name, value, year, cumulative):
    found = [i for i in TEXT if name in i["name_zh"]]
    assert len(found) == 1, f"{name}: {[i['code'] for i in found]}"
    assert any(m["year"] == year and m["value"] == value and bool(m.get("cumulative")) == cumulative
               for m in found[0]["milestones"]), found[0]["milestones"]


# ─────────────────────────────── codes and units ───────────────────────────────

def test_codes_unique_and_units_defined():
    codes = [i["code"] for i in INDICATORS]
    assert len(codes) == len(set(codes)), sorted({c for c in codes if codes.count(c) > 1})
    unit_codes = [u["code"] for u in UNITS]
    assert len(unit_codes) == len(set(unit_codes))
    assert {i["unit"] for i in INDICATORS} <= set(unit_codes), {i["unit"] for i in INDICATORS} - set(unit_codes)
    kinds = {"share", "count", "ratio", "rate", "area", "volume", "money", "persons", "length", "flag"}
    for u in UNITS:
        assert {"code", "name_zh", "name_en", "kind", "limits"} <= set(u) <= {
            "code", "name_zh", "name_en", "kind", "limits", "additive"}, u
        assert u.get("additive", True) is True, u  # said where it holds (the city is the districts' sum), never false
        assert u["kind"] in kinds, u
        assert set(u["limits"]) == {"min", "max"}, u
