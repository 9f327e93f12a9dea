"""The air-quality adapter: real files parse to the right values; every kind of bad input fails clearly."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from tests.conftest import real_city_file, real_station_file
from urbanmon.feeds import cnemc_air
from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import get_spec

CITY = get_spec("air_quality__cnemc_city_hourly")
STATION = get_spec("air_quality__cnemc_station_hourly")
DAY = dt.date(2020, 1, 2)
NAME = "china_cities_20200102.csv"


def parse(data: bytes, name: str = NAME, spec=CITY):
    return cnemc_air.parse_bytes(data, spec, name, DAY)


def test_real_city_file_values_match_the_csv_text():
    data = real_city_file("20200102")
    parsed = parse(data)
    rows = list(csv.reader(io.StringIO(data.decode())))
    header = rows[0]
    jinan = header.index("济南")
    # an independent read of the text: hour 5, PM2.5 for Jinan
    text_row = next(r for r in rows[1:] if r[1] == "5" and r[2] == "PM2.5")
    df = parsed.table.to_pandas()
    got = df[(df.location == "济南") & (df.report_hour == 5)]
    assert len(got) == 1
    assert got.pm2_5.iloc[0] == float(text_row[jinan])
    assert parsed.report_date == DAY
    assert parsed.locations == len(header) - 3
    # every non-empty number of the text is in the table, nothing invented
    non_empty = sum(1 for r in rows[1:] for cell in r[3:] if cell.strip() != "")
    assert parsed.values == non_empty


def test_real_station_file_parses():
    parsed = cnemc_air.parse_bytes(real_station_file("20190101"), STATION, "china_sites_20190101.csv",
                                   dt.date(2019, 1, 1))
    assert parsed.hours == 24
    assert "1299A" in set(parsed.table.column("location").to_pylist())


def _good() -> bytes:
    return real_city_file("20200102")


def _replace_line(data: bytes, line_no: int, new: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[line_no - 1] = new
    return b"\n".join(lines)


BAD_CASES = {
    "empty": (lambda d: b"", "empty_file", None),
    "whitespace only": (lambda d: b"\n\n", "empty_file", None),
    "header only": (lambda d: d.split(b"\n")[0] + b"\n", "no_rows", None),
    "not utf-8 (GB18030 header)": (
        lambda d: d.decode().encode("gb18030"), "encoding", 1),
    "not utf-8 byte in a value": (lambda d: _replace_line(d, 5, d.split(b"\n")[4].replace(b",", b",\xff", 1)),
                                  "encoding", 5),
    "missing column type": (lambda d: d.replace(b"date,hour,type,", b"date,hour,", 1), "missing_column", 1),
    "unknown column": (lambda d: d.replace("济南".encode(), b"JINAN", 1), "unknown_column", 1),
    "duplicate column": (lambda d: d.replace("青岛".encode(), "济南".encode(), 1), "duplicate_column", 1),
    "truncated last line": (lambda d: d.rstrip(b"\n")[: len(d.rstrip(b"\n")) - 200], "truncated_line", None),
    "non-numeric value": (lambda d: _replace_line(d, 3, d.split(b"\n")[2].replace(b",", b",abc", 4).replace(
        b",abc", b",", 3)), "not_numeric", 3),
    "duplicate hour": (lambda d: _replace_line(d, 3, d.split(b"\n")[1]), "duplicate_hour", 3),
    "unknown type": (lambda d: _replace_line(d, 2, d.split(b"\n")[1].replace(b",AQI,", b",AQX,", 1)),
                     "unknown_type", 2),
    "hour out of range": (lambda d: _replace_line(d, 2, d.split(b"\n")[1].replace(b",0,AQI,", b",24,AQI,", 1)),
                          "hour_out_of_range", 2),
    "date differs from file name": (lambda d: d.replace(b"20200102,", b"20200103,", 1), "date_mismatch", 2),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_names_file_rule_and_line(case):
    mutate, rule, line = BAD_CASES[case]
    with pytest.raises(FeedError) as info:
        parse(mutate(_good()))
    err = info.value
    assert err.rule == rule, err.describe()
    assert err.file == NAME
    assert NAME in str(err) and rule in str(err)
    if line is not None:
        assert err.line == line, err.describe()


def test_bad_file_name_is_rejected(tmp_path):
    path = tmp_path / "china_cities_2020013.csv"
    path.write_bytes(_good())
    with pytest.raises(FeedError, match="file_name"):
        cnemc_air.parse(path, CITY)


def test_non_numeric_error_names_the_column():
    data = _good()
    header = data.split(b"\n")[0].decode().split(",")
    line = data.split(b"\n")[3].decode().split(",")
    line[header.index("济南")] = "n/a"
    with pytest.raises(FeedError) as info:
        parse(_replace_line(data, 4, ",".join(line).encode()))
    assert info.value.column == "济南" and info.value.line == 4


def test_the_synthetic_air_sample_is_after_2020_parses_and_is_deterministic():
    from urbanmon.cli import generated_samples

    spec = get_spec("air_quality__cnemc_city_hourly")
    files = generated_samples(spec.feed_id)
    assert files == generated_samples(spec.feed_id)
    days = sorted(dt.datetime.strptime(n[-12:-4], "%Y%m%d").date() for n in files)
    assert days[0].year == 2021 and days[-1].year == 2025 and len(days) >= 5 * 52
    for name in sorted(files)[:3]:
        assert spec.matches(name).group("synthetic") == "synthetic_"
        day = dt.datetime.strptime(name[-12:-4], "%Y%m%d").date()
        parsed = cnemc_air.parse_bytes(files[name], spec, name, day)
        assert parsed.rows == 48 and parsed.values == 48 * 15  # 24 hours × 2 cities, no missing value
