"""urbanmon.geo: the WGS-84 -> GCJ-02 shift and point-in-polygon (ray casting over MultiPolygon rings, holes)."""

from __future__ import annotations

import numpy as np
import pytest

from urbanmon import geo

SQUARE = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
HOLE = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]
FAR = [[20, 20], [22, 20], [22, 22], [20, 22], [20, 20]]


@pytest.fixture
def region():
    geometry = {"type": "MultiPolygon", "coordinates": [[SQUARE, HOLE], [FAR]]}
    return geo.Region.from_geojson("X", "x", geometry)


def test_points_inside_outside_and_in_a_hole(region):
    lon = [1, 9.5, 5, 4.5, 11, -1, 21, 15, 5]
    lat = [1, 9.5, 5, 5.5, 5, 5, 21, 15, 10.5]
    assert region.contains(lon, lat).tolist() == [True, True, False, False, False, False, True, False, False]
    assert geo.point_in_region(region, 3, 7) and not geo.point_in_region(region, 5.5, 4.5)


def test_a_ring_need_not_be_closed_and_polygons_work_too():
    open_ring = geo.Region.from_geojson("Y", "y", {"type": "Polygon", "coordinates": [SQUARE[:-1]]})
    assert open_ring.contains([5, 12], [5, 5]).tolist() == [True, False]
    with pytest.raises(ValueError):
        geo.Region.from_geojson("Z", "z", {"type": "Point", "coordinates": [0, 0]})


def test_published_wgs84_to_gcj02_values():
    # the published test vectors of the standard transform (Beijing)
    assert geo.wgs84_to_gcj02(116.404, 39.915) == pytest.approx((116.41024449916938, 39.91640428150164), abs=1e-9)
    assert geo.wgs84_to_gcj02(116.377817, 39.911954) == pytest.approx((116.38404722455657, 39.91334545536069),
                                                                      abs=1e-9)
    assert geo.wgs84_to_gcj02(-0.1276, 51.5072) == (-0.1276, 51.5072)  # outside China: unchanged


def test_a_point_in_jinan_shifts_by_a_few_hundred_metres_and_back():
    lon, lat = 117.0, 36.65  # 泉城广场, WGS-84
    glon, glat = geo.wgs84_to_gcj02(lon, lat)
    assert glon > lon and glat > lat  # east and north
    assert 450 < geo.distance_m(lon, lat, glon, glat) < 600
    assert geo.gcj02_to_wgs84(glon, glat) == pytest.approx((lon, lat), abs=1e-9)
    arr = geo.gcj02_to_wgs84(np.array([glon, 117.5]), np.array([glat, 36.7]))
    assert arr[0][0] == pytest.approx(lon, abs=1e-9)


def test_the_twelve_districts_and_their_seats():
    districts = {d.code: d for d in geo.districts()}
    assert len(districts) == 12 and "370102" in districts and "370126" in districts
    # each district's own seat (DataV `center`, GCJ-02) lies in it and in no other
    import json

    data = json.loads(geo.BOUNDARIES.read_text(encoding="utf-8"))
    for feature in data["features"]:
        lon, lat = feature["properties"]["center"]
        assert geo.assign_gcj02([lon], [lat]).tolist() == [str(feature["properties"]["adcode"])]
    # far from Jinan: no district
    assert geo.assign_wgs84([116.40, 121.47], [39.90, 31.23]).tolist() == [None, None]


def test_the_shift_decides_near_a_border():
    """A WGS-84 point whose unshifted position lies in one district but whose GCJ-02 position (the boundaries'
    datum) lies in the neighbouring one: assign_wgs84 must use the shifted position."""
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(116.9, 117.2, 20000), rng.uniform(36.55, 36.75, 20000)
    raw = geo.assign_gcj02(lon, lat)
    shifted = geo.assign_wgs84(lon, lat)
    differ = np.flatnonzero(raw != shifted)
    assert len(differ) > 0  # border cells move
    glon, glat = geo.wgs84_to_gcj02(lon[differ[0]], lat[differ[0]])
    assert geo.assign_gcj02([glon], [glat])[0] == shifted[differ[0]]
