"""The tabular adapter on the district tables feed: its contract, and every bad-input case of the feeds issue."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from urbanmon import synth
from urbanmon.cli import generated_samples
from urbanmon.feeds import tabular
from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import get_spec

FEED = "statistics__jinan_bureau_district_tables"
HEADER = ["地区", "年末常住人口（万人）", "城镇常住人口（万人）", "户籍人口（万人）", "城镇户籍人口（万人）",
          "城镇居民人均可支配收入（元）", "农村居民人均可支配收入（元）"]
CITY = ["全市", 924.2, 679.29, 796.66, 476.4, 53329, 20433]
LIXIA = ["历下区", 87.5, 87.5, 70.1, 70.1, 60000, 25000]


@pytest.fixture(scope="module")
def spec():
    return get_spec(FEED)


def parse(spec, rows, name="jinan_district_population_income_2021.csv", encoding="utf-8", **kw):
    return tabular.parse_bytes(synth.csv_bytes(rows, encoding), spec, name, **kw)


def error(spec, rows, name="jinan_district_population_income_2021.csv", raw: bytes | None = None) -> FeedError:
    with pytest.raises(FeedError) as err:
        if raw is not None:
            tabular.parse_bytes(raw, spec, name)
        else:
            parse(spec, rows, name)
    assert err.value.file == name
    return err.value


def test_every_generated_year_parses_with_areas_mapped(spec):
    files = generated_samples(FEED)
    assert len(files) == len(synth.YEARS)
    assert {n.rsplit(".", 1)[1] for n in files} == {"csv", "xlsx"}
    for name, content in files.items():
        parsed = tabular.parse_bytes(content, spec, name)
        codes = parsed.table.column("area_code").to_pylist()
        assert codes[0] == "370100" and set(codes[1:]) == set(synth.DISTRICTS)
        assert parsed.table.column("is_synthetic").to_pylist() == [True] * 13
        assert parsed.report_date.year == int(re.search(r"_(\d{4})\.", name).group(1))


def test_title_rows_footnotes_aliases_and_gb18030(spec):
    rows = [["济南市分区县主要指标（2021年）"], HEADER, CITY, ["章丘市", 110.3, 68.0, 100.0, 60.0, 50000, 22000],
            [], ["注：常住人口为年末数。"], ["资料来源：济南市统计局"]]
    parsed = parse(spec, rows, encoding="gb18030")
    assert parsed.table.column("area_code").to_pylist() == ["370100", "370114"]
    assert parsed.table.column("source_line").to_pylist() == [3, 4]  # lines of the file, title included
    assert parsed.table.column("is_synthetic").to_pylist() == [False, False]
    assert parsed.report_date == dt.date(2021, 1, 1)


@pytest.mark.parametrize(("mutate", "rule", "where"), [
    (lambda r: [["区域"] + HEADER[1:], *r[1:]], "missing_column", "地区"),
    (lambda r: [[h for h in HEADER if "户籍人口（" not in h or "城镇" in h], *[x[:3] + x[4:] for x in r[1:]]],
     "missing_column", "户籍人口"),
    (lambda r: [HEADER[:1] + ["年末常住人口（人）"] + HEADER[2:], *r[1:]], "unit_mismatch", "人"),
    (lambda r: [HEADER + ["备用列"], *r[1:]], "unknown_column", "备用列"),
    (lambda r: [*r, ["火星区", 1, 1, 1, 1, 1, 1]], "unknown_area", "火星区"),
    (lambda r: [*r, LIXIA], "duplicate_key", "line 3"),
    (lambda r: [r[0], r[1], ["历下区", -5, 0, 1, 1, 1, 1]], "out_of_range", "-5"),
    (lambda r: [r[0], r[1], ["历下区", 87.5, "八十", 1, 1, 1, 1]], "not_numeric", "八十"),
    (lambda r: [r[0], r[1], ["历下区", 87.5, "", 1, 1, 1, 1]], "missing_value", "城镇常住人口"),
    (lambda r: [HEADER], "empty_file", "no data row"),
])
def test_bad_input_is_refused_with_file_line_and_rule(spec, mutate, rule, where):
    err = error(spec, mutate([HEADER, CITY, LIXIA]))
    assert err.rule == rule
    assert where in err.describe()


def test_a_coverage_of_130_percent_is_impossible():
    spec = get_spec(FEED).model_copy(deep=True)
    spec.tabular.columns[1].max = 100  # as a share column would be declared
    err = error(spec, [HEADER, ["全市", 130, 1, 1, 1, 1, 1]])
    assert (err.rule, err.line, err.column) == ("out_of_range", 2, "年末常住人口")


def test_wrong_encoding_and_empty_and_truncated_files(spec):
    good = synth.csv_bytes([HEADER, CITY])
    assert error(spec, None, raw=good.decode().encode("utf-16")).rule == "encoding"
    assert error(spec, None, raw=b"\xb0\xa1\xff\xfe\xfd\x80\x81" * 3 + good).rule in ("encoding", "missing_column")
    assert error(spec, None, raw=b"").rule == "empty_file"
    xlsx = synth.xlsx_bytes([HEADER, CITY])
    err = error(spec, None, "jinan_district_population_income_2021.xlsx", raw=xlsx[: len(xlsx) // 2])
    assert err.rule == "unreadable_xlsx" and "truncated" in err.detail


def test_a_future_period_is_refused(spec):
    err = error(spec, [HEADER, CITY], "jinan_district_population_income_2031.csv")
    assert err.rule == "future_period" and "2031-01-01" in err.detail
    parsed = parse(spec, [HEADER, CITY], "jinan_district_population_income_2031.csv", today=dt.date(2032, 6, 1))
    assert parsed.report_date == dt.date(2031, 1, 1)


def test_the_header_unit_is_read_in_both_bracket_widths():
    assert tabular.split_header("年末常住人口（万人）") == ("年末常住人口", "万人")
    assert tabular.split_header("年末常住人口 (万人)") == ("年末常住人口", "万人")
    assert tabular.split_header("地 区") == ("地区", None)


@pytest.mark.parametrize(("text", "month"), [
    ("2021-03", dt.date(2021, 3, 1)), ("2021-3", dt.date(2021, 3, 1)), ("2021年3月", dt.date(2021, 3, 1)),
    ("202103", dt.date(2021, 3, 1)), ("2021/12", dt.date(2021, 12, 1)), ("2021.11", dt.date(2021, 11, 1)),
    ("20213", None), ("2021-13", None), ("三月", None),
])
def test_a_month_period_is_read_with_or_without_zero_padding(text, month):
    from types import SimpleNamespace

    from urbanmon.feeds.tabular import period_start

    spec = SimpleNamespace(tabular=SimpleNamespace(period_grain="month"))
    if month is None:
        with pytest.raises(FeedError, match="bad_period"):
            period_start(spec, text, "f.csv", line=3)
    else:
        assert period_start(spec, text, "f.csv") == month
