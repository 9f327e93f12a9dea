"""Every judgeable target of the plan text is registered or excluded with its reason (issue 12 item 6).

urbanmon.plan_scan lists the candidate targets of the plan text; each must be covered by a registry quote or be
listed in registry/plan_exclusions.yaml, and every exclusion must still be a candidate that is not registered.
"""

from __future__ import annotations

import pytest
import yaml

from tests.unit.test_registry_plan import INDICATORS, REGISTRY_DIR, plan_path
from urbanmon import plan_scan

PLAN = plan_path().read_text(encoding="utf-8")
QUOTES = {i["code"]: i["plan_ref"]["quote"] for i in INDICATORS}
EXCLUSIONS = yaml.safe_load((REGISTRY_DIR / "plan_exclusions.yaml").read_text(encoding="utf-8"))["exclusions"]
CANDIDATES = plan_scan.scan(PLAN)


def test_every_candidate_is_registered_or_excluded_and_no_exclusion_is_stale():
    assert plan_scan.check(PLAN, QUOTES, EXCLUSIONS) == []


def test_the_candidate_list_is_meaningful():
    # tens to low hundreds: the 22 table rows, the text targets, the 发展基础 figures and the words 全覆盖/清零/基本建成
    assert 60 <= len(CANDIDATES) <= 200, len(CANDIDATES)
    assert len({c.key for c in CANDIDATES}) == len(CANDIDATES)
    assert sum("table_figure" in c.triggers for c in CANDIDATES) == 22


@pytest.mark.parametrize(("snippet", "trigger", "code"), [
    ("区县级失能照护服务机构实现全覆盖", "all", "disability_care_institution_district_coverage_pct"),
    ("基本完成棚户区and城中村改造", "milestone", "shantytown_urban_village_renewal_done"),
    ("到2025年基本建成节水典范城市", "milestone", "water_saving_model_city_done"),
    ("商务楼宇万兆接入能力全覆盖", "all", "city_gigabit_business_10g_coverage_pct"),
    ("济南高新区完成整县（区）制雨污合流管网清零", "zero", "combined_sewer_remaining_named_districts_km"),
    ("基本实现生活垃圾“零填埋”", "zero", "waste_landfill_pct"),
    ("新增城市公共汽车全部采用新能源汽车", "all", "new_city_bus_new_energy_pct"),
    ("到2025年80%以上家庭具备千兆接入能力", "figure", "gigabit_capable_household_pct"),
])
def test_the_targets_the_issue_names_are_found_and_registered(snippet, trigger, code):
    covered = plan_scan.registered(CANDIDATES, PLAN, QUOTES)
    found = [c for c in CANDIDATES if snippet in c.text]
    assert len(found) == 1, [c.key for c in found]
    assert trigger in found[0].triggers
    assert code in covered[found[0].key]


def test_headline_restatements_are_excluded_as_such():
    reasons = {e["key"]: e["reason"] for e in EXCLUSIONS}
    for snippet in ("电子证照在政务服务中的使用率达到80%", "城镇再生水利用率达到50%", "城镇再生水利用率达到65%",
                    "全市森林覆盖率达到13.7%", "分别提高到78.5%以上和65%左右"):
        c = next(c for c in CANDIDATES if snippet in c.text)
        assert reasons.get(c.key) == "headline_restatement", c.key


# ─────────────────────────────── the rules, on worked examples ───────────────────────────────

PLAN_HEAD = "目录\n第一章 目录里的章\n正文\n第一章 准确把握发展形势 科学确定目标要求\n一、发展基础\n"


@pytest.mark.parametrize(("text", "triggers"), [
    ("到2025年城市建成区绿地率达到37%。", {"figure"}),             # a figure with a unit
    ("城乡居民人均收入比2.61，较2015年缩小0.19。", {"dated_figure"}),  # a bare figure in a clause with a year
    ("区县级失能照护服务机构实现全覆盖。", {"all"}),
    ("新增城市公共汽车全部采用新能源汽车。", {"all"}),
    ("到2024年雨污合流管网全部清零；", {"all", "zero"}),
    ("争取“十四五”时期煤炭消费零增长。", {"zero"}),
    ("到2025年基本建成节水典范城市。", {"milestone"}),
])
def test_triggers(text, triggers):
    found = plan_scan.scan(PLAN_HEAD + text)
    assert {t for c in found for t in c.triggers} == triggers


@pytest.mark.parametrize("text", [
    "大力推进5G独立组网。",               # a technology name is no figure
    "强化IPv6网络的终端协同创新发展，到2025年建成。",
    "济南市人民政府办公厅2022年7月15日印发",  # a date is no figure
    "健全覆盖城乡的就业创业服务体系。",       # 健全 + 覆盖, not 全覆盖
    "济政发〔2022〕9号",
    "建设国家5A级旅游景区。",
])
def test_not_candidates(text):
    assert plan_scan.scan(PLAN_HEAD + text) == []


def test_clauses_phrases_keys_and_places():
    text = PLAN_HEAD + "到2025年，甲达到10%，乙达到20个；丙全覆盖。\n二、发展趋势\n丁达到 5\n%。\n"
    found = plan_scan.scan(text)
    assert [c.key for c in found] == ["第一章/一/甲达到10%", "第一章/一/乙达到20个", "第一章/一/丙全覆盖",
                                      "第一章/二/丁达到5%"]  # whitespace (page breaks) removed
    assert found[3].section == "二、发展趋势" and found[0].chapter.startswith("第一章 准确把握")
    # a quote covers a candidate when it covers every word and figure that made it one
    assert plan_scan.registered(found, text, {"a": "甲达到10%，乙达到20"})["第一章/一/乙达到20个"] == []
    covered = plan_scan.registered(found, text, {"a": "甲达到10%，乙达到20个"})
    assert covered["第一章/一/甲达到10%"] == ["a"] and covered["第一章/一/乙达到20个"] == ["a"]


def test_check_names_open_stale_and_double_entries():
    text = PLAN_HEAD + "甲达到10%。乙全覆盖。\n"
    problems = plan_scan.check(text, {"a": "甲达到10%"}, [
        {"key": "第一章/一/甲达到10%", "reason": "no_figure", "note": "x"},
        {"key": "第一章/一/gone", "reason": "baseline", "note": "x"},
        {"key": "第一章/一/乙全覆盖", "reason": "because", "note": ""},
    ])
    assert any("entry 1" in p and "registered by ['a']" in p for p in problems)
    assert any("entry 2" in p and "stale" in p for p in problems)
    assert any("entry 3" in p and "reason 'because'" in p for p in problems)
    assert any("entry 3" in p and "a note saying why" in p for p in problems)
    assert plan_scan.check(text, {"a": "甲达到10%"}, []) == [
        "candidate '第一章/一/乙全覆盖' (第一章 准确把握发展形势 科学确定目标要求 / 一、发展基础; all) is neither "
        "registered nor excluded: 乙全覆盖。"]
