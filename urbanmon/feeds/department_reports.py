"""The adapter for the unified department report form (统一报表, feed departments__jinan_department_reports).

The form is long: one row per area and item, with the columns 年度, 地区, 填报单位, 指标项目, 计量单位, 数值
(CSV in UTF-8 or GB18030, or XLSX; title rows and footnotes allowed). The table itself is read by the generic tabular
adapter (urbanmon/feeds/tabular.py: encodings, headers, area aliases, footnotes, empty and truncated files, future
periods, negative values); on top of it this adapter checks every row against the item catalogue
``sources/<feed>/items.yaml`` and refuses the file, naming file, line, column and rule, for:

- an item not in the catalogue (``unknown_item``),
- a unit other than the catalogue's for the item (``unit_mismatch``: 人次 where the form fixes 万人次),
- the same area and item twice (``duplicate_key``, also when sent under two spellings of one item),
- a value outside the item's bounds (``out_of_range``) or a fraction where the item counts (``not_integer``),
- a count above the total it is part of in the same area (``exceeds_total``: more smart hospitals than hospitals,
  a coverage of 130 %),
- a row whose 年度 is not the year in the file name (``period_mismatch``).

The raw table keeps the rows as sent (long), plus the item's catalogue code; dbt pivots and computes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow as pa
import yaml

from urbanmon.feeds import tabular
from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import FeedSpec

CATALOGUE_FILE = "items.yaml"


@dataclass(frozen=True)
class Item:
    code: str
    name_zh: str
    unit: str
    department: str
    district_unit: str
    min: float | None
    max: float | None
    integer: bool
    at_most: str | None
    indicators: tuple[str, ...]
    aliases: tuple[str, ...] = ()


@cache
def _catalogue_at(path: Path) -> dict[str, Item]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = {}
    for entry in doc["items"]:
        item = Item(code=entry["code"], name_zh=entry["name_zh"], unit=entry["unit"], department=entry["department"],
                    district_unit=entry.get("district_unit", ""), min=entry.get("min"), max=entry.get("max"),
                    integer=bool(entry.get("integer", False)), at_most=entry.get("at_most"),
                    indicators=tuple(entry.get("indicators", [])), aliases=tuple(entry.get("aliases", [])))
        if item.code in items:
            raise ValueError(f"{path}: item code {item.code!r} twice")
        items[item.code] = item
    for item in items.values():
        if item.at_most and item.at_most not in items:
            raise ValueError(f"{path}: {item.code}.at_most names unknown item {item.at_most!r}")
    return items


def catalogue(spec: FeedSpec) -> dict[str, Item]:
    """Item code -> catalogue entry (sources/<feed>/items.yaml)."""
    return _catalogue_at(spec.folder / CATALOGUE_FILE)


def _names(spec: FeedSpec) -> dict[str, Item]:
    out = {}
    for item in catalogue(spec).values():
        for name in (item.name_zh, *item.aliases):
            out[tabular._norm(name)] = item
    return out


def raw_schema(spec: FeedSpec) -> pa.Schema:
    return tabular.raw_schema(spec).append(pa.field("item_code", pa.string()))


def parse(path: Path, spec: FeedSpec, name: str | None = None, today: dt.date | None = None) -> tabular.ParsedTable:
    name = name or path.name
    return parse_bytes(path.read_bytes(), spec, name, today)


def parse_bytes(raw: bytes, spec: FeedSpec, name: str, today: dt.date | None = None) -> tabular.ParsedTable:
    parsed = tabular.parse_bytes(raw, spec, name, today)
    table = parsed.table
    headers = {c.name: c.header for c in spec.tabular.columns}
    by_name = _names(spec)

    match = spec.matches(name)
    if not match:
        raise FeedError(name, "bad_file_name", f"the name must match {spec.filename_regex}")
    file_year = int(match.group("period"))

    cols = {c: table.column(c).to_pylist() for c in
            ("period_start", "source_line", "area_code", "area_name", "item_name", "unit", "value")}
    codes: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    values: dict[tuple[str, str], tuple[float, int]] = {}
    for i, line in enumerate(cols["source_line"]):
        if cols["period_start"][i].year != file_year:
            raise FeedError(name, "period_mismatch", f"年度 {cols['period_start'][i].year} in a file for {file_year}",
                            line=line, column=headers["report_year"])
        item = by_name.get(tabular._norm(cols["item_name"][i]))
        if item is None:
            raise FeedError(name, "unknown_item", f"item {cols['item_name'][i]!r} is not in the catalogue "
                            f"({spec.feed_id}/{CATALOGUE_FILE})", line=line, column=headers["item_name"])
        unit = tabular._norm(cols["unit"][i])
        if unit != tabular._norm(item.unit):
            raise FeedError(name, "unit_mismatch", f"{item.name_zh} in {unit!r}; the catalogue has {item.unit!r}",
                            line=line, column=headers["unit"])
        value = cols["value"][i]
        if (item.min is not None and value < item.min) or (item.max is not None and value > item.max):
            raise FeedError(name, "out_of_range", f"{value:g} outside [{item.min}, {item.max}] for {item.name_zh}",
                            line=line, column=headers["value"])
        if item.integer and value != int(value):
            raise FeedError(name, "not_integer", f"{value!r} is not a whole number ({item.name_zh} counts "
                            f"{item.unit})", line=line, column=headers["value"])
        key = (cols["area_code"][i], item.code)
        if key in seen:
            raise FeedError(name, "duplicate_key", f"{cols['area_name'][i]} / {item.name_zh} again (first on line "
                            f"{seen[key]})", line=line, column=headers["item_name"])
        seen[key] = line
        values[key] = (value, line)
        codes.append(item.code)

    items = catalogue(spec)
    for (area, code), (value, line) in values.items():
        total_code = items[code].at_most
        if total_code and (area, total_code) in values and value > values[(area, total_code)][0]:
            total, total_line = values[(area, total_code)]
            raise FeedError(name, "exceeds_total", f"{items[code].name_zh} {value:g} exceeds "
                            f"{items[total_code].name_zh} {total:g} (line {total_line}): a share above 100 %",
                            line=line, column=headers["value"])

    table = table.append_column("item_code", pa.array(codes, pa.string()))
    return tabular.ParsedTable(name=name, report_date=dt.date(file_year, 1, 1), table=table, values=parsed.values)
