"""The wastewater plants' monthly returns: the generated sample, the adapter's rules, and every bad-input case."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import defaultdict

import pytest

from urbanmon import synth
from urbanmon.cli import generated_samples
from urbanmon.feeds import environment
from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import get_spec
from urbanmon.settings import EXPECTATIONS_DIR

FEED = "environment__wastewater_plant_monthly"
NAME = "jinan_wastewater_plants_monthly_2021.csv"
HEADER = ["污水处理厂名称", "所在区县", "月份", "设计处理能力（万吨/日）", "污水处理量（万吨）", "再生水利用量（万吨）",
          "出水水质类别"]
JAN = ["济南市水质净化一厂", "天桥区", "2021-01", 30, 780.5, 250.1, "准IV类"]
FEB = ["济南市水质净化一厂", "天桥区", "2021-02", 30, 700.2, 240.0, "准IV类"]
OTHER = ["历下区东部污水处理厂", "历下区", "2021-01", 8, 210.0, 80.0, "一级A"]


@pytest.fixture(scope="module")
def spec():
    return get_spec(FEED)


@pytest.fixture(scope="module")
def samples():
    return generated_samples(FEED)


def parse(spec, rows, name=NAME, encoding="utf-8", **kw):
    return environment.parse_wastewater_plants_bytes(synth.csv_bytes(rows, encoding), spec, name, **kw)


def error(spec, rows, name=NAME, raw: bytes | None = None) -> FeedError:
    with pytest.raises(FeedError) as err:
        if raw is not None:
            environment.parse_wastewater_plants_bytes(raw, spec, name)
        else:
            parse(spec, rows, name)
    assert err.value.file == name
    return err.value


# --- the generated sample ------------------------------------------------------------------------------------------

def test_the_sample_parses_is_deterministic_small_and_flagged_synthetic(spec, samples):
    time.sleep(1.1)  # a save time in the workbook would differ now
    assert samples == generated_samples(FEED)  # byte for byte
    assert len(samples) == len(synth.YEARS) and sum(map(len, samples.values())) < 300_000
    assert {n.rsplit(".", 1)[1] for n in samples} == {"csv", "xlsx"}
    for name, content in samples.items():
        assert name.startswith("synthetic_")
        parsed = environment.parse_wastewater_plants_bytes(content, spec, name)
        table = parsed.table
        year = parsed.report_date.year
        assert parsed.report_date == dt.date(year, 1, 1) and str(year) in name
        assert set(table.column("is_synthetic").to_pylist()) == {True}
        assert set(table.column("area_code").to_pylist()) == set(synth.DISTRICTS)  # every district has a plant
        assert {d.month for d in table.column("period_start").to_pylist()} == set(range(1, 13))
        assert {d.year for d in table.column("period_start").to_pylist()} == {year}


def year_figures(spec, samples, year):
    name = next(n for n in samples if f"_{year}." in n)
    rows = environment.parse_wastewater_plants_bytes(samples[name], spec, name).table.to_pylist()
    treated = sum(r["wastewater_treated_wan_t"] for r in rows)
    reclaimed = sum(r["reclaimed_water_used_wan_t"] for r in rows)
    latest, months = {}, defaultdict(list)
    for r in sorted(rows, key=lambda r: r["period_start"]):
        latest[r["plant_name"]] = r["design_capacity_wan_t_per_day"]
        months[r["plant_name"]].append(r["meets_class_iv"])
    meeting = sum(2 * sum(m) > len(m) for m in months.values())
    return 100 * reclaimed / treated, sum(latest.values()), 100 * meeting / len(months)


def test_the_sample_gives_the_plan_baseline_and_a_plausible_path(spec, samples):
    rate, capacity, class_iv = year_figures(spec, samples, 2020)
    assert round(rate) == 35  # 专栏1: 城镇再生水利用率 2020 = 35
    assert capacity == 190
    rate_2025, capacity_2025, class_iv_2025 = year_figures(spec, samples, 2025)
    assert 45 < rate_2025 < 55 and 215 <= capacity_2025 <= 235 and 50 <= class_iv_2025 <= 65
    assert year_figures(spec, samples, 2023)[2] >= 40  # the plan's 2023 step met in the sample


def test_the_suite_knows_every_effluent_class(spec):
    suite = json.loads((EXPECTATIONS_DIR / f"{spec.raw_suite}.json").read_text(encoding="utf-8"))
    classes = next(e["kwargs"]["value_set"] for e in suite["expectations"]
                   if e["kwargs"].get("column") == "effluent_class_std")
    assert classes == list(environment.EFFLUENT_CLASSES)
    assert environment.raw_schema(spec).names[-2:] == ["effluent_class_std", "meets_class_iv"]


# --- what the adapter reads ----------------------------------------------------------------------------------------

def test_months_classes_title_footnotes_aliases_and_gb18030(spec):
    rows = [["济南市城市污水处理厂运行情况月报汇总（2021年）"], HEADER,
            ["章丘区第一污水处理厂", "章丘市", "2021年3月", 8, 200, 60, "准Ⅳ类"],
            ["章丘区第一污水处理厂", "章丘市", "202104", 8, 200, 60, "Ⅳ类"],
            ["莱芜区城区污水处理厂", "莱芜区", "5月", 10, 250, 70, "一级 A"],
            ["高新区污水处理厂", "济南高新区", "2021-06-01 00:00:00", 10, 250, 70, "地表水准IV类"],
            [], ["注：准IV类指化学需氧量、氨氮、总磷达到地表水IV类标准。"], ["数据来源：济南市水务局"]]
    parsed = parse(spec, rows, encoding="gb18030")
    t = parsed.table
    assert t.column("area_code").to_pylist() == ["370114", "370114", "370116", "370100F01"]
    assert [d.month for d in t.column("period_start").to_pylist()] == [3, 4, 5, 6]
    assert t.column("effluent_class_std").to_pylist() == ["准IV类", "IV类", "一级A", "准IV类"]
    assert t.column("meets_class_iv").to_pylist() == [True, True, False, True]
    assert t.column("source_line").to_pylist() == [3, 4, 5, 6]
    assert t.column("is_synthetic").to_pylist() == [False] * 4
    assert parsed.report_date == dt.date(2021, 1, 1)


@pytest.mark.parametrize(("text", "month"), [("2021-03", 3), ("2021/3", 3), ("202103", 3), ("2021年3月", 3),
                                             ("2021年03月", 3), ("3月", 3), ("12", 12), ("2021-12-01", 12),
                                             ("2021年13月", None), ("三月", None), ("2021-03-15", None)])
def test_month_formats(text, month):
    start = environment.month_start(text, 2021)
    assert (start.month if start else None) == month


# --- bad input: refused whole, naming the file, the line and the rule ----------------------------------------------

@pytest.mark.parametrize(("mutate", "rule", "where"), [
    (lambda r: [["水厂"] + HEADER[1:], *r[1:]], "missing_column", "污水处理厂名称"),
    (lambda r: [HEADER[:5] + HEADER[6:], *[x[:5] + x[6:] for x in r[1:]]], "missing_column", "再生水利用量"),
    (lambda r: [HEADER[:3] + ["设计处理能力（吨/日）"] + HEADER[4:], *r[1:]], "unit_mismatch", "吨/日"),
    (lambda r: [HEADER[:4] + ["污水处理量（立方米）"] + HEADER[5:], *r[1:]], "unit_mismatch", "立方米"),
    (lambda r: [HEADER + ["备注列"], *r[1:]], "unknown_column", "备注列"),
    (lambda r: [*r, ["火星污水处理厂", "火星区", "2021-03", 5, 100, 10, "一级A"]], "unknown_area", "line 4"),
    (lambda r: [*r, JAN], "duplicate_key", "line 4"),
    (lambda r: [*r, [*JAN[:2], "2021年1月", *JAN[3:]]], "duplicate_key", "line 4"),
    (lambda r: [*r, [*JAN[:2], "2022-01", *JAN[3:]]], "period_mismatch", "line 4"),
    (lambda r: [*r, [*JAN[:2], "2021年13月", *JAN[3:]]], "bad_period", "line 4"),
    (lambda r: [r[0], r[1], [*OTHER[:4], -3, 0, "一级A"]], "out_of_range", "line 3"),
    (lambda r: [r[0], r[1], [*OTHER[:5], 300, "一级A"]], "exceeds_total", "line 3"),
    (lambda r: [r[0], r[1], [*OTHER[:4], 900, 10, "一级A"]], "over_capacity", "line 3"),
    (lambda r: [r[0], r[1], [*OTHER[:6], "四类水"]], "unknown_category", "四类水"),
    (lambda r: [r[0], r[1], [*OTHER[:4], "八百", 10, "一级A"]], "not_numeric", "八百"),
    (lambda r: [*r, [JAN[0], "历城区", "2021-03", *JAN[3:]]], "inconsistent_area", "line 4"),
    (lambda r: [*r, ["全市污水处理厂", "全市", "2021-03", 5, 100, 10, "一级A"]], "not_a_district", "line 4"),
    (lambda r: [HEADER], "empty_file", "no data row"),
])
def test_bad_input_is_refused_with_file_line_and_rule(spec, mutate, rule, where):
    err = error(spec, mutate([HEADER, JAN, FEB]))
    assert err.rule == rule
    assert where in err.describe()
    assert err.line is not None or rule == "empty_file"


def test_a_utilisation_of_130_percent_names_line_and_column(spec):
    err = error(spec, [HEADER, JAN, [*OTHER[:4], 100, 130, "一级A"]])
    assert (err.rule, err.line, err.column) == ("exceeds_total", 3, "再生水利用量")


def test_wrong_encoding_empty_and_truncated_files(spec):
    good = synth.csv_bytes([HEADER, JAN])
    assert error(spec, None, raw=good.decode().encode("utf-16")).rule == "encoding"
    err = error(spec, None, raw=synth.csv_bytes([HEADER, JAN], "gb18030") + b"\xff")  # neither UTF-8 nor GB18030
    assert (err.rule, err.file) == ("encoding", NAME)
    assert parse(spec, [HEADER, JAN], encoding="gb18030").rows == 1
    assert error(spec, None, raw=b"").rule == "empty_file"
    xlsx = synth.xlsx_bytes([HEADER, JAN])
    name = NAME.replace(".csv", ".xlsx")
    err = error(spec, None, name, raw=xlsx[: len(xlsx) // 2])
    assert err.rule == "unreadable_xlsx" and "truncated" in err.detail
    assert environment.parse_wastewater_plants_bytes(xlsx, spec, name).rows == 1


def test_a_future_year_or_month_is_refused(spec):
    err = error(spec, [HEADER, [*JAN[:2], "2031-01", *JAN[3:]]], "jinan_wastewater_plants_monthly_2031.csv")
    assert err.rule == "future_period" and "2031-01-01" in err.detail
    with pytest.raises(FeedError) as month:
        parse(spec, [HEADER, JAN, [*JAN[:2], "2021-07", *JAN[3:]]], today=dt.date(2021, 6, 15))
    assert (month.value.rule, month.value.line, month.value.column) == ("future_period", 3, "月份")
    parsed = parse(spec, [HEADER, JAN, FEB], today=dt.date(2021, 3, 2))  # a year in progress: the months so far
    assert parsed.rows == 2
