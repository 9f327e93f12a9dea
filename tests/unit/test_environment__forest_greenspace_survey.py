"""The forest and green-space survey: the generated sample, the adapter's rules, and every bad-input case."""

from __future__ import annotations

import datetime as dt
import importlib.util
import time

import pytest

from urbanmon import synth
from urbanmon.cli import generated_samples
from urbanmon.feeds import environment
from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import get_spec

FEED = "environment__forest_greenspace_survey"
NAME = "jinan_forest_greenspace_survey_2021.csv"
HEADER = ["区县", "国土面积（平方公里）", "森林面积（平方公里）", "建成区面积（平方公里）", "建成区绿地面积（公顷）",
          "公园绿地面积（公顷）"]
LIXIA = ["历下区", 100.9, 12.3, 70.0, 2550.0, 1160.0]
SHIZHONG = ["市中区", 280.3, 59.0, 75.0, 2600.0, 1000.0]


@pytest.fixture(scope="module")
def spec():
    return get_spec(FEED)


@pytest.fixture(scope="module")
def samples():
    return generated_samples(FEED)


def parse(spec, rows, name=NAME, encoding="utf-8", **kw):
    return environment.parse_forest_greenspace_bytes(synth.csv_bytes(rows, encoding), spec, name, **kw)


def error(spec, rows, name=NAME, raw: bytes | None = None) -> FeedError:
    with pytest.raises(FeedError) as err:
        if raw is not None:
            environment.parse_forest_greenspace_bytes(raw, spec, name)
        else:
            parse(spec, rows, name)
    assert err.value.file == name
    return err.value


def generator():
    path = get_spec(FEED).folder / "generate.py"
    module_spec = importlib.util.spec_from_file_location("forest_generator", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


# --- the generated sample ------------------------------------------------------------------------------------------

def test_the_sample_parses_is_deterministic_small_and_flagged_synthetic(spec, samples):
    time.sleep(1.1)  # a save time in the workbook would differ now
    assert samples == generated_samples(FEED)
    assert len(samples) == len(synth.YEARS) and sum(map(len, samples.values())) < 300_000
    assert {n.rsplit(".", 1)[1] for n in samples} == {"csv", "xlsx"}
    for name, content in samples.items():
        assert name.startswith("synthetic_")
        parsed = environment.parse_forest_greenspace_bytes(content, spec, name)
        codes = parsed.table.column("area_code").to_pylist()
        assert set(synth.DISTRICTS) <= set(codes) <= {*synth.DISTRICTS, synth.CITY, "370100F01"}
        assert set(parsed.table.column("is_synthetic").to_pylist()) == {True}
        assert str(parsed.report_date.year) in name and parsed.report_date.month == 1


def test_the_sample_gives_the_plan_baselines_in_2020(spec, samples):
    name = next(n for n in samples if "_2020." in n)
    rows = [r for r in environment.parse_forest_greenspace_bytes(samples[name], spec, name).table.to_pylist()
            if r["area_code"] in synth.DISTRICTS]
    forest = sum(r["forest_area_km2"] for r in rows) / sum(r["land_area_km2"] for r in rows) * 100
    assert round(forest, 1) == 11.4  # 专栏1: 森林覆盖率 11.4*
    urban_city = generator().district_tables().year_rows(2020)[0][2]  # 城镇常住人口 of the 全市 row
    park = sum(r["park_green_area_ha"] for r in rows) / urban_city
    assert round(park, 1) == 12.2  # 专栏1: 人均公园绿地面积 12.2 m²
    green = sum(r["built_up_green_area_ha"] for r in rows) / sum(r["built_up_area_km2"] for r in rows)
    assert 34 < green < 37


# --- what the adapter reads ----------------------------------------------------------------------------------------

def test_title_rows_footnotes_aliases_zones_and_gb18030(spec):
    rows = [["济南市森林资源与城市绿地情况统计表（2021年）"],
            ["地区", "国土面积(平方公里)", "森林面积(不含园地经济林)（平方公里）", "城市建成区面积（平方公里）",
             "建成区绿地面积（公顷）", "公园绿地面积（公顷）"],
            ["全市", 10244.45, 1190.0, 800.0, 28000.0, 8500.0], ["莱城区", *LIXIA[1:]], ["高新区", *SHIZHONG[1:]],
            [], ["注：森林面积按自然资发〔2022〕5号口径，不包括园地中的经济林。"], ["资料来源：济南市园林和林业绿化局"]]
    parsed = parse(spec, rows, encoding="gb18030")
    assert parsed.table.column("area_code").to_pylist() == ["370100", "370116", "370100F01"]
    assert parsed.table.column("forest_area_km2").to_pylist() == [1190.0, 12.3, 59.0]
    assert parsed.table.column("source_line").to_pylist() == [3, 4, 5]
    assert parsed.table.column("is_synthetic").to_pylist() == [False] * 3
    assert parsed.report_date == dt.date(2021, 1, 1)


# --- bad input: refused whole, naming the file, the line and the rule ----------------------------------------------

@pytest.mark.parametrize(("mutate", "rule", "where"), [
    (lambda r: [["区域"] + HEADER[1:], *r[1:]], "missing_column", "区县"),
    (lambda r: [HEADER[:2] + HEADER[3:], *[x[:2] + x[3:] for x in r[1:]]], "missing_column", "森林面积"),
    (lambda r: [HEADER[:2] + ["森林面积（公顷）"] + HEADER[3:], *r[1:]], "unit_mismatch", "公顷"),
    (lambda r: [HEADER[:5] + ["公园绿地面积（平方米）"], *r[1:]], "unit_mismatch", "平方米"),
    (lambda r: [HEADER + ["备用列"], *r[1:]], "unknown_column", "备用列"),
    (lambda r: [*r, ["火星区", 100, 10, 10, 100, 10]], "unknown_area", "line 4"),
    (lambda r: [*r, LIXIA], "duplicate_key", "line 4"),
    (lambda r: [r[0], r[1], ["市中区", 280.3, -5, 75, 2600, 1000]], "out_of_range", "line 3"),
    (lambda r: [r[0], r[1], ["市中区", 280.3, 364.4, 75, 2600, 1000]], "exceeds_total", "森林面积"),
    (lambda r: [r[0], r[1], ["市中区", 280.3, 59, 300, 2600, 1000]], "exceeds_total", "建成区面积"),
    (lambda r: [r[0], r[1], ["市中区", 280.3, 59, 75, 7600, 1000]], "exceeds_total", "建成区绿地面积"),
    (lambda r: [r[0], r[1], ["市中区", 280.3, 59, 75, 2600, 2700]], "exceeds_total", "公园绿地面积"),
    (lambda r: [r[0], r[1], ["市中区", 280.3, "五十九", 75, 2600, 1000]], "not_numeric", "五十九"),
    (lambda r: [r[0], r[1], ["市中区", 280.3, "", 75, 2600, 1000]], "missing_value", "森林面积"),
    (lambda r: [HEADER], "empty_file", "no data row"),
])
def test_bad_input_is_refused_with_file_line_and_rule(spec, mutate, rule, where):
    err = error(spec, mutate([HEADER, LIXIA, SHIZHONG]))
    assert err.rule == rule
    assert where in err.describe()
    assert err.line is not None or rule == "empty_file"


def test_a_coverage_of_130_percent_names_line_and_column(spec):
    err = error(spec, [HEADER, LIXIA, ["市中区", 100, 130, 75, 2600, 1000]])
    assert (err.rule, err.line, err.column) == ("exceeds_total", 3, "森林面积")
    assert "share above 100 %" in err.detail


def test_wrong_encoding_empty_and_truncated_files(spec):
    good = synth.csv_bytes([HEADER, LIXIA])
    assert error(spec, None, raw=good.decode().encode("utf-16")).rule == "encoding"
    err = error(spec, None, raw=synth.csv_bytes([HEADER, LIXIA], "gb18030") + b"\xff")
    assert err.rule == "encoding"
    assert error(spec, None, raw=b"").rule == "empty_file"
    xlsx = synth.xlsx_bytes([HEADER, LIXIA])
    name = NAME.replace(".csv", ".xlsx")
    err = error(spec, None, name, raw=xlsx[: len(xlsx) // 2])
    assert err.rule == "unreadable_xlsx" and "truncated" in err.detail
    assert environment.parse_forest_greenspace_bytes(xlsx, spec, name).rows == 1


def test_a_future_year_is_refused(spec):
    err = error(spec, [HEADER, LIXIA], "jinan_forest_greenspace_survey_2031.csv")
    assert err.rule == "future_period" and "2031-01-01" in err.detail and err.line == 2
    parsed = parse(spec, [HEADER, LIXIA], "jinan_forest_greenspace_survey_2031.csv", today=dt.date(2032, 6, 1))
    assert parsed.report_date == dt.date(2031, 1, 1)
