"""The plan's wording decides the comparator: one rule table, applied to every registry entry.

The legal reading of Chinese quantity words is fixed by 《中华人民共和国民法典》第一千二百五十九条: "民法所称的“以上”、
“以下”、“以内”、“届满”，包括本数；所称的“不满”、“超过”、“以外”，不包括本数". Plan documents follow it. Words that
say "at least" or "at most" in other terms (不低于, 不少于, 至少, 达到, 提高到) include the number too.

左右 / 约 on an indicator with a desired direction is read one-sided: at least (higher is better) or at most (lower
is better) the figure, so an indicator is never failed for overshooting in the direction the plan asks for. A two-sided
band is used only where the wording implies one (a range 区间 / 之间 / 至), recorded with its reason.

Where the table and the text word the same target differently, the text's words decide and the table's sign is read
as their shorthand (常住人口城镇化率 ">78.5" in 专栏1, "78.5%以上" in 第一章: at least 78.5, inclusive); the entry
records
the text's words in ``wording``. Each rule is tested against the sentences it is applied to
(tests/unit/test_wording.py, tests/unit/test_registry_plan.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class WordingRule:
    words: tuple[str, ...]  # regular expressions; most are the plain words
    reading: str            # at_least | at_most | more_than | less_than | about | all | zero | milestone
    includes_number: bool
    source: str


LAW = "民法典第1259条"
RULES: tuple[WordingRule, ...] = (
    # order matters: the first rule whose word occurs decides (零增长 before 零, 不低于 before 低于, 不超过 before 超过)
    WordingRule(("零增长",), "at_most", True, "no growth: the change is at most zero"),
    WordingRule(("不低于", "不少于", "至少", "以上", "不小于"), "at_least", True, LAW),
    WordingRule(("不超过", "不高于", "以下", "以内", "不大于"), "at_most", True, LAW),
    WordingRule(("超过", "高于", "多于", "大于"), "more_than", False, LAW),
    WordingRule(("不满", "低于", "少于", "小于"), "less_than", False, LAW),
    WordingRule(("左右", "约(?=[0-9一二三四五六七八九十百千万])"), "about", True,
                "about a figure: one-sided in the indicator's desired direction"),
    WordingRule(("全覆盖", "全部采用"), "all", True, "全覆盖 / 全部: 100 %"),
    WordingRule(("清零", "零填埋", "全部清零"), "zero", True, "清零 / 零: 0"),
    WordingRule(("基本建成", "基本完成"), "milestone", True, "a dated yes/no milestone"),
    WordingRule((r"\d%?\s*[—~～至]\s*\d", "之间", "区间"), "band", True, "a range: two-sided, with its reason"),
)
# table cells: a bare sign is read as the shorthand of the words above; a plain figure is reached (inclusive)
CELL_SIGNS = {"≥": "at_least", "≤": "at_most", ">": "more_than", "<": "less_than"}


def rule_for(text: str) -> WordingRule | None:
    """The first rule whose words occur in ``text`` (a plan sentence or a target's wording), else None."""
    for rule in RULES:
        if any(re.search(word, text) for word in rule.words):
            return rule
    return None


def reading_of(text: str) -> str:
    """How the plan's words of one target read: a rule's reading, the sign of a table cell, else ``reach``."""
    rule = rule_for(text)
    if rule is not None:
        return rule.reading
    stripped = re.sub(r"[\s\[\]〔〕*]", "", text)
    return CELL_SIGNS.get(stripped[:1], "reach")


def comparator_for(reading: str, direction: str) -> set[str]:
    """The registry comparators that express ``reading`` for an indicator of ``direction``."""
    sign_up = direction in ("higher", "maintain")
    return {
        "at_least": {">="} if sign_up else {">=", "reach"},
        "at_most": {"<=", "reach"} if direction == "lower" else {"<="},
        "more_than": {">"},
        "less_than": {"<"},
        "about": {"about"},
        "all": {"reach", ">="},
        "zero": {"reach", "<="},
        "milestone": {"done"},
        "band": {"band"},
        "reach": {"reach"},
    }[reading]


def check(direction: str, comparator: str, wording: str) -> str | None:
    """A problem when ``comparator`` contradicts the plan's ``wording`` of the target, else None."""
    reading = reading_of(wording)
    allowed = comparator_for(reading, direction)
    if comparator not in allowed:
        rule = rule_for(wording)
        words = "/".join(w.split("(")[0] for w in rule.words) if rule else ""
        why = f"{words} → {reading} ({rule.source})" if rule else f"a table cell → {reading}"
        return f"comparator {comparator!r} contradicts its wording {wording!r}: {why}, expected {sorted(allowed)}"
    if reading == "about" and direction not in ("higher", "lower"):
        return (f"'about' ({wording!r}) needs a desired direction (higher or lower) to be read one-sided; "
                f"direction is {direction!r}")
    return None
