"""Adapter for Ookla's open speed-test tiles (feeds telecom__ookla_speedtest_fixed_tiles and
telecom__ookla_speedtest_mobile_tiles): one CSV per quarter and type, the Jinan extract.

Layout (Ookla open data, zoom-16 Web-Mercator tiles). The older files have the columns
``quadkey, tile, avg_d_kbps, avg_u_kbps, avg_lat_ms, tests, devices``; the newer ones add ``tile_x, tile_y,
avg_lat_down_ms, avg_lat_up_ms``. Either set is accepted, in any order; the added columns are NULL for the older
files. ``tile`` is the tile's WKT polygon, ``tile_x``/``tile_y`` its centre (lon/lat).

The file is refused, naming file, line, column and rule, for: an empty file or a header without rows
(``empty_file``); bytes that are not UTF-8 (``encoding``); a column set that is neither the older nor the newer one
(``missing_column``, ``unknown_column``), or a unit other than the layout's in a header (``avg_d_mbps``:
``unit_mismatch``); a row with too few or too many fields (``malformed_row``); a quadkey that is not 16 digits 0-3
(``bad_quadkey``); a tile polygon or centre that is not the quadkey's (``tile_mismatch``); a value that is not a
number (``not_numeric``) or a count that is not whole (``not_integer``); a negative speed or latency, a tile without
tests, more devices than tests (``out_of_range``); the same quadkey twice (``duplicate_key``); a quarter in the
future (``future_period``).

Each tile is assigned to the district containing its centre (computed from the quadkey; WGS-84 shifted to GCJ-02,
point-in-polygon, urbanmon/geo.py); tiles outside every district keep ``area_code`` NULL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from urbanmon import geo
from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import FeedSpec

ZOOM = 16
OLD = ("quadkey", "tile", "avg_d_kbps", "avg_u_kbps", "avg_lat_ms", "tests", "devices")
NEW = ("quadkey", "tile", "tile_x", "tile_y", "avg_d_kbps", "avg_u_kbps", "avg_lat_ms", "avg_lat_down_ms",
       "avg_lat_up_ms", "tests", "devices")
INTEGER = {"tests", "devices"}
NUMBERS = ("tile_x", "tile_y", "avg_d_kbps", "avg_u_kbps", "avg_lat_ms", "avg_lat_down_ms", "avg_lat_up_ms",
           "tests", "devices")
UNITS = re.compile(r"^(?P<base>avg_[du]|avg_lat(?:_down|_up)?)_(?P<unit>[a-z]+)$")
BEIJING = dt.timezone(dt.timedelta(hours=8))
TOLERANCE = 1e-6  # degrees: WKT as Ookla writes it has 7+ decimals


@dataclass
class ParsedTiles:
    name: str
    report_date: dt.date  # first day of the quarter
    table: pa.Table
    values: int

    @property
    def rows(self) -> int:
        return self.table.num_rows


def raw_schema(spec: FeedSpec) -> pa.Schema:
    return pa.schema([
        pa.field("period_start", pa.date32()), pa.field("source_line", pa.int32()),
        pa.field("is_synthetic", pa.bool_()), pa.field("test_type", pa.string()), pa.field("area_code", pa.string()),
        pa.field("quadkey", pa.string()), pa.field("tile_x", pa.float64()), pa.field("tile_y", pa.float64()),
        pa.field("avg_d_kbps", pa.float64()), pa.field("avg_u_kbps", pa.float64()),
        pa.field("avg_lat_ms", pa.float64()), pa.field("avg_lat_down_ms", pa.float64()),
        pa.field("avg_lat_up_ms", pa.float64()), pa.field("tests", pa.int64()), pa.field("devices", pa.int64()),
    ])


def quadkey_to_tile(quadkey: str) -> tuple[int, int, int]:
    x = y = 0
    z = len(quadkey)
    for i, digit in enumerate(quadkey):
        mask = 1 << (z - i - 1)
        d = int(digit)
        if d & 1:
            x |= mask
        if d & 2:
            y |= mask
    return x, y, z


def tile_to_lonlat(x: float, y: float, z: int) -> tuple[float, float]:
    """Web-Mercator tile coordinates (fractional allowed) -> WGS-84 lon/lat of that point."""
    n = 2 ** z
    lon = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lon, lat


def tile_bounds(quadkey: str) -> tuple[float, float, float, float]:
    x, y, z = quadkey_to_tile(quadkey)
    west, north = tile_to_lonlat(x, y, z)
    east, south = tile_to_lonlat(x + 1, y + 1, z)
    return west, south, east, north


def tile_centre(quadkey: str) -> tuple[float, float]:
    x, y, z = quadkey_to_tile(quadkey)
    return tile_to_lonlat(x + 0.5, y + 0.5, z)


def tile_wkt(quadkey: str) -> str:
    w, s, e, n = tile_bounds(quadkey)
    return f"POLYGON(({w:.7f} {s:.7f}, {e:.7f} {s:.7f}, {e:.7f} {n:.7f}, {w:.7f} {n:.7f}, {w:.7f} {s:.7f}))"


def lonlat_to_quadkey(lon: float, lat: float, z: int = ZOOM) -> str:
    n = 2 ** z
    x = int((lon + 180.0) / 360.0 * n)
    s = math.sin(math.radians(lat))
    y = int((0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * n)
    return "".join(str(((x >> (z - i - 1)) & 1) | (((y >> (z - i - 1)) & 1) << 1)) for i in range(z))


WKT = re.compile(r"^\s*POLYGON\s*\(\(\s*(?P<ring>[^()]*)\)\)\s*$", re.IGNORECASE)


def _check_wkt(text: str, quadkey: str) -> bool:
    m = WKT.match(text)
    if not m:
        return False
    try:
        points = [tuple(float(v) for v in p.split()) for p in m.group("ring").split(",")]
    except ValueError:
        return False
    if len(points) < 4 or any(len(p) != 2 for p in points):
        return False
    w, s, e, n = tile_bounds(quadkey)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (abs(min(xs) - w) < TOLERANCE and abs(max(xs) - e) < TOLERANCE and abs(min(ys) - s) < TOLERANCE
            and abs(max(ys) - n) < TOLERANCE)


def parse(path: Path, spec: FeedSpec, name: str | None = None, today: dt.date | None = None) -> ParsedTiles:
    name = name or path.name
    return parse_bytes(path.read_bytes(), spec, name, today)


def parse_bytes(raw: bytes, spec: FeedSpec, name: str, today: dt.date | None = None) -> ParsedTiles:
    if not raw.strip():
        raise FeedError(name, "empty_file", "the file is empty")
    match = spec.matches(name)
    if not match:
        raise FeedError(name, "bad_file_name", f"the name must match {spec.filename_regex}")
    try:
        period = dt.date.fromisoformat(match.group("period"))
    except ValueError:
        raise FeedError(name, "bad_period", f"{match.group('period')!r} is not a date") from None
    if period.day != 1 or period.month not in (1, 4, 7, 10):
        raise FeedError(name, "bad_period", f"{period} is not the first day of a quarter")
    is_synthetic = bool(match.groupdict().get("synthetic"))
    test_type = match.group("type")
    today = today or dt.datetime.now(BEIJING).date()
    if period > today:
        raise FeedError(name, "future_period", f"quarter {period} is in the future (today {today})")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        raise FeedError(name, "encoding", "UTF-16 or binary content; Ookla files are UTF-8")
    try:
        text = raw.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise FeedError(name, "encoding", f"not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}",
                        line=raw.count(b"\n", 0, exc.start) + 1) from None

    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    for cell in header:
        m = UNITS.match(cell)
        if m and cell not in NEW:
            expected = "kbps" if m.group("base") in ("avg_d", "avg_u") else "ms"
            raise FeedError(name, "unit_mismatch", f"header {cell!r} is in {m.group('unit')}; the layout has "
                            f"{m.group('base')}_{expected}", line=1, column=cell)
    layout = OLD if set(header) <= set(OLD) or set(header) == set(OLD) else NEW
    missing = [c for c in layout if c not in header]
    unknown = [c for c in header if c not in NEW]
    if unknown:
        raise FeedError(name, "unknown_column", f"column(s) not in the Ookla layout: {unknown}", line=1,
                        column=unknown[0])
    if missing:
        raise FeedError(name, "missing_column", f"missing column(s) {missing} (older layout {list(OLD)}, newer "
                        f"{list(NEW)})", line=1, column=missing[0])
    if len(header) != len(set(header)):
        raise FeedError(name, "duplicate_column", "a column appears twice", line=1)
    index = {c: header.index(c) for c in header}

    out: dict[str, list] = {f.name: [] for f in raw_schema(spec)}
    seen: dict[str, int] = {}
    centres = []
    for row in reader:
        line = reader.line_num
        if not row or not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise FeedError(name, "malformed_row", f"{len(row)} fields; the header has {len(header)}", line=line)
        quadkey = row[index["quadkey"]].strip()
        if len(quadkey) != ZOOM or set(quadkey) - set("0123"):
            raise FeedError(name, "bad_quadkey", f"{quadkey!r} is not a zoom-{ZOOM} quadkey", line=line,
                            column="quadkey")
        if quadkey in seen:
            raise FeedError(name, "duplicate_key", f"quadkey {quadkey} again (first on line {seen[quadkey]})",
                            line=line, column="quadkey")
        seen[quadkey] = line
        if not _check_wkt(row[index["tile"]], quadkey):
            raise FeedError(name, "tile_mismatch", f"tile {row[index['tile']][:60]!r} is not the polygon of "
                            f"quadkey {quadkey}", line=line, column="tile")
        values = {}
        for col in NUMBERS:
            if col not in index:
                values[col] = None
                continue
            cell = row[index[col]].strip()
            try:
                number = float(cell)
            except ValueError:
                raise FeedError(name, "not_numeric", f"{cell!r} is not a number", line=line, column=col) from None
            if not math.isfinite(number):
                raise FeedError(name, "not_numeric", f"{cell!r} is not a finite number", line=line, column=col)
            if col in INTEGER:
                if number != int(number):
                    raise FeedError(name, "not_integer", f"{cell!r} is not a whole number", line=line, column=col)
                number = int(number)
            values[col] = number
        for col in ("avg_d_kbps", "avg_u_kbps", "avg_lat_ms", "avg_lat_down_ms", "avg_lat_up_ms"):
            if values[col] is not None and values[col] < 0:
                raise FeedError(name, "out_of_range", f"{col} {values[col]} is negative", line=line, column=col)
        if values["tests"] < 1:
            raise FeedError(name, "out_of_range", f"a tile with {values['tests']} tests", line=line, column="tests")
        if not 1 <= values["devices"] <= values["tests"]:
            raise FeedError(name, "out_of_range", f"{values['devices']} devices for {values['tests']} tests",
                            line=line, column="devices")
        centre = tile_centre(quadkey)
        if values["tile_x"] is not None and (abs(values["tile_x"] - centre[0]) > TOLERANCE
                                             or abs(values["tile_y"] - centre[1]) > TOLERANCE):
            raise FeedError(name, "tile_mismatch", f"tile_x/tile_y ({values['tile_x']}, {values['tile_y']}) is not "
                            f"the centre of quadkey {quadkey}", line=line, column="tile_x")
        values["tile_x"], values["tile_y"] = centre
        centres.append(centre)
        out["period_start"].append(period)
        out["source_line"].append(line)
        out["quadkey"].append(quadkey)
        for col in NUMBERS:
            out[col].append(values[col])
    if not seen:
        raise FeedError(name, "empty_file", "a header but no data row", line=1)
    n = len(seen)
    out["is_synthetic"] = [is_synthetic] * n
    out["test_type"] = [test_type] * n
    lon, lat = np.array([c[0] for c in centres]), np.array([c[1] for c in centres])
    out["area_code"] = geo.assign_wgs84(lon, lat).tolist()
    table = pa.table(out, schema=raw_schema(spec))
    values = sum(1 for col in NUMBERS[2:] for v in out[col] if v is not None)
    return ParsedTiles(name=name, report_date=period, table=table, values=values)
