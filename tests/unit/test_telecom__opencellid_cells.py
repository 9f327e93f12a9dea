"""The OpenCelliD adapter (feed telecom__opencellid_cells): layout and value checks, district assignment, sample."""

from __future__ import annotations

import datetime as dt

import pytest

from urbanmon.cli import generated_samples
from urbanmon.feeds import opencellid
from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import get_spec

FEED = "telecom__opencellid_cells"
NAME = "opencellid_460_jinan_20211231.csv"
HEADER = "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal"
# 泉城广场 (历下区), WGS-84; a second sector of the same gNB; an LTE cell in 槐荫区; an NR cell in 泰安 (outside)
ROWS = [
    "NR,460,0,5832960,9663676417,12,117.01900,36.66100,500,8,1,1620000000,1630000000,0",
    "NR,460,0,5832960,9663676418,13,117.01950,36.66120,500,3,1,1620000000,1630000000,-95",
    "LTE,460,1,20500,16779265,417,116.90000,36.66000,1000,20,1,1500000000,1600000000,",
    "NR,460,11,5898251,10843308033,58,117.10000,36.10000,400,9,1,1601836106,1604996695,0",
]


@pytest.fixture(scope="module")
def spec():
    return get_spec(FEED)


def body(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def error(spec, raw: bytes, name: str = NAME, today: dt.date | None = None) -> FeedError:
    with pytest.raises(FeedError) as err:
        opencellid.parse_bytes(raw, spec, name, today=today)
    assert err.value.file == name
    return err.value


def test_a_snapshot_parses_with_districts_assigned(spec):
    parsed = opencellid.parse_bytes(body(*ROWS), spec, NAME)
    t = parsed.table
    assert t.schema == opencellid.raw_schema(spec)
    assert t.column("area_code").to_pylist() == ["370102", "370102", "370104", None]  # outside: kept, NULL
    assert t.column("source_line").to_pylist() == [2, 3, 4, 5]
    assert t.column("cell").to_pylist()[0] == 9663676417 and (9663676417 >> 12) == 2359296
    assert t.column("average_signal").to_pylist() == [0, -95, None, 0]
    assert t.column("is_synthetic").to_pylist() == [False] * 4
    assert parsed.report_date == dt.date(2021, 1, 1) and parsed.snapshot_date == dt.date(2021, 12, 31)
    assert t.column("snapshot_date").to_pylist()[0] == dt.date(2021, 12, 31)


def _replace(row: int, column: str, value: str) -> list[str]:
    rows = list(ROWS)
    cells = rows[row].split(",")
    cells[HEADER.split(",").index(column)] = value
    rows[row] = ",".join(cells)
    return rows


@pytest.mark.parametrize(("raw", "rule", "line", "where"), [
    (body(*ROWS, header=HEADER.replace("lon", "lng")), "missing_column", 1, "lon"),
    (body(*[r.rsplit(",", 1)[0] for r in ROWS], header=HEADER.rsplit(",", 1)[0]), "missing_column", 1,
     "averageSignal"),
    (body(*[r + ",x" for r in ROWS], header=HEADER + ",operator"), "unknown_column", 1, "operator"),
    (body(*ROWS, header=HEADER.replace("lon,lat", "lat,lon")), "column_order", 1, "lat"),
    (body(*ROWS, header=HEADER.replace("range", "range(km)")), "unit_mismatch", 1, "range(km)"),
    (body(*_replace(1, "radio", "5G")), "unknown_radio", 3, "5G"),
    (body(*_replace(2, "mcc", "310")), "wrong_mcc", 4, "mcc"),
    (body(*_replace(0, "lon", "181.2")), "out_of_range", 2, "lon"),
    (body(*_replace(0, "lat", "-91")), "out_of_range", 2, "lat"),
    (body(*_replace(0, "cell", "9663676417.5")), "not_integer", 2, "cell"),
    (body(*_replace(0, "cell", "abc")), "not_numeric", 2, "abc"),
    (body(*_replace(1, "cell", str(1 << 36))), "out_of_range", 3, "36 bits"),
    (body(*_replace(2, "cell", str(1 << 28))), "out_of_range", 4, "28 bits"),
    (body(*_replace(0, "samples", "-3")), "out_of_range", 2, "samples"),
    (body(*_replace(0, "lon", "")), "missing_value", 2, "lon"),
    (body(*ROWS, ROWS[1]), "duplicate_key", 6, "first on line 3"),
    (body(*_replace(0, "updated", "1610000000")), "bad_timestamp", 2, "updated before created"),
    (body(*_replace(0, "updated", "1700000000")), "bad_timestamp", 2, "after the snapshot"),
    (body(*ROWS, "NR,460,0,5832960"), "malformed_row", 6, "4 fields"),
    (body(), "empty_file", 1, "no data row"),
    (b"", "empty_file", None, "empty"),
    (body(*ROWS).replace(b"NR,460,0", "NR,460,０".encode("gb18030"), 1), "encoding", 2, "not UTF-8"),
    ("\n".join([HEADER, *ROWS]).encode("utf-16"), "encoding", None, "UTF-16"),
])
def test_bad_input_is_refused_with_file_line_and_rule(spec, raw, rule, line, where):
    err = error(spec, raw)
    assert err.rule == rule, err.describe()
    assert err.line == line, err.describe()
    assert where in err.describe()


def test_a_snapshot_dated_in_the_future_is_refused(spec):
    err = error(spec, body(*ROWS), today=dt.date(2021, 6, 30))
    assert err.rule == "future_period" and "2021-12-31" in err.describe()


def test_a_name_off_the_pattern_is_refused(spec):
    assert error(spec, body(*ROWS), name="cell_towers.csv").rule == "bad_file_name"
    assert error(spec, body(*ROWS), name="opencellid_460_jinan_20211331.csv").rule == "bad_period"


@pytest.fixture(scope="module")
def samples():
    return generated_samples(FEED)


def test_the_generated_sample_parses_is_flagged_synthetic_and_deterministic(spec, samples):
    assert sorted(samples) == [f"synthetic_opencellid_460_jinan_{y}1231.csv" for y in range(2019, 2026)]
    assert generated_samples(FEED) == samples
    import duckdb

    gnbs = {}
    for name, raw in samples.items():
        parsed = opencellid.parse_bytes(raw, spec, name)
        t = parsed.table
        assert set(t.column("is_synthetic").to_pylist()) == {True}
        con = duckdb.connect()
        con.register("cells", t)
        gnbs[parsed.report_date.year], outside = con.execute(
            "select count(distinct (mcc, net, cell >> 12)) filter (where radio = 'NR' and area_code is not null), "
            "count(*) filter (where area_code is null) from cells").fetchone()
        assert outside == (0 if parsed.report_date.year == 2019 else 40)
    assert gnbs[2020] == 17000  # the plan's baseline, 1.7 万个
    assert all(gnbs[y] < gnbs[y + 1] for y in range(2019, 2025))
