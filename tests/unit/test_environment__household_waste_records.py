"""The household-waste records: the generated sample, the adapter's rules, and every bad-input case."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from urbanmon import synth
from urbanmon.cli import generated_samples
from urbanmon.feeds import environment
from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import get_spec

FEED = "environment__household_waste_records"
NAME = "jinan_household_waste_2021.csv"
HEADER = ["区县", "月份", "生活垃圾清运量（万吨）", "回收利用量（万吨）", "焚烧处理量（万吨）", "填埋处理量（万吨）"]
JAN = ["历下区", "2021-01", 2.6, 1.2, 2.4, 0.07]
FEB = ["历下区", "2021-02", 2.4, 1.1, 2.2, 0.06]


@pytest.fixture(scope="module")
def spec():
    return get_spec(FEED)


@pytest.fixture(scope="module")
def samples():
    return generated_samples(FEED)


def parse(spec, rows, name=NAME, encoding="utf-8", **kw):
    return environment.parse_household_waste_bytes(synth.csv_bytes(rows, encoding), spec, name, **kw)


def error(spec, rows, name=NAME, raw: bytes | None = None) -> FeedError:
    with pytest.raises(FeedError) as err:
        if raw is not None:
            environment.parse_household_waste_bytes(raw, spec, name)
        else:
            parse(spec, rows, name)
    assert err.value.file == name
    return err.value


# --- the generated sample ------------------------------------------------------------------------------------------

def test_the_sample_parses_is_deterministic_small_and_flagged_synthetic(spec, samples):
    time.sleep(1.1)  # a save time in the workbook would differ now
    assert samples == generated_samples(FEED)
    assert len(samples) == len(synth.YEARS) and sum(map(len, samples.values())) < 300_000
    assert {n.rsplit(".", 1)[1] for n in samples} == {"csv", "xlsx"}
    for name, content in samples.items():
        assert name.startswith("synthetic_")
        parsed = environment.parse_household_waste_bytes(content, spec, name)
        year = parsed.report_date.year
        assert parsed.report_date == dt.date(year, 1, 1) and str(year) in name
        assert set(parsed.table.column("area_code").to_pylist()) == set(synth.DISTRICTS)
        assert parsed.rows == 12 * len(synth.DISTRICTS)
        assert {d.year for d in parsed.table.column("period_start").to_pylist()} == {year}
        assert set(parsed.table.column("is_synthetic").to_pylist()) == {True}


def city_rates(spec, samples, year):
    name = next(n for n in samples if f"_{year}." in n)
    rows = environment.parse_household_waste_bytes(samples[name], spec, name).table.to_pylist()
    total = {c: sum(r[c] for r in rows) for c in ("collected_wan_t", "recycled_wan_t", "incinerated_wan_t",
                                                   "landfilled_wan_t")}
    generated = total["collected_wan_t"] + total["recycled_wan_t"]
    return (100 * total["recycled_wan_t"] / generated, 100 * total["incinerated_wan_t"] / total["collected_wan_t"],
            100 * total["landfilled_wan_t"] / total["collected_wan_t"])


def test_the_sample_gives_the_plan_baseline_and_the_2023_steps(spec, samples):
    recycling, incineration, landfill = city_rates(spec, samples, 2020)
    assert round(recycling) == 35  # 专栏1: 城乡生活垃圾回收利用率 2020 = 35
    assert 75 < incineration < 85 and 10 < landfill < 20
    recycling, incineration, landfill = city_rates(spec, samples, 2023)
    assert recycling >= 35 and incineration >= 90 and landfill < 2


# --- what the adapter reads ----------------------------------------------------------------------------------------

def test_months_title_footnotes_aliases_zones_and_gb18030(spec):
    rows = [["济南市生活垃圾清运及处理情况（分区县、分月）2021年"], HEADER,
            ["济阳县", "2021年3月", 1.5, 0.7, 1.3, 0.1], ["济阳区", "202104", 1.5, 0.7, 1.3, 0.1],
            ["全市", "5月", 30, 15, 28, 1.0], ["起步区", "2021/6", 0.5, 0.2, 0.45, 0],
            [], ["注：生活垃圾产生量=清运量+回收利用量。"], ["数据来源：济南市城市管理局"]]
    parsed = parse(spec, rows, encoding="gb18030")
    t = parsed.table
    assert t.column("area_code").to_pylist() == ["370115", "370115", "370100", "370100F03"]
    assert [d.month for d in t.column("period_start").to_pylist()] == [3, 4, 5, 6]
    assert t.column("source_line").to_pylist() == [3, 4, 5, 6]
    assert t.column("is_synthetic").to_pylist() == [False] * 4
    assert parsed.report_date == dt.date(2021, 1, 1)


# --- bad input: refused whole, naming the file, the line and the rule ----------------------------------------------

@pytest.mark.parametrize(("mutate", "rule", "where"), [
    (lambda r: [["区域"] + HEADER[1:], *r[1:]], "missing_column", "区县"),
    (lambda r: [HEADER[:3] + HEADER[4:], *[x[:3] + x[4:] for x in r[1:]]], "missing_column", "回收利用量"),
    (lambda r: [HEADER[:2] + ["生活垃圾清运量（吨）"] + HEADER[3:], *r[1:]], "unit_mismatch", "吨"),
    (lambda r: [HEADER + ["备用列"], *r[1:]], "unknown_column", "备用列"),
    (lambda r: [*r, ["火星区", "2021-03", 1, 1, 1, 0]], "unknown_area", "line 4"),
    (lambda r: [*r, JAN], "duplicate_key", "line 4"),
    (lambda r: [*r, ["历下区", "2021年1月", *JAN[2:]]], "duplicate_key", "line 4"),
    (lambda r: [*r, ["历下区", "2020-12", *JAN[2:]]], "period_mismatch", "line 4"),
    (lambda r: [*r, ["历下区", "第三季度", *JAN[2:]]], "bad_period", "line 4"),
    (lambda r: [r[0], r[1], ["历下区", "2021-02", -2.4, 1.1, 2.2, 0.06]], "out_of_range", "line 3"),
    (lambda r: [r[0], r[1], ["历下区", "2021-02", 2.4, 1.1, 2.2, 0.5]], "exceeds_total", "line 3"),
    (lambda r: [r[0], r[1], ["历下区", "2021-02", 2.4, "一点一", 2.2, 0.06]], "not_numeric", "一点一"),
    (lambda r: [HEADER], "empty_file", "no data row"),
])
def test_bad_input_is_refused_with_file_line_and_rule(spec, mutate, rule, where):
    err = error(spec, mutate([HEADER, JAN, FEB]))
    assert err.rule == rule
    assert where in err.describe()
    assert err.line is not None or rule == "empty_file"


def test_a_treatment_of_130_percent_names_line_and_column(spec):
    err = error(spec, [HEADER, JAN, ["历下区", "2021-02", 2.0, 1.0, 2.6, 0]])
    assert (err.rule, err.line, err.column) == ("exceeds_total", 3, "焚烧处理量")


def test_wrong_encoding_empty_and_truncated_files(spec):
    good = synth.csv_bytes([HEADER, JAN])
    assert error(spec, None, raw=good.decode().encode("utf-16")).rule == "encoding"
    assert error(spec, None, raw=synth.csv_bytes([HEADER, JAN], "gb18030") + b"\xff").rule == "encoding"
    assert error(spec, None, raw=b"").rule == "empty_file"
    xlsx = synth.xlsx_bytes([HEADER, JAN])
    name = NAME.replace(".csv", ".xlsx")
    err = error(spec, None, name, raw=xlsx[: len(xlsx) // 2])
    assert err.rule == "unreadable_xlsx" and "truncated" in err.detail
    assert environment.parse_household_waste_bytes(xlsx, spec, name).rows == 1


def test_a_future_year_or_month_is_refused(spec):
    err = error(spec, [HEADER, ["历下区", "2031-01", *JAN[2:]]], "jinan_household_waste_2031.csv")
    assert err.rule == "future_period" and "2031-01-01" in err.detail
    with pytest.raises(FeedError) as month:
        parse(spec, [HEADER, JAN, ["历下区", "2021-09", *JAN[2:]]], today=dt.date(2021, 8, 31))
    assert (month.value.rule, month.value.line, month.value.column) == ("future_period", 3, "月份")
