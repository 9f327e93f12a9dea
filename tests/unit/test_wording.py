"""The wording rule table (urbanmon.wording): every rule, read on the plan's own sentences where it uses the word,
and its consequence for a status at the boundary (the number itself, and overshooting in the desired direction)."""

from __future__ import annotations

import pytest

from urbanmon import wording
from urbanmon.progress import Goal, assess

# (the plan's words or a sentence, reading, a comparator that expresses it for a higher-is-better indicator)
CASES = [
    ("常住人口城镇化率、户籍人口城镇化率分别提高到78.5%以上", "at_least", ">="),   # 以上 includes the number
    ("不少于200家", "at_least", ">="),
    ("不低于15个", "at_least", ">="),
    ("至少设置一处", "at_least", ">="),
    ("煤炭消费零增长", "at_most", "<="),                                            # before 零 and 增长
    ("控制在2.5以内", "at_most", "<="),                                              # 以内 includes the number
    ("不超过30%", "at_most", "<="),
    ("超过50%", "more_than", ">"),                                                  # 超过 excludes the number
    ("不满18周岁", "less_than", "<"),                                               # 不满 excludes the number
    ("65%左右", "about", "about"),
    ("约400个", "about", "about"),
    ("节约集约利用土地", None, None),                                               # 约 not before a figure
    ("区县级失能照护服务机构实现全覆盖", "all", ">="),
    ("雨污合流管网全部清零", "zero", "reach"),
    ("生活垃圾“零填埋”", "zero", "reach"),
    ("基本建成节水典范城市", "milestone", "done"),
    ("60%—70%", "band", "band"),
    ("6", "reach", "reach"),                                                        # a bare table cell
    (">78.5", "more_than", ">"),                                                    # a bare table sign
    ("≥35", "at_least", ">="),
    ("<2.5", "less_than", "<"),
]


@pytest.mark.parametrize(("text", "reading", "comparator"), CASES)
def test_each_rule_reads_its_words(text, reading, comparator):
    rule = wording.rule_for(text)
    if reading is None:
        assert rule is None and wording.reading_of(text) == "reach"
        return
    assert wording.reading_of(text) == reading
    direction = "lower" if reading in ("zero", "at_most", "less_than") else "higher"
    assert comparator in wording.comparator_for(reading, direction)


def test_a_contradicting_comparator_is_named():
    problem = wording.check("higher", ">", "78.5%以上")
    assert problem is not None and "以上" in problem and "民法典第1259条" in problem and "['>=']" in problem
    assert wording.check("higher", ">=", "78.5%以上") is None
    assert "needs a desired direction" in wording.check("projection", "about", "1000左右")


@pytest.mark.parametrize(("comparator", "value", "met"), [
    (">=", 78.5, True),    # 以上: the number itself meets it
    (">=", 78.46, True),   # shown 78.5 at one decimal: met (修约值比较法)
    (">=", 78.44, False),  # shown 78.4
    (">", 78.5, False),    # 超过: the number itself does not
    (">", 78.56, True),    # shown 78.6
])
def test_inclusive_and_exclusive_words_at_the_number(comparator, value, met):
    goal = Goal(direction="higher", milestone_year=2025, comparator=comparator, target=78.5, baseline_year=2020,
                baseline_value=73.5, precision=1)
    status = assess("distance", goal, {2020: 73.5, 2025: value}, 2025).status
    assert (status == "achieved") is met


def test_the_shown_target_is_never_failed():
    # 城市5G覆盖率 99.9991 is shown as 100.0 against the target 100: achieved, and the sentence says 100.0
    goal = Goal(direction="higher", milestone_year=2025, comparator="reach", target=100.0, baseline_year=2020,
                baseline_value=85.2, limit_max=100, precision=1)
    a = assess("distance", goal, {2020: 85.2, 2025: 99.9991}, 2025, "%")
    assert a.status == "achieved" and a.actual_value == 100.0 and a.actual_value_unrounded == 99.9991
    assert "实际值100.0%" in a.explanation and "99.9" not in a.explanation
    # 城乡生活垃圾回收利用率 ≥35 (maintain), 34.9 shown as 35 at the plan's precision: held
    keep = Goal(direction="maintain", milestone_year=2025, comparator=">=", target=35.0, baseline_year=2020,
                baseline_value=35.0, precision=0)
    assert assess("distance", keep, {2020: 35.0, 2025: 34.9}, 2025).status == "achieved"
    assert assess("distance", keep, {2020: 35.0, 2023: 34.9}, 2023).status == "on_track"
    assert assess("distance", keep, {2020: 35.0, 2023: 34.4}, 2023).status == "deterioration"
