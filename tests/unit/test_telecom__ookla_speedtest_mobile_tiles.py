"""The mobile Ookla tiles share the fixed feed's adapter (tests/unit/test_telecom__ookla_speedtest_fixed_tiles.py
runs the bad-input cases and checks this feed's sample); here: the mobile contract itself."""

from __future__ import annotations

import pytest

from urbanmon.feeds import ookla
from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import get_spec

QK = ookla.lonlat_to_quadkey(117.0190, 36.6610)
RAW = (",".join(ookla.OLD) + f'\n{QK},"{ookla.tile_wkt(QK)}",80000,20000,30,12,9\n').encode()


def test_a_mobile_file_parses_as_mobile_and_a_fixed_one_is_not_this_feed():
    spec = get_spec("telecom__ookla_speedtest_mobile_tiles")
    t = ookla.parse_bytes(RAW, spec, "2022-10-01_performance_mobile_tiles_jinan.csv").table
    assert t.column("test_type").to_pylist() == ["mobile"] and t.column("area_code").to_pylist() == ["370102"]
    with pytest.raises(FeedError) as err:
        ookla.parse_bytes(RAW, spec, "2022-10-01_performance_fixed_tiles_jinan.csv")
    assert err.value.rule == "bad_file_name"
    with pytest.raises(FeedError) as err:
        ookla.parse_bytes(b"", spec, "2022-10-01_performance_mobile_tiles_jinan.csv")
    assert err.value.rule == "empty_file"
