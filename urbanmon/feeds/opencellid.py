"""Adapter for the OpenCelliD cell registry (feed telecom__opencellid_cells): one CSV snapshot per year end.

Layout (OpenCelliD's own, header line first, exactly these columns in this order)::

    radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal

The contract is ``tabular.columns`` of the feed's ``feed.yaml`` (names, types, bounds). The file is refused, naming
file, line, column and rule, for: an empty file or a header without rows (``empty_file``); bytes that are not UTF-8
(``encoding``); a missing, renamed, extra or reordered column (``missing_column``, ``unknown_column``,
``column_order``), or a header carrying a unit (``range(km)``: ``unit_mismatch``, the layout has metres and no units);
a row with too few or too many fields (``malformed_row``); a radio other than GSM, UMTS, LTE, NR or CDMA
(``unknown_radio``); an MCC other than 460 (``wrong_mcc``); a value that is not a number or not whole where the
layout has integers (``not_numeric``, ``not_integer``); a value outside its bounds (``out_of_range``: lon/lat outside
WGS-84, an NR cell identity wider than 36 bits, an LTE one wider than 28); the same (radio, mcc, net, area, cell)
twice (``duplicate_key``); ``updated`` before ``created`` or either after the snapshot date (``bad_timestamp``); a
snapshot date in the future (``future_period``).

Every cell is assigned to a district: its WGS-84 position is shifted to GCJ-02 and tested against the 12 district
boundaries (urbanmon/geo.py). A cell outside every district (the extract's bounding box reaches into neighbouring
cities) keeps ``area_code`` NULL: counted in the raw table, in no district and not in the city.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from urbanmon import geo
from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import ColumnSpec, FeedSpec

RADIOS = ("GSM", "UMTS", "LTE", "NR", "CDMA")
# widest cell identity per radio: GSM/CDMA 16-bit CI, UMTS 28-bit UTRAN CI (RNC + CID), LTE 28-bit ECI, NR 36-bit NCI
CELL_BITS = {"GSM": 16, "CDMA": 16, "UMTS": 28, "LTE": 28, "NR": 36}
ARROW_TYPES = {"double": pa.float64(), "bigint": pa.int64(), "varchar": pa.string(), "date": pa.date32()}
UNIT_IN_HEADER = re.compile(r"^(?P<label>[A-Za-z]+)\s*(?:[(（\[](?P<unit>[^)）\]]*)[)）\]]|_(?P<suffix>[a-z]+))$")
BEIJING = dt.timezone(dt.timedelta(hours=8))


@dataclass
class ParsedCells:
    name: str
    report_date: dt.date   # 1 January of the snapshot's year (the year whose end-of-year stock the file is)
    snapshot_date: dt.date
    table: pa.Table
    values: int

    @property
    def rows(self) -> int:
        return self.table.num_rows


def raw_schema(spec: FeedSpec) -> pa.Schema:
    fields = [pa.field("snapshot_date", pa.date32()), pa.field("period_start", pa.date32()),
              pa.field("source_line", pa.int32()), pa.field("is_synthetic", pa.bool_()),
              pa.field("area_code", pa.string())]
    fields += [pa.field(c.name, ARROW_TYPES[c.type]) for c in spec.tabular.columns]
    return pa.schema(fields)


def parse(path: Path, spec: FeedSpec, name: str | None = None, today: dt.date | None = None) -> ParsedCells:
    name = name or path.name
    return parse_bytes(path.read_bytes(), spec, name, today)


def snapshot_of(spec: FeedSpec, name: str) -> tuple[dt.date, bool]:
    match = spec.matches(name)
    if not match:
        raise FeedError(name, "bad_file_name", f"the name must match {spec.filename_regex}")
    try:
        snapshot = dt.datetime.strptime(match.group("period"), "%Y%m%d").date()
    except ValueError:
        raise FeedError(name, "bad_period", f"{match.group('period')!r} is not a date") from None
    return snapshot, bool(match.groupdict().get("synthetic"))


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        raise FeedError(name, "encoding", "UTF-16 or binary content; OpenCelliD files are UTF-8 (ASCII)")
    try:
        return raw.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise FeedError(name, "encoding", f"not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}",
                        line=line) from None


def _check_header(header: list[str], columns: list[ColumnSpec], name: str) -> None:
    expected = [c.header for c in columns]
    cells = [h.strip() for h in header]
    if cells == expected:
        return
    known = {c.header.lower(): c for c in columns}
    for cell in cells:
        m = UNIT_IN_HEADER.match(cell)
        if m and cell not in expected and m.group("label").lower() in known:
            raise FeedError(name, "unit_mismatch", f"header {cell!r} states a unit; the OpenCelliD layout has "
                            f"{m.group('label')} without one (range in metres, times in Unix seconds)",
                            line=1, column=cell)
    missing = [h for h in expected if h not in cells]
    unknown = [h for h in cells if h not in expected]
    if missing:
        hint = f" (unrecognised headers: {unknown})" if unknown else ""
        raise FeedError(name, "missing_column", f"missing column(s) {missing}{hint}", line=1, column=missing[0])
    if unknown:
        raise FeedError(name, "unknown_column", f"column(s) not in the OpenCelliD layout: {unknown}", line=1,
                        column=unknown[0])
    if len(cells) != len(set(cells)):
        twice = next(h for h in cells if cells.count(h) > 1)
        raise FeedError(name, "duplicate_column", f"{twice} appears twice", line=1, column=twice)
    raise FeedError(name, "column_order", f"columns in the order {cells}; the layout is {expected}", line=1)


def _convert(values: list[str], col: ColumnSpec, lines: list[int], name: str) -> pa.Array:
    """Strings -> a typed Arrow array, checked: missing values, numbers, whole numbers, bounds."""
    arr = pa.array(values, pa.string())
    empty = pc.equal(pc.utf8_length(arr), 0)
    if col.type == "varchar":
        if not col.nullable and pc.any(empty).as_py():
            i = pc.index(empty, True).as_py()
            raise FeedError(name, "missing_value", f"{col.header} is empty", line=lines[i], column=col.header)
        return arr
    arr = pc.if_else(empty, pa.scalar(None, pa.string()), arr)
    if not col.nullable and arr.null_count:
        i = pc.index(pc.is_null(arr), True).as_py()
        raise FeedError(name, "missing_value", f"{col.header} is empty", line=lines[i], column=col.header)
    target = ARROW_TYPES[col.type]
    try:
        out = pc.cast(arr, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        out = None
    if out is None:
        for i, text in enumerate(values):
            if not text:
                continue
            try:
                number = float(text)
            except ValueError:
                raise FeedError(name, "not_numeric", f"{text!r} is not a number", line=lines[i],
                                column=col.header) from None
            if col.type == "bigint" and number != int(number):
                raise FeedError(name, "not_integer", f"{text!r} is not a whole number", line=lines[i],
                                column=col.header)
        raise FeedError(name, "not_numeric", f"{col.header}: a value is not a {col.type}", column=col.header)
    infinite = pc.invert(pc.fill_null(pc.is_finite(out), True)) if col.type == "double" else None
    if infinite is not None and pc.any(infinite).as_py():
        i = pc.index(infinite, True).as_py()
        raise FeedError(name, "not_numeric", f"{values[i]!r} is not a finite number", line=lines[i],
                        column=col.header)
    bad = None
    if col.min is not None:
        bad = pc.less(out, col.min)
    if col.max is not None:
        above = pc.greater(out, col.max)
        bad = above if bad is None else pc.or_(bad, above)
    if bad is not None and pc.any(bad).as_py():
        i = pc.index(bad, True).as_py()
        rule = "wrong_mcc" if col.name == "mcc" else "out_of_range"
        bounds = ", ".join("" if b is None else f"{b:.15g}" for b in (col.min, col.max))
        raise FeedError(name, rule, f"{values[i]} outside [{bounds}] for {col.header}",
                        line=lines[i], column=col.header)
    return out


def parse_bytes(raw: bytes, spec: FeedSpec, name: str, today: dt.date | None = None) -> ParsedCells:
    columns = spec.tabular.columns
    if not raw.strip():
        raise FeedError(name, "empty_file", "the file is empty")
    snapshot, is_synthetic = snapshot_of(spec, name)
    today = today or dt.datetime.now(BEIJING).date()
    if snapshot > today:
        raise FeedError(name, "future_period", f"snapshot date {snapshot} is in the future (today {today})")
    text = _decode(raw, name)

    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    _check_header(header, columns, name)
    rows, lines = [], []
    width = len(columns)
    for row in reader:
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != width:
            raise FeedError(name, "malformed_row", f"{len(row)} fields; the layout has {width}",
                            line=reader.line_num)
        rows.append(row)
        lines.append(reader.line_num)
    if not rows:
        raise FeedError(name, "empty_file", "a header but no data row", line=1)

    by_column = list(zip(*rows, strict=True))
    arrays = {}
    for i, col in enumerate(columns):
        values = [v.strip() for v in by_column[i]]
        arrays[col.name] = _convert(values, col, lines, name)

    radio = arrays["radio"]
    unknown = pc.invert(pc.is_in(radio, pa.array(RADIOS)))
    if pc.any(unknown).as_py():
        i = pc.index(unknown, True).as_py()
        raise FeedError(name, "unknown_radio", f"radio {radio[i].as_py()!r} is not one of {list(RADIOS)}",
                        line=lines[i], column="radio")
    cell = arrays["cell"].to_numpy()
    radio_np = np.asarray(radio.to_pylist(), dtype=object)
    for kind, bits in CELL_BITS.items():
        wide = (radio_np == kind) & (cell >= (1 << bits))
        if wide.any():
            i = int(np.flatnonzero(wide)[0])
            raise FeedError(name, "out_of_range", f"{kind} cell identity {cell[i]} is wider than {bits} bits",
                            line=lines[i], column="cell")

    seen: dict[tuple, int] = {}
    keys = zip(by_column[0], arrays["mcc"].to_pylist(), arrays["net"].to_pylist(), arrays["area"].to_pylist(),
               cell.tolist(), strict=True)
    for i, key in enumerate(keys):
        first = seen.setdefault(key, lines[i])
        if first != lines[i]:
            raise FeedError(name, "duplicate_key", f"(radio, mcc, net, area, cell) {key} again (first on line "
                            f"{first})", line=lines[i])

    created, updated = arrays["created"].to_numpy(), arrays["updated"].to_numpy()
    end = int(dt.datetime.combine(snapshot + dt.timedelta(days=1), dt.time(), BEIJING).timestamp())
    for mask, column, message in (
        (updated < created, "updated", "updated before created"),
        (created > end, "created", f"created after the snapshot date {snapshot}"),
        (updated > end, "updated", f"updated after the snapshot date {snapshot}"),
    ):
        if mask.any():
            i = int(np.flatnonzero(mask)[0])
            raise FeedError(name, "bad_timestamp", message, line=lines[i], column=column)

    area_code = geo.assign_wgs84(arrays["lon"].to_numpy(), arrays["lat"].to_numpy())
    n = len(rows)
    out = {
        "snapshot_date": pa.array([snapshot] * n, pa.date32()),
        "period_start": pa.array([dt.date(snapshot.year, 1, 1)] * n, pa.date32()),
        "source_line": pa.array(lines, pa.int32()),
        "is_synthetic": pa.array([is_synthetic] * n, pa.bool_()),
        "area_code": pa.array(area_code.tolist(), pa.string()),
        **arrays,
    }
    table = pa.table(out, schema=raw_schema(spec))
    values = sum(len(a) - a.null_count for c, a in arrays.items() if c != "radio")
    return ParsedCells(name=name, report_date=dt.date(snapshot.year, 1, 1), snapshot_date=snapshot, table=table,
                       values=values)
