"""District outlines as SVG paths for the 区县对比 map (no map tiles: the polygons stand on their own).

The board draws the 12 districts as one inline SVG in a Handlebars chart, so it works offline and needs no base
layer. The GeoJSON (GCJ-02 degrees, ``urbanmon.geo.BOUNDARIES``) is projected equirectangularly with the longitude
scaled by cos(latitude of the centre), which is true to shape at Jinan's size, onto a ``VIEWBOX_WIDTH`` wide box
with y pointing down; coordinates are rounded to 0.1 unit and consecutive duplicates dropped.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

VIEWBOX_WIDTH = 1000.0


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    raise ValueError(f"unsupported geometry {geometry['type']}")


def district_shape_rows(path: Path | None = None) -> list[dict]:
    """One row per district: area_code, name_zh, svg_path, label_x/label_y, viewbox (same for every row)."""
    from urbanmon.geo import BOUNDARIES

    features = json.loads(Path(path or BOUNDARIES).read_text(encoding="utf-8"))["features"]
    points = [pt for f in features for ring in _rings(f["geometry"]) for pt in ring]
    lon0, lon1 = min(p[0] for p in points), max(p[0] for p in points)
    lat0, lat1 = min(p[1] for p in points), max(p[1] for p in points)
    kx = math.cos(math.radians((lat0 + lat1) / 2))
    scale = VIEWBOX_WIDTH / ((lon1 - lon0) * kx)
    height = round((lat1 - lat0) * scale, 1)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return round((lon - lon0) * kx * scale, 1), round((lat1 - lat) * scale, 1)

    rows = []
    for feature in features:
        props = feature["properties"]
        parts = []
        for ring in _rings(feature["geometry"]):
            coords: list[tuple[float, float]] = []
            for lon, lat, *_ in ring:
                p = xy(lon, lat)
                if not coords or coords[-1] != p:
                    coords.append(p)
            parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in coords) + "Z")
        cx, cy = xy(*(props.get("centroid") or props["center"]))
        rows.append({
            "area_code": str(props["adcode"]),
            "name_zh": props["name"],
            "svg_path": "".join(parts),
            "label_x": cx,
            "label_y": cy,
            "viewbox": f"0 0 {VIEWBOX_WIDTH:g} {height:g}",
        })
    return sorted(rows, key=lambda r: r["area_code"])
