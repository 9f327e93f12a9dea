"""The operators' district broadband reports (feed telecom__operator_district_reports): every bad-input case."""

from __future__ import annotations

import datetime as dt

import pytest

from urbanmon import synth
from urbanmon.cli import generated_samples
from urbanmon.feeds import telecom_operator_reports as adapter
from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import get_spec

FEED = "telecom__operator_district_reports"
NAME = "jinan_operator_broadband_district_2021.csv"
HEADER = ["区县", "运营商", "家庭户数（户）", "光纤通达户数（户）", "光纤入户户数（户）", "千兆接入能力户数（户）"]
ROWS = [
    ["历下区", "中国移动", 330000, 200000, 120000, 100000],
    ["历下区", "电信", 330000, 150000, 80000, 70000],
    ["历下区", "全网", 330000, 300000, 170000, 150000],
    ["平阴县", "中国联通", 130000, 60000, 30000, 20000],
]


@pytest.fixture(scope="module")
def spec():
    return get_spec(FEED)


def parse(spec, rows, name=NAME, encoding="utf-8", **kw):
    return adapter.parse_bytes(synth.csv_bytes(rows, encoding), spec, name, **kw)


def error(spec, rows=None, name=NAME, raw: bytes | None = None, **kw) -> FeedError:
    with pytest.raises(FeedError) as err:
        if raw is not None:
            adapter.parse_bytes(raw, spec, name, **kw)
        else:
            parse(spec, rows, name, **kw)
    assert err.value.file == name
    return err.value


def test_a_report_parses_with_areas_and_operators_normalised(spec):
    parsed = parse(spec, [["济南市分区县固定宽带接入情况（2021年末）"], HEADER, *ROWS, [], ["注：全网为去重户数。"]],
                   encoding="gb18030")
    t = parsed.table
    assert t.column("area_code").to_pylist() == ["370102", "370102", "370102", "370124"]
    assert t.column("operator").to_pylist() == ["中国移动", "中国电信", "全网", "中国联通"]
    assert t.column("source_line").to_pylist() == [3, 4, 5, 6]
    assert t.column("is_synthetic").to_pylist() == [False] * 4
    assert parsed.report_date == dt.date(2021, 1, 1)


def _with(row: int, col: int, value) -> list[list]:
    rows = [list(r) for r in ROWS]
    rows[row][col] = value
    return [HEADER, *rows]


@pytest.mark.parametrize(("rows", "rule", "line", "where"), [
    ([["地区", "公司", *HEADER[2:]], *ROWS], "missing_column", 1, "运营商"),
    ([HEADER[:4] + HEADER[5:], *[r[:4] + r[5:] for r in ROWS]], "missing_column", 1, "光纤入户户数"),
    ([HEADER + ["备注"], *[[*r, ""] for r in ROWS]], "unknown_column", 1, "备注"),
    ([HEADER[:2] + ["家庭户数（万户）"] + HEADER[3:], *ROWS], "unit_mismatch", 1, "万户"),
    (_with(3, 0, "火星区"), "unknown_area", 5, "火星区"),
    ([HEADER, *ROWS, ROWS[0]], "duplicate_key", 6, "first on line 2"),
    ([HEADER, *ROWS, ["历下", "移动", 330000, 1, 1, 1]], "duplicate_key", 6, "中国移动"),
    (_with(0, 4, -5), "out_of_range", 2, "-5"),
    (_with(0, 4, 1.5), "not_integer", 2, "1.5"),
    (_with(3, 4, 78000), "exceeds_total", 5, "130 %"),
    (_with(3, 3, 140000), "exceeds_total", 5, "光纤通达户数"),
    (_with(1, 2, 331000), "inconsistent_households", 3, "line 2"),
    (_with(0, 5, 160000), "exceeds_total", 2, "全网"),
    (_with(3, 1, "中国铁通"), "unknown_operator", 5, "中国铁通"),
    (_with(0, 4, ""), "missing_value", 2, "光纤入户户数"),
    ([HEADER], "empty_file", None, "no data row"),
])
def test_bad_input_is_refused_with_file_line_and_rule(spec, rows, rule, line, where):
    err = error(spec, rows)
    assert err.rule == rule, err.describe()
    assert err.line == line, err.describe()
    assert where in err.describe()


def test_encoding_empty_truncated_and_future(spec):
    assert error(spec, raw="\n".join(",".join(map(str, r)) for r in [HEADER, *ROWS]).encode("utf-16")).rule == \
        "encoding"
    assert error(spec, raw="区县,运营商\n历下区,中国移动\n".encode("big5", "replace")[:-3] + b"\xff\xfe\x00").rule == \
        "encoding"
    assert error(spec, raw=b"").rule == "empty_file"
    workbook = synth.xlsx_bytes([HEADER, *ROWS])
    err = error(spec, raw=workbook[: len(workbook) // 2], name="jinan_operator_broadband_district_2021.xlsx")
    assert err.rule == "unreadable_xlsx"
    err = error(spec, [HEADER, *ROWS], today=dt.date(2021, 6, 30))
    assert err.rule == "future_period" and err.line == 2


@pytest.fixture(scope="module")
def samples():
    return generated_samples(FEED)


def test_the_generated_sample_parses_is_flagged_synthetic_and_deterministic(spec, samples):
    import time

    time.sleep(1.1)  # the workbooks must not carry the time they were written
    assert len(samples) == len(synth.YEARS) and generated_samples(FEED) == samples
    assert sum(len(b) for b in samples.values()) < 300_000
    for name, raw in samples.items():
        parsed = adapter.parse_bytes(raw, spec, name)
        t = parsed.table
        assert set(t.column("is_synthetic").to_pylist()) == {True}
        assert set(t.column("area_code").to_pylist()) == set(synth.DISTRICTS)
        assert t.num_rows == 4 * len(synth.DISTRICTS)
        if parsed.report_date.year == 2020:
            union = [i for i, op in enumerate(t.column("operator").to_pylist()) if op == "全网"]
            ftth = sum(t.column("ftth_households").to_pylist()[i] for i in union)
            households = sum(t.column("households").to_pylist()[i] for i in union)
            assert 100 * ftth / households == pytest.approx(38.0, abs=0.01)  # synth START, under the plan's <40


def test_the_older_form_without_the_gigabit_column_is_accepted(spec):
    parsed = parse(spec, [HEADER[:-1], *[r[:-1] for r in ROWS]], name="jinan_operator_broadband_district_2019.csv")
    assert parsed.table.column("gigabit_capable_households").to_pylist() == [None] * 4
    parsed = parse(spec, [HEADER, *[[*r[:-1], "-"] for r in ROWS]])
    assert parsed.table.column("gigabit_capable_households").null_count == 4
