"""Points to districts: the WGS-84 → GCJ-02 shift and point-in-polygon on the district boundaries (no shapely).

The district boundaries (``registry/boundaries/jinan_370100_districts.geojson``, DataV/Aliyun area format, see
``registry/boundaries/PROVENANCE.md``) are in GCJ-02, the shifted datum that Chinese web maps use; cell positions
from OpenCelliD and speed-test tiles are WGS-84 (GPS). The two differ by a few hundred metres around Jinan (about
500 m east and 200 m north), enough to put a cell near a district border into the wrong district. So every WGS-84
point is shifted to GCJ-02 with the published transform (:func:`wgs84_to_gcj02`) before it is tested.

Point-in-polygon is ray casting with the even-odd rule over every ring of a polygon (the exterior and its holes: a
point in a hole crosses the hole's ring once more and so falls out); a MultiPolygon contains a point when one of its
polygons does. It is vectorised over points with numpy (a bounding-box filter first, then edges × points in chunks),
so a few hundred thousand cells take about a second. A point exactly on an edge may fall either side, as with any
ray-casting test: a district border is a line on a map, not a surveyed boundary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from urbanmon.settings import REPO_ROOT

BOUNDARIES = REPO_ROOT / "registry" / "boundaries" / "jinan_370100_districts.geojson"

# Krasovsky 1940 ellipsoid, as the GCJ-02 transform uses it
_A = 6378245.0
_EE = 0.00669342162296594323


def _shift(lon, lat):
    """The GCJ-02 offset (degrees) at a WGS-84 position: the published polynomial-and-sine transform."""
    x, y = lon - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def in_china(lon, lat):
    """The rough rectangle inside which GCJ-02 applies; outside it the transform leaves points unchanged."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def wgs84_to_gcj02(lon, lat):
    """WGS-84 → GCJ-02 (scalars or arrays, degrees). Points outside China are returned unchanged."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _shift(lon, lat)
    inside = in_china(lon, lat)
    out_lon, out_lat = np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)
    if out_lon.ndim == 0:
        return float(out_lon), float(out_lat)
    return out_lon, out_lat


def gcj02_to_wgs84(lon, lat, iterations: int = 8):
    """GCJ-02 → WGS-84 by fixed-point iteration of the forward transform (the shift varies slowly, so each step
    gains about four orders of magnitude: after a few steps the round trip is exact to 1e-9 degrees)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    wlon, wlat = lon.copy(), lat.copy()
    for _ in range(iterations):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        wlon, wlat = wlon - (glon - lon), wlat - (glat - lat)
    if np.ndim(wlon) == 0:
        return float(wlon), float(wlat)
    return wlon, wlat


def distance_m(lon1, lat1, lon2, lat2):
    """Great-circle distance in metres (haversine, mean earth radius)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371008.8 * np.arcsin(np.sqrt(h))


# ─────────────────────────────────────────── point in polygon ───────────────────────────────────────────


@dataclass(frozen=True)
class Region:
    """A MultiPolygon: ``polygons`` is a list of polygons, each a list of rings (exterior first, then holes),
    each ring an (n, 2) array of lon/lat."""

    code: str
    name: str
    polygons: tuple[tuple[np.ndarray, ...], ...]
    bbox: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat

    @classmethod
    def from_geojson(cls, code: str, name: str, geometry: dict) -> Region:
        if geometry["type"] == "Polygon":
            coords = [geometry["coordinates"]]
        elif geometry["type"] == "MultiPolygon":
            coords = geometry["coordinates"]
        else:
            raise ValueError(f"{code}: geometry {geometry['type']!r} is not a (Multi)Polygon")
        polygons = tuple(tuple(_closed(np.asarray(ring, dtype=float)[:, :2]) for ring in poly) for poly in coords)
        points = np.vstack([ring for poly in polygons for ring in poly])
        bbox = (*points.min(axis=0), *points.max(axis=0))
        return cls(code, name, polygons, tuple(float(v) for v in bbox))

    def contains(self, lon, lat) -> np.ndarray:
        """Which of the points (arrays, same datum as the boundary) lie inside (boolean array)."""
        lon, lat = np.atleast_1d(np.asarray(lon, dtype=float)), np.atleast_1d(np.asarray(lat, dtype=float))
        out = np.zeros(lon.shape, dtype=bool)
        x0, y0, x1, y1 = self.bbox
        candidates = np.flatnonzero((lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1))
        if not len(candidates):
            return out
        px, py = lon[candidates], lat[candidates]
        inside = np.zeros(len(candidates), dtype=bool)
        for polygon in self.polygons:
            inside |= _even_odd(polygon, px, py)
        out[candidates] = inside
        return out


def _closed(ring: np.ndarray) -> np.ndarray:
    return ring if len(ring) and np.array_equal(ring[0], ring[-1]) else np.vstack([ring, ring[:1]])


def _even_odd(rings, px: np.ndarray, py: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """Ray casting towards +x over all rings of one polygon: odd crossings = inside (holes toggle back out)."""
    edges = np.vstack([np.hstack([ring[:-1], ring[1:]]) for ring in rings])  # x1, y1, x2, y2
    x1, y1, x2, y2 = (edges[:, i][None, :] for i in range(4))
    dy = np.where(y2 == y1, np.inf, y2 - y1)  # a horizontal edge never straddles the ray
    out = np.empty(len(px), dtype=bool)
    for start in range(0, len(px), chunk):
        x = px[start:start + chunk, None]
        y = py[start:start + chunk, None]
        straddles = (y1 > y) != (y2 > y)
        x_cross = x1 + (y - y1) * (x2 - x1) / dy
        out[start:start + chunk] = (np.count_nonzero(straddles & (x < x_cross), axis=1) % 2) == 1
    return out


def point_in_region(region: Region, lon: float, lat: float) -> bool:
    return bool(region.contains([lon], [lat])[0])


@cache
def districts(path: Path = BOUNDARIES) -> tuple[Region, ...]:
    """The 12 county-level districts of Jinan (GCJ-02), as in the DataV file: adcode → area code."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return tuple(Region.from_geojson(str(f["properties"]["adcode"]), f["properties"]["name"], f["geometry"])
                 for f in data["features"])


def assign_gcj02(lon, lat, regions: tuple[Region, ...] | None = None) -> np.ndarray:
    """The code of the region containing each GCJ-02 point, or None (an object array)."""
    regions = districts() if regions is None else regions
    lon, lat = np.atleast_1d(np.asarray(lon, dtype=float)), np.atleast_1d(np.asarray(lat, dtype=float))
    out = np.full(lon.shape, None, dtype=object)
    todo = np.ones(lon.shape, dtype=bool)
    for region in regions:
        idx = np.flatnonzero(todo)
        if not len(idx):
            break
        hit = region.contains(lon[idx], lat[idx])
        out[idx[hit]] = region.code
        todo[idx[hit]] = False
    return out


def assign_wgs84(lon, lat, regions: tuple[Region, ...] | None = None) -> np.ndarray:
    """The district of each WGS-84 point (GPS, OpenCelliD, Ookla tiles): shifted to GCJ-02, then tested."""
    glon, glat = wgs84_to_gcj02(np.atleast_1d(np.asarray(lon, dtype=float)),
                                np.atleast_1d(np.asarray(lat, dtype=float)))
    return assign_gcj02(glon, glat, regions)
