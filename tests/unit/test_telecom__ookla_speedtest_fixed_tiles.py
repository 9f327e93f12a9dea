"""The Ookla speed-test tile adapter (feeds telecom__ookla_speedtest_fixed_tiles / _mobile_tiles): older and newer
layouts, quadkeys and tiles, every bad-input case, district by tile centre, the sample."""

from __future__ import annotations

import datetime as dt

import pytest

from urbanmon.cli import generated_samples
from urbanmon.feeds import ookla
from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import get_spec

FEED = "telecom__ookla_speedtest_fixed_tiles"
NAME = "2021-10-01_performance_fixed_tiles_jinan.csv"
QK_LIXIA = ookla.lonlat_to_quadkey(117.0190, 36.6610)  # 泉城广场, WGS-84
QK_PINGYIN = ookla.lonlat_to_quadkey(116.4450, 36.2890)
QK_OUTSIDE = ookla.lonlat_to_quadkey(117.10, 36.10)  # 泰安


def old_row(qk, d=120000, u=40000, lat=12, tests=30, devices=20):
    return f'{qk},"{ookla.tile_wkt(qk)}",{d},{u},{lat},{tests},{devices}'


def new_row(qk, d=120000, u=40000, lat=12, tests=30, devices=20):
    x, y = ookla.tile_centre(qk)
    return f'{qk},"{ookla.tile_wkt(qk)}",{x:.7f},{y:.7f},{d},{u},{lat},18,25,{tests},{devices}'


OLD_HEADER = ",".join(ookla.OLD)


def body(rows, header=OLD_HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


@pytest.fixture(scope="module")
def spec():
    return get_spec(FEED)


def error(spec, raw, name=NAME, **kw) -> FeedError:
    with pytest.raises(FeedError) as err:
        ookla.parse_bytes(raw, spec, name, **kw)
    assert err.value.file == name
    return err.value


def test_quadkeys_tiles_and_centres():
    assert ookla.quadkey_to_tile("213") == (3, 5, 3)  # the Bing Maps tile system example: tile (3, 5), level 3
    qk = ookla.lonlat_to_quadkey(117.0190, 36.6610)
    west, south, east, north = ookla.tile_bounds(qk)
    assert west <= 117.0190 < east and south <= 36.6610 < north and len(qk) == 16
    assert 450 < (east - west) * 111320 * 0.8026 < 550  # a zoom-16 tile is ~490 m wide here


def test_both_layouts_parse_with_districts_by_tile_centre(spec):
    old = ookla.parse_bytes(body([old_row(QK_LIXIA), old_row(QK_PINGYIN), old_row(QK_OUTSIDE)]), spec, NAME)
    t = old.table
    assert t.column("area_code").to_pylist() == ["370102", "370124", None]
    assert t.column("avg_lat_down_ms").to_pylist() == [None] * 3 and t.column("test_type").to_pylist()[0] == "fixed"
    assert t.column("tile_x").to_pylist()[0] == pytest.approx(ookla.tile_centre(QK_LIXIA)[0])
    assert old.report_date == dt.date(2021, 10, 1) and t.column("source_line").to_pylist() == [2, 3, 4]
    new = ookla.parse_bytes(body([new_row(QK_LIXIA)], ",".join(ookla.NEW)), spec, NAME).table
    assert new.column("avg_lat_down_ms").to_pylist() == [18.0] and new.column("area_code").to_pylist() == ["370102"]
    reordered = ",".join(reversed(ookla.OLD))
    row = ",".join(reversed(next(iter(__import__("csv").reader([old_row(QK_LIXIA)])))))
    row = row.replace("POLYGON", '"POLYGON').replace("))", '))"')
    assert ookla.parse_bytes(body([row], reordered), spec, NAME).table.column("tests").to_pylist() == [30]


@pytest.mark.parametrize(("raw", "rule", "line", "where"), [
    (body([old_row(QK_LIXIA)], ",".join(ookla.OLD).replace("tests", "test_count")), "unknown_column", 1, "test_count"),
    (body([old_row(QK_LIXIA).rsplit(",", 1)[0]], ",".join(ookla.OLD[:-1])), "missing_column", 1, "devices"),
    (body([old_row(QK_LIXIA)], ",".join(ookla.OLD).replace("avg_d_kbps", "avg_d_mbps")), "unit_mismatch", 1,
     "avg_d_mbps"),
    (body([old_row(QK_LIXIA), old_row(QK_LIXIA)]), "duplicate_key", 3, "first on line 2"),
    (body([old_row(QK_LIXIA)[:-3]]), "malformed_row", 2, "fields"),
    (body([old_row(QK_LIXIA).replace(QK_LIXIA, QK_LIXIA[:-1] + "4", 1)]), "bad_quadkey", 2, "quadkey"),
    (body([old_row(QK_LIXIA).replace(QK_LIXIA, QK_PINGYIN, 1)]), "tile_mismatch", 2, "polygon"),
    (body([new_row(QK_LIXIA).replace(f"{ookla.tile_centre(QK_LIXIA)[0]:.7f}", "117.5")], ",".join(ookla.NEW)),
     "tile_mismatch", 2, "centre"),
    (body([old_row(QK_LIXIA, d=-5)]), "out_of_range", 2, "negative"),
    (body([old_row(QK_LIXIA, tests=0, devices=0)]), "out_of_range", 2, "0 tests"),
    (body([old_row(QK_LIXIA, tests=3, devices=5)]), "out_of_range", 2, "5 devices for 3 tests"),
    (body([old_row(QK_LIXIA, tests="2.5")]), "not_integer", 2, "2.5"),
    (body([old_row(QK_LIXIA, d="fast")]), "not_numeric", 2, "fast"),
    (body([]), "empty_file", 1, "no data row"),
    (b"", "empty_file", None, "empty"),
    (body([old_row(QK_LIXIA)]).replace(b"POLYGON", b"POLYGON\xb2", 1), "encoding", 2, "not UTF-8"),
    ("\n".join([",".join(ookla.OLD), old_row(QK_LIXIA)]).encode("utf-16"), "encoding", None, "UTF-16"),
])
def test_bad_input_is_refused_with_file_line_and_rule(spec, raw, rule, line, where):
    err = error(spec, raw)
    assert err.rule == rule, err.describe()
    assert err.line == line, err.describe()
    assert where in err.describe()


def test_future_quarter_and_bad_periods(spec):
    raw = body([old_row(QK_LIXIA)])
    assert error(spec, raw, today=dt.date(2021, 9, 30)).rule == "future_period"
    assert error(spec, raw, name="2021-11-01_performance_fixed_tiles_jinan.csv").rule == "bad_period"
    assert error(spec, raw, name="2021-10-01_performance_mobile_tiles_jinan.csv").rule == "bad_file_name"


@pytest.mark.parametrize("feed", [FEED, "telecom__ookla_speedtest_mobile_tiles"])
def test_the_generated_sample_parses_is_flagged_synthetic_and_deterministic(feed):
    spec = get_spec(feed)
    samples = generated_samples(feed)
    assert len(samples) == 7 and generated_samples(feed) == samples
    assert sum(len(b) for b in samples.values()) < 300_000
    kind = feed.split("_")[-2]
    for name, raw in samples.items():
        t = ookla.parse_bytes(raw, spec, name).table
        assert set(t.column("is_synthetic").to_pylist()) == {True}
        assert set(t.column("test_type").to_pylist()) == {kind}
        codes = t.column("area_code").to_pylist()
        assert len({c for c in codes if c}) == 12 and None in codes
        assert (t.column("avg_lat_down_ms").null_count == t.num_rows) == (name < "synthetic_2023")
