"""Adapter for the CNEMC daily air-quality files (city and station feeds share one layout).

A file is wide: ``date,hour,type,<location columns…>``, 15 ``type`` rows per hour. The adapter checks the contract
strictly and returns one row per hour and location with the 15 values as columns (``raw.air_quality__cnemc_*``).
Parsing uses pyarrow with explicit column types (no inference) and numpy for the reshape: the wide layout makes the
obvious paths (pandas melt, DuckDB's ``union_by_name``) several times slower (see docs/benchmarks.md).
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
import pyarrow.csv as pacsv

from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import FeedSpec

KEY_COLUMNS = ("date", "hour", "type")


def value_column(type_name: str) -> str:
    """``PM2.5_24h`` -> ``pm2_5_24h``: the raw table's column for a ``type`` value."""
    return type_name.lower().replace(".", "_")


@dataclass
class ParsedFile:
    name: str
    report_date: dt.date
    table: pa.Table  # report_date, report_hour, location, <15 value columns>
    hours: int
    locations: int
    values: int  # non-missing values

    @property
    def rows(self) -> int:
        return self.table.num_rows


def raw_schema(spec: FeedSpec) -> pa.Schema:
    fields = [
        pa.field("report_date", pa.date32()),
        pa.field("report_hour", pa.int8()),
        pa.field("location", pa.string()),
    ]
    fields += [pa.field(value_column(t), pa.float64()) for t in spec.value_types]
    return pa.schema(fields)


def parse(path: Path, spec: FeedSpec, name: str | None = None) -> ParsedFile:
    """Parse and check one file. Raises FeedError naming the file, line, column and rule on bad input."""
    name = name or path.name
    match = spec.matches(name)
    if not match:
        raise FeedError(name, "file_name", f"name does not match the feed's pattern {spec.filename_regex}")
    try:
        report_date = dt.datetime.strptime(match.group("period"), "%Y%m%d").date()
    except ValueError:
        raise FeedError(name, "file_name", f"{match.group('period')!r} is not a valid date") from None
    data = path.read_bytes()
    return parse_bytes(data, spec, name, report_date)


def parse_bytes(data: bytes, spec: FeedSpec, name: str, report_date: dt.date) -> ParsedFile:
    if not data.strip():
        raise FeedError(name, "empty_file", "the file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    header_end = data.find(b"\n")
    header = _decode(data if header_end < 0 else data[:header_end], spec, name).rstrip("\r").split(",")
    locations = _check_header(header, spec, name)
    if header_end < 0 or not data[header_end + 1 :].strip():
        raise FeedError(name, "no_rows", "the file has a header but no data rows")

    column_types = {"date": pa.int32(), "hour": pa.int16(), "type": pa.string()}
    column_types.update({loc: pa.float64() for loc in locations})
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(use_threads=False, block_size=1 << 26),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types=column_types, null_values=[""], strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        # Invalid bytes inside a numeric field also end up here: decoding names them first.
        raise _locate_parse_error(_decode(data, spec, name), header, name, str(exc)) from None

    dates = table.column("date").to_numpy(zero_copy_only=False)
    hours = table.column("hour").to_numpy(zero_copy_only=False)
    types = table.column("type").to_pylist()
    _check_keys(dates, hours, types, spec, name, report_date)

    type_index = {t: i for i, t in enumerate(spec.value_types)}
    type_idx = np.fromiter((type_index[t] for t in types), dtype=np.int16, count=len(types))
    values = np.column_stack(
        [table.column(i).to_numpy(zero_copy_only=False).astype(np.float64) for i in range(3, table.num_columns)]
    ) if locations else np.empty((table.num_rows, 0))

    dense = np.full((24, len(spec.value_types), len(locations)), np.nan)
    dense[hours, type_idx, :] = values
    present_hours = np.unique(hours)
    block = dense[present_hours].transpose(0, 2, 1).reshape(-1, len(spec.value_types))
    keep = ~np.isnan(block).all(axis=1)
    block = block[keep]
    loc_idx = np.tile(np.arange(len(locations), dtype=np.int32), len(present_hours))[keep]
    hour_col = np.repeat(present_hours.astype(np.int8), len(locations))[keep]

    arrays = [
        pa.array(np.full(len(block), report_date, dtype="datetime64[D]"), type=pa.date32()),
        pa.array(hour_col, type=pa.int8()),
        pa.DictionaryArray.from_arrays(pa.array(loc_idx), pa.array(locations, type=pa.string())).cast(pa.string()),
    ]
    missing = np.isnan(block)
    arrays += [pa.array(block[:, i], type=pa.float64(), mask=missing[:, i]) for i in range(block.shape[1])]
    out = pa.Table.from_arrays(arrays, schema=raw_schema(spec))
    return ParsedFile(
        name=name,
        report_date=report_date,
        table=out,
        hours=len(present_hours),
        locations=len(locations),
        values=int(missing.size - missing.sum()),
    )


def _decode(data: bytes, spec: FeedSpec, name: str) -> str:
    try:
        return data.decode(spec.encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FeedError(
            name, "encoding", f"not valid {spec.encoding}: byte 0x{data[exc.start]:02x} at offset {exc.start}",
            line=line,
        ) from None


def _check_header(header: list[str], spec: FeedSpec, name: str) -> list[str]:
    stripped = [h.strip() for h in header]
    for i, key in enumerate(KEY_COLUMNS):
        if len(stripped) <= i or stripped[i] != key:
            found = stripped[i] if len(stripped) > i else "nothing"
            raise FeedError(name, "missing_column", f"column {i + 1} must be {key!r}, found {found!r}", line=1)
    locations = stripped[3:]
    pattern = re.compile(spec.location_regex)
    seen: set[str] = set()
    for loc in locations:
        if not pattern.fullmatch(loc):
            raise FeedError(
                name, "unknown_column",
                f"column {loc!r} is not a {spec.location_kind} (expected {spec.location_regex})",
                line=1, column=loc,
            )
        if loc in seen:
            raise FeedError(name, "duplicate_column", f"column {loc!r} appears twice", line=1, column=loc)
        seen.add(loc)
    if not locations:
        raise FeedError(name, "missing_column", "no location columns after date,hour,type", line=1)
    return locations


def _check_keys(dates, hours, types, spec: FeedSpec, name: str, report_date: dt.date) -> None:
    expected = int(report_date.strftime("%Y%m%d"))
    allowed = set(spec.value_types)
    seen: dict[tuple[int, str], int] = {}
    for i, (d, h, t) in enumerate(zip(dates, hours, types, strict=True)):
        line = i + 2
        if d != expected:
            raise FeedError(name, "date_mismatch", f"date {d} differs from the file's date {expected}", line=line,
                            column="date")
        if not 0 <= h <= 23:
            raise FeedError(name, "hour_out_of_range", f"hour {h} is outside 0..23", line=line, column="hour")
        if t not in allowed:
            raise FeedError(name, "unknown_type", f"type {t!r} is not one of {spec.value_types}", line=line,
                            column="type")
        key = (int(h), t)
        if key in seen:
            raise FeedError(
                name, "duplicate_hour", f"hour {h} type {t} already given on line {seen[key]}", line=line,
                column="hour",
            )
        seen[key] = line


def _locate_parse_error(text: str, header: list[str], name: str, arrow_message: str) -> FeedError:
    """Slow path, only on failure: find the first line and column that break the contract."""
    reader = csv.reader(io.StringIO(text))
    next(reader)
    width = len(header)
    lines = text.split("\n")
    for line_no, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != width:
            is_last = line_no >= len([ln for ln in lines if ln.strip()])
            rule = "truncated_line" if is_last and len(row) < width else "field_count"
            return FeedError(name, rule, f"expected {width} fields, found {len(row)}", line=line_no)
        for col, cell in zip(header, row, strict=True):
            col = col.strip()
            if col == "type":
                continue
            if col in ("date", "hour"):
                if not cell.strip().lstrip("-").isdigit():
                    return FeedError(name, "not_integer", f"{cell!r} is not an integer", line=line_no, column=col)
                continue
            if cell.strip() == "":
                continue
            try:
                float(cell)
            except ValueError:
                return FeedError(name, "not_numeric", f"{cell!r} is not a number", line=line_no, column=col)
    return FeedError(name, "parse_error", arrow_message.splitlines()[0][:300])
