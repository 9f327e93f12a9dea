"""The 5G coverage grid (feed telecom__coverage_grid, tabular adapter): every bad-input case, the sample."""

from __future__ import annotations

import datetime as dt

import pytest

from urbanmon import synth
from urbanmon.cli import generated_samples
from urbanmon.feeds import tabular
from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import get_spec

FEED = "telecom__coverage_grid"
NAME = "jinan_5g_coverage_grid_2021.csv"
HEADER = ["网格编号", "区县", "常住人口（人）", "测量样本数（个）", "5G覆盖比例"]
ROWS = [["JN3K-1010", "历下区", 52000, 3100, 0.98], ["JN3K-1011", "历下区", 48000, 2800, 0.95],
        ["JN3K-0203", "平阴县", 900, 120, 0.4]]


@pytest.fixture(scope="module")
def spec():
    return get_spec(FEED)


def error(spec, rows=None, name=NAME, raw: bytes | None = None, **kw) -> FeedError:
    with pytest.raises(FeedError) as err:
        tabular.parse_bytes(raw if raw is not None else synth.csv_bytes(rows), spec, name, **kw)
    assert err.value.file == name
    return err.value


def test_a_grid_table_parses(spec):
    rows = [["济南市5G网络覆盖栅格测评结果（2021年）"], HEADER, *ROWS, [], ["注：栅格约3公里。"]]
    parsed = tabular.parse_bytes(synth.csv_bytes(rows, "gb18030"), spec, NAME)
    t = parsed.table
    assert t.column("area_code").to_pylist() == ["370102", "370102", "370124"]
    assert t.column("covered_share").to_pylist() == [0.98, 0.95, 0.4]
    assert t.column("source_line").to_pylist() == [3, 4, 5]
    assert parsed.report_date == dt.date(2021, 1, 1)


def _with(row: int, col: int, value) -> list[list]:
    rows = [list(r) for r in ROWS]
    rows[row][col] = value
    return [HEADER, *rows]


@pytest.mark.parametrize(("rows", "rule", "line", "where"), [
    ([["栅格", *HEADER[1:]], *ROWS], "missing_column", 1, "网格编号"),
    ([HEADER[:4], *[r[:4] for r in ROWS]], "missing_column", 1, "5G覆盖比例"),
    ([[*HEADER[:2], "常住人口（万人）", *HEADER[3:]], *ROWS], "unit_mismatch", 1, "万人"),
    ([[*HEADER[:4], "5G覆盖比例（%）"], *ROWS], "unit_mismatch", 1, "%"),
    ([HEADER + ["运营商"], *[[*r, "移动"] for r in ROWS]], "unknown_column", 1, "运营商"),
    (_with(2, 1, "火星区"), "unknown_area", 4, "火星区"),
    ([HEADER, *ROWS, ROWS[1]], "duplicate_key", 5, "first on line 3"),
    (_with(0, 4, 1.3), "out_of_range", 2, "1.3"),
    (_with(0, 2, -10), "out_of_range", 2, "-10"),
    (_with(1, 2, 480.5), "not_integer", 3, "480.5"),
    (_with(1, 4, "高"), "not_numeric", 3, "高"),
    ([HEADER], "empty_file", None, "no data row"),
])
def test_bad_input_is_refused_with_file_line_and_rule(spec, rows, rule, line, where):
    err = error(spec, rows)
    assert err.rule == rule, err.describe()
    assert err.line == line, err.describe()
    assert where in err.describe()


def test_encoding_empty_truncated_and_future(spec):
    text = "\n".join(",".join(map(str, r)) for r in [HEADER, *ROWS])
    assert error(spec, raw=text.encode("utf-16")).rule == "encoding"
    assert error(spec, raw=text.encode("gb18030").replace(b"JN3K-1011", b"JN3K-\xff\xff")).rule == "encoding"
    assert error(spec, raw=b"").rule == "empty_file"
    workbook = synth.xlsx_bytes([HEADER, *ROWS])
    assert error(spec, raw=workbook[:-400], name="jinan_5g_coverage_grid_2021.xlsx").rule == "unreadable_xlsx"
    err = error(spec, [HEADER, *ROWS], name="jinan_5g_coverage_grid_2031.csv")
    assert err.rule == "future_period" and err.line == 2


@pytest.fixture(scope="module")
def samples():
    return generated_samples(FEED)


def test_the_generated_sample_parses_is_flagged_synthetic_and_deterministic(spec, samples):
    assert len(samples) == len(synth.YEARS) and generated_samples(FEED) == samples
    assert sum(len(b) for b in samples.values()) < 300_000
    for name, raw in samples.items():
        parsed = tabular.parse_bytes(raw, spec, name)
        t = parsed.table
        assert set(t.column("is_synthetic").to_pylist()) == {True}
        assert set(t.column("area_code").to_pylist()) == set(synth.DISTRICTS)
        assert 1000 < t.num_rows < 3000
        pop, share = t.column("resident_population").to_pylist(), t.column("covered_share").to_pylist()
        city = 100 * sum(p * s for p, s in zip(pop, share, strict=True)) / sum(pop)
        assert city == pytest.approx(synth.city_series("five_g_coverage_pct")[parsed.report_date.year], abs=0.01)
        if parsed.report_date.year == 2020:
            assert round(city, 1) == 85.2  # the plan's baseline
