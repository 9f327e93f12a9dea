"""The status vocabulary, defined once: code, Chinese word, colour, badge and order, for boards, reports and alerts.

The progress methods (urbanmon.progress) set a status code; everything a reader sees is taken from here: the served
table ``status_vocabulary`` (dbt model, joined by the boards), the report's colours and order, the alerts' words and
the legend of 总览. Add a status here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Status:
    code: str
    word_zh: str
    colour: str          # green | yellow | orange | red | grey
    order: int           # reading order: best first, then the ones that cannot be judged
    meaning_en: str


COLOUR_WORD_ZH = {"green": "绿", "yellow": "黄", "orange": "橙", "red": "红", "grey": "灰"}
COLOUR_HEX = {"green": "#2e7d32", "yellow": "#f9a825", "orange": "#ef6c00", "red": "#c62828", "grey": "#757575"}

STATUSES: tuple[Status, ...] = (
    Status("achieved", "已实现", "green", 1, "the milestone's target is met (at the precision shown)"),
    Status("on_track", "进度正常", "green", 2, "on the way to the milestone at the required pace"),
    Status("needs_acceleration", "需加快", "yellow", 3, "progress, but short of the required pace"),
    Status("limited", "进展有限", "orange", 4, "little progress towards the milestone"),
    Status("off_range", "偏离预期区间", "orange", 5, "outside a two-sided band the plan's wording implies"),
    Status("deterioration", "退步", "red", 6, "moving away from the target"),
    Status("not_achieved", "未实现", "red", 7, "the milestone year has come and the target is not met"),
    Status("baseline", "基期", "grey", 8, "the baseline year: nothing to judge yet"),
    Status("not_assessable", "无法评估", "grey", 9, "the data do not allow a judgement (the reason says why)"),
    Status("no_data", "暂无数据", "grey", 10, "no value published for the indicator yet"),
)
BY_CODE = {s.code: s for s in STATUSES}
STATUS_ZH = {s.code: s.word_zh for s in STATUSES}
STATUS_COLOUR = {s.code: s.colour for s in STATUSES}
RED_STATUSES = frozenset(s.code for s in STATUSES if s.colour == "red")
# behind (落后于进度): a judged status short of the required pace, outside the band or missed (yellow, orange, red)
BEHIND_STATUSES = frozenset(s.code for s in STATUSES if s.colour in ("yellow", "orange", "red"))


def badge(code: str) -> str:
    """【绿】已实现: the colour in words beside the status, for readers who cannot see colour."""
    s = BY_CODE[code]
    return f"【{COLOUR_WORD_ZH[s.colour]}】{s.word_zh}"


def legend_zh() -> str:
    """The legend of the status colours, grouped by colour in reading order (总览, reports)."""
    groups: dict[str, list[str]] = {}
    for s in sorted(STATUSES, key=lambda s: s.order):
        groups.setdefault(s.colour, []).append(s.word_zh)
    return " ".join(f"【{COLOUR_WORD_ZH[c]}】{'/'.join(words)}" for c, words in groups.items())


def vocabulary_rows() -> list[dict]:
    """The served table status_vocabulary."""
    return [{"status": s.code, "status_zh": s.word_zh, "status_colour": s.colour,
             "colour_zh": COLOUR_WORD_ZH[s.colour], "colour_hex": COLOUR_HEX[s.colour], "status_badge": badge(s.code),
             "status_order": s.order, "meaning_en": s.meaning_en, "is_behind": s.code in BEHIND_STATUSES}
            for s in STATUSES]
