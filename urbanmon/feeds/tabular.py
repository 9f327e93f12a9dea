"""The adapter for table-shaped feeds: CSV (UTF-8 or GB18030) and XLSX as statistics bureaus, departments and
operators send them, checked against the contract in ``sources/<feed>/feed.yaml`` (``tabular:``).

What it accepts: title rows above the header; headers with the unit in parentheses (全角 or 半角: 常住人口（万人）);
footnote rows below the data (注：…, 资料来源：…) and blank rows; area names, old names and aliases
(registry/areas.yaml: 莱芜市 → 莱芜区, 章丘市 → 章丘区, 全市 → 济南市); empty cells, '-' and '—' as missing where the
column may be null. What it refuses, naming file, line, column and rule (the file is quarantined, nothing of it
loaded): an encoding not in the contract, a missing or unknown column, a header whose unit differs from the
contract's (人 vs 万人), an unknown area, the same key twice, a value that is not a number or outside its bounds
(a coverage of 130 %), a period in the future, an empty file, an unreadable or truncated workbook.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow as pa

from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import ColumnSpec, FeedSpec

MISSING = {"", "-", "—", "–", "…", "...", "／", "/"}
HEADER_RE = re.compile(r"^(?P<label>.*?)\s*[(（](?P<unit>[^()（）]*)[)）]\s*$")
ARROW_TYPES = {"double": pa.float64(), "bigint": pa.int64(), "varchar": pa.string(), "date": pa.date32()}


@dataclass
class ParsedTable:
    name: str
    report_date: dt.date      # first day of the period the file is for
    table: pa.Table
    values: int               # non-missing values

    @property
    def rows(self) -> int:
        return self.table.num_rows


def raw_schema(spec: FeedSpec) -> pa.Schema:
    contract = spec.tabular
    fields = [pa.field("period_start", pa.date32()), pa.field("source_line", pa.int32()),
              pa.field("is_synthetic", pa.bool_())]
    if contract.area_column:
        fields.append(pa.field("area_code", pa.string()))
    fields += [pa.field(c.name, ARROW_TYPES[c.type]) for c in contract.columns]
    return pa.schema(fields)


@cache
def area_lookup() -> dict[str, str]:
    """Every name, short name and alias of the registry's areas -> area code."""
    from urbanmon import registry

    table = {}
    for area in registry.load().areas.values():
        for name in (area.name_zh, area.short_name, *area.aliases):
            table[_norm(name)] = area.code
    return table


def _norm(text) -> str:
    return re.sub(r"\s+", "", str(text or "")).replace("（", "(").replace("）", ")")


def split_header(text: str) -> tuple[str, str | None]:
    """'常住人口（万人）' -> ('常住人口', '万人'); '地区' -> ('地区', None)."""
    text = _norm(text)
    m = HEADER_RE.match(text)
    return (m.group("label"), m.group("unit")) if m else (text, None)


def period_start(spec: FeedSpec, text: str, name: str, line: int | None = None) -> dt.date:
    grain = spec.tabular.period_grain
    digits = re.sub(r"\D", "", str(text))
    try:
        if grain == "year" and len(digits) >= 4:
            return dt.date(int(digits[:4]), 1, 1)
        month = re.fullmatch(r"\s*(\d{4})\s*(?:年|-|/|\.)?\s*(\d{1,2})\s*月?\s*", str(text))
        if grain == "month" and month and (len(month.group(2)) == 2 or not month.group(0).strip().isdigit()):
            return dt.date(int(month.group(1)), int(month.group(2)), 1)  # 2021-03, 2021-3, 2021年3月, 202103
        if grain == "day" and len(digits) >= 8:
            return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        pass
    raise FeedError(name, "bad_period", f"cannot read a {grain} from {text!r}", line=line)


def _rows_from_csv(raw: bytes, spec: FeedSpec, name: str) -> list[list[str]]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        raise FeedError(name, "encoding", f"UTF-16 or binary content; the contract allows {spec.tabular.encodings}")
    for encoding in spec.tabular.encodings:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FeedError(name, "encoding", f"not decodable as any of {spec.tabular.encodings}")
    text = text.lstrip("\ufeff")
    if "\ufffd" in text:
        raise FeedError(name, "encoding", "replacement characters in the text: re-encoded with losses upstream")
    return [row for row in csv.reader(io.StringIO(text))]


XLSX_MAX_UNCOMPRESSED = 256 * 1024**2  # an agency's workbook is a few MB unpacked
XLSX_MAX_RATIO = 200  # real workbooks compress 5-20x; a zip bomb thousands of times


def check_zip_expansion(raw: bytes, name: str) -> None:
    """Refuse a compressed file that would expand enormously (a zip bomb), from its directory alone, before
    anything is decompressed."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a readable zip: openpyxl names that (unreadable_xlsx)
    if total > XLSX_MAX_UNCOMPRESSED or total > XLSX_MAX_RATIO * max(len(raw), 1):
        raise FeedError(name, "zip_bomb", f"expands to {total} bytes from {len(raw)} "
                        f"(limit {XLSX_MAX_UNCOMPRESSED} bytes, ratio {XLSX_MAX_RATIO}): not opened")


def _rows_from_xlsx(raw: bytes, name: str) -> list[list[str]]:
    import openpyxl

    check_zip_expansion(raw, name)
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FeedError(name, "unreadable_xlsx", f"not a complete .xlsx workbook (truncated or damaged): {exc}") \
            from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(["" if v is None else (f"{v:g}" if isinstance(v, float) else str(v)) for v in row])
        return rows
    finally:
        book.close()


def _match_columns(header: list[str], contract, name: str, line: int) -> dict[int, ColumnSpec]:
    """Header cell index -> column spec; every contract column found, no unknown one, units as agreed."""
    by_label: dict[str, ColumnSpec] = {}
    for col in contract.columns:
        for label in (col.header, *col.aliases):
            by_label[_norm(label)] = col
    mapping: dict[int, ColumnSpec] = {}
    unknown = []
    for i, cell in enumerate(header):
        if not _norm(cell):
            continue
        label, unit = split_header(cell)
        col = by_label.get(label)
        if col is None:
            unknown.append(cell)
            continue
        if (col.unit or None) != (unit or None):
            raise FeedError(name, "unit_mismatch", f"header {cell!r} states unit {unit!r}; the contract has "
                            f"{col.header}（{col.unit}）" if col.unit else f"header {cell!r} states a unit; "
                            "the contract has none", line=line, column=cell)
        if col in mapping.values():
            raise FeedError(name, "duplicate_column", f"{col.header} appears twice", line=line, column=cell)
        mapping[i] = col
    missing = [c.header for c in contract.columns if c.required and c not in mapping.values()]
    if missing:
        hint = f" (unrecognised headers: {unknown})" if unknown else ""
        raise FeedError(name, "missing_column", f"missing column(s) {missing}{hint}", line=line)
    if unknown and contract.strict_columns:
        raise FeedError(name, "unknown_column", f"column(s) not in the contract: {unknown}", line=line,
                        column=unknown[0])
    return mapping


def _value(text: str, col: ColumnSpec, name: str, line: int):
    text = str(text).strip().replace(",", "")
    if text in MISSING:
        if not col.nullable:
            raise FeedError(name, "missing_value", f"{col.header} is empty", line=line, column=col.header)
        return None
    if col.type == "varchar":
        return text
    if col.type == "date":
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            raise FeedError(name, "not_a_date", f"{text!r} is not a date", line=line, column=col.header) from None
    try:
        number = float(text)
    except ValueError:
        raise FeedError(name, "not_numeric", f"{text!r} is not a number", line=line, column=col.header) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise FeedError(name, "not_numeric", f"{text!r} is not a finite number", line=line, column=col.header)
    if (col.min is not None and number < col.min) or (col.max is not None and number > col.max):
        raise FeedError(name, "out_of_range", f"{text} outside [{col.min}, {col.max}] for {col.header}",
                        line=line, column=col.header)
    if col.type == "bigint":
        if number != int(number):
            raise FeedError(name, "not_integer", f"{text!r} is not a whole number", line=line, column=col.header)
        return int(number)
    return number


def parse(path: Path, spec: FeedSpec, name: str | None = None, today: dt.date | None = None) -> ParsedTable:
    name = name or path.name
    return parse_bytes(path.read_bytes(), spec, name, today)


def parse_bytes(raw: bytes, spec: FeedSpec, name: str, today: dt.date | None = None) -> ParsedTable:
    contract = spec.tabular
    if not raw.strip():
        raise FeedError(name, "empty_file", "the file is empty")
    is_xlsx = raw[:2] == b"PK" or name.lower().endswith(".xlsx")
    if is_xlsx and contract.format == "csv" or not is_xlsx and contract.format == "xlsx":
        raise FeedError(name, "wrong_format", f"the contract expects {contract.format}")
    rows = _rows_from_xlsx(raw, name) if is_xlsx else _rows_from_csv(raw, spec, name)

    area_header = next((c for c in contract.columns if c.name == contract.area_column), None)
    first_labels = {_norm(label) for c in contract.columns for label in (c.header, *c.aliases)}
    header_at = next((i for i, row in enumerate(rows)
                      if any(split_header(cell)[0] in first_labels for cell in row if _norm(cell))), None)
    if header_at is None:
        raise FeedError(name, "missing_column", f"no header row with any of the contract's columns "
                        f"({[c.header for c in contract.columns]})")
    mapping = _match_columns(rows[header_at], contract, name, header_at + 1)

    match = spec.matches(name)
    # generated sample files are named synthetic_<real name> (urbanmon/synth.py): flagged on every row
    is_synthetic = bool(match and match.groupdict().get("synthetic"))
    file_period = None
    if contract.period_column is None:
        if not match or "period" not in match.groupdict():
            raise FeedError(name, "bad_file_name", f"the name must match {spec.filename_regex}")
        file_period = period_start(spec, match.group("period"), name)
    today = today or dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()

    out: dict[str, list] = {f.name: [] for f in raw_schema(spec)}
    keys: dict[tuple, int] = {}
    values = 0
    for i in range(header_at + 1, len(rows)):
        row, line = rows[i], i + 1
        cells = [c for c in row if _norm(c)]
        if not cells:
            continue
        if any(_norm(row[0] if row else "").startswith(p) for p in contract.footnote_prefixes):
            continue
        record = {}
        for idx, col in mapping.items():
            record[col.name] = _value(row[idx] if idx < len(row) else "", col, name, line)
        period = file_period
        if contract.period_column:
            period = period_start(spec, record[contract.period_column], name, line)
        if period > today:
            raise FeedError(name, "future_period", f"period {period} is in the future (today {today})", line=line)
        area_code = None
        if contract.area_column:
            area_name = record[contract.area_column]
            area_code = area_lookup().get(_norm(area_name))
            if area_code is None:
                raise FeedError(name, "unknown_area", f"unknown area {area_name!r} (registry/areas.yaml names "
                                "and aliases)", line=line, column=area_header.header if area_header else None)
        key = (period, area_code, *(record[k] for k in contract.key_columns))
        if key in keys:
            raise FeedError(name, "duplicate_key", f"{key[1:] if area_code else key} again (first on line "
                            f"{keys[key]})", line=line)
        keys[key] = line
        out["period_start"].append(period)
        out["source_line"].append(line)
        out["is_synthetic"].append(is_synthetic)
        if contract.area_column:
            out["area_code"].append(area_code)
        for col in contract.columns:
            v = record.get(col.name)
            out[col.name].append(v)
            values += v is not None and col.type != "varchar"
    if not keys:
        raise FeedError(name, "empty_file", "a header but no data row")
    table = pa.table(out, schema=raw_schema(spec))
    report_date = file_period or min(out["period_start"])
    return ParsedTable(name=name, report_date=report_date, table=table, values=values)
