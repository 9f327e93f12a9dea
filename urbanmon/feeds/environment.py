"""Adapters for the environment feeds (wastewater plants, forest and green-space survey, household waste).

Each file is first read by the generic tabular adapter (urbanmon/feeds/tabular.py: encodings, title rows, headers
with units, area aliases, footnotes, empty and truncated files, future years, negative values, exact duplicates);
this module adds what a table of that kind must also satisfy and refuses the whole file, naming file, line, column
and rule:

- monthly records inside a yearly file (``environment__wastewater_plant_monthly``,
  ``environment__household_waste_records``): the 月份 column is read as 2021-03, 2021/3, 202103, 2021年3月 or
  3月 (then the file's year); a month of another year than the file's is ``period_mismatch``, an unreadable one
  ``bad_period``, a month after today ``future_period``, the same plant (or district) and month twice
  ``duplicate_key`` (also when written two ways). ``period_start`` holds the first day of the record's month;
  the file's report date is 1 January of its year (a re-sent year supersedes the whole year).
- wastewater plants: 出水水质类别 must be one of the classes of ``EFFLUENT_CLASSES`` (``unknown_category``;
  Ⅳ/Ⅲ written as Roman numerals are read); reclaimed water above the wastewater treated (``exceeds_total``);
  wastewater treated above 1.5 × design capacity × days of the month (``over_capacity``); one plant under two
  districts (``inconsistent_area``); a plant filed under 全市 (``not_a_district``). Two columns are added: the
  class as normalised (``effluent_class_std``) and whether it meets 地表水Ⅳ类 for the main pollutants, i.e. 准Ⅳ类
  or better (``meets_class_iv``).
- forest and green-space survey (one row per area and year, the year from the file name): forest area above the
  land area, built-up area above the land area, green space of the built-up area above the built-up area (公顷 vs
  平方公里: 1 km² = 100 ha) and park green space above the green space of the built-up area (``exceeds_total``).
- household waste (monthly records per area, as above; the same area and month twice is ``duplicate_key``):
  incinerated + landfilled above 105 % of the waste collected (``exceeds_total``: the two treatment routes take
  part of the collected waste, the rest goes to biological treatment of kitchen waste; 5 % allows for stock carried
  over at the plants between months).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from pathlib import Path

import pyarrow as pa

from urbanmon.feeds import tabular
from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import FeedSpec

WASTEWATER_FEED = "environment__wastewater_plant_monthly"
CITY = "370100"
# effluent classes of urban wastewater plants, worst to best: 一级B/一级A of GB 18918-2002; 准Ⅳ类/准Ⅲ类 meet the
# surface-water class (GB 3838-2002) for COD, ammonia nitrogen and total phosphorus, Ⅳ类/Ⅲ类 for all of them
EFFLUENT_CLASSES = ("二级", "一级B", "一级A", "准IV类", "IV类", "准III类", "III类")
MEETS_CLASS_IV = frozenset(EFFLUENT_CLASSES[EFFLUENT_CLASSES.index("准IV类"):])
MAX_LOAD = 1.5           # treated at most 1.5 × design capacity × days (a month of storm inflow, not more)
TREATED_SLACK = 1.05     # incinerated + landfilled at most 105 % of the waste collected in the period

_MONTH_RE = re.compile(r"^\s*(?:(?P<year>\d{4})\s*(?:年|-|/|\.|)\s*)?(?P<month>\d{1,2})\s*月?(?:份)?\s*$")


def raw_schema(spec: FeedSpec) -> pa.Schema:
    schema = tabular.raw_schema(spec)
    if spec.feed_id == WASTEWATER_FEED:
        schema = schema.append(pa.field("effluent_class_std", pa.string())).append(
            pa.field("meets_class_iv", pa.bool_()))
    return schema


def normalise_effluent_class(text: str) -> str | None:
    """'准Ⅳ类' / '准 IV 类' / '地表水准Ⅳ类' -> '准IV类'; '一级 A' -> '一级A'; None when not a known class."""
    t = tabular._norm(text).upper().replace("Ⅳ", "IV").replace("Ⅲ", "III").replace("标准", "")
    t = t.removeprefix("地表水").replace("Ⅰ", "I")
    if t in ("IV", "III", "准IV", "准III"):
        t += "类"
    return t if t in EFFLUENT_CLASSES else None


def month_start(text: str, file_year: int) -> dt.date | None:
    """'2021-03', '2021/3', '202103', '2021年3月', '2021年03月', '3月', '3', a date cell of the 1st -> the month's
    first day; None when unreadable."""
    text = str(text).strip()
    cell = re.fullmatch(r"(\d{4})-(\d{1,2})-01(?:[ T]00:00(?::00)?)?", text)
    if cell:
        text = f"{cell.group(1)}-{cell.group(2)}"
    digits = re.fullmatch(r"(\d{4})(\d{2})", text)
    m = _MONTH_RE.match(text) if not digits else None
    if digits:
        year, month = int(digits.group(1)), int(digits.group(2))
    elif m:
        year, month = int(m.group("year") or file_year), int(m.group("month"))
    else:
        return None
    return dt.date(year, month, 1) if 1 <= month <= 12 else None


def _file_year(spec: FeedSpec, name: str) -> int:
    match = spec.matches(name)
    if not match:
        raise FeedError(name, "bad_file_name", f"the name must match {spec.filename_regex}")
    return int(match.group("period")[:4])


def _header(spec: FeedSpec, column: str) -> str:
    return next(c.header for c in spec.tabular.columns if c.name == column)


def _monthly(parsed: tabular.ParsedTable, spec: FeedSpec, name: str, month_col: str, key_column: str | None,
             today: dt.date | None) -> tuple[pa.Table, int]:
    """Monthly rows of a yearly file: period_start := the row's month; checks year, future and duplicates (of
    ``key_column`` and month, or area and month)."""
    file_year = _file_year(spec, name)
    today = today or dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    table = parsed.table
    month_header = _header(spec, month_col)
    months = table.column(month_col).to_pylist()
    lines = table.column("source_line").to_pylist()
    areas = table.column("area_code").to_pylist()
    keys = table.column(key_column).to_pylist() if key_column else areas
    starts, seen = [], {}
    for text, line, key in zip(months, lines, keys, strict=True):
        start = month_start(text, file_year)
        if start is None:
            raise FeedError(name, "bad_period", f"cannot read a month from {text!r}", line=line, column=month_header)
        if start.year != file_year:
            raise FeedError(name, "period_mismatch", f"month {start:%Y-%m} in a file for {file_year}", line=line,
                            column=month_header)
        if start > today:
            raise FeedError(name, "future_period", f"month {start:%Y-%m} is in the future (today {today})",
                            line=line, column=month_header)
        norm_key = (tabular._norm(key), start)
        if norm_key in seen:
            raise FeedError(name, "duplicate_key", f"{key} / {start:%Y-%m} again (first on line {seen[norm_key]})",
                            line=line, column=month_header)
        seen[norm_key] = line
        starts.append(start)
    index = table.schema.get_field_index("period_start")
    table = table.set_column(index, "period_start", pa.array(starts, pa.date32()))
    return table, file_year


def parse_wastewater_plants(path: Path, spec: FeedSpec, name: str | None = None,
                            today: dt.date | None = None) -> tabular.ParsedTable:
    name = name or path.name
    return parse_wastewater_plants_bytes(path.read_bytes(), spec, name, today)


def parse_wastewater_plants_bytes(raw: bytes, spec: FeedSpec, name: str,
                                  today: dt.date | None = None) -> tabular.ParsedTable:
    parsed = tabular.parse_bytes(raw, spec, name, today)
    table, file_year = _monthly(parsed, spec, name, "month", "plant_name", today)
    h = {c.name: c.header for c in spec.tabular.columns}
    cols = {c: table.column(c).to_pylist() for c in (
        "source_line", "period_start", "plant_name", "area_code", "area_name", "design_capacity_wan_t_per_day",
        "wastewater_treated_wan_t", "reclaimed_water_used_wan_t", "effluent_class")}
    classes, meets, plant_area = [], [], {}
    for i, line in enumerate(cols["source_line"]):
        plant = tabular._norm(cols["plant_name"][i])
        if cols["area_code"][i] == CITY:
            raise FeedError(name, "not_a_district", f"{cols['plant_name'][i]} is filed under {cols['area_name'][i]}; "
                            "a plant lies in a district (or functional zone)", line=line, column=h["area_name"])
        first = plant_area.setdefault(plant, (cols["area_code"][i], line))
        if first[0] != cols["area_code"][i]:
            raise FeedError(name, "inconsistent_area", f"{cols['plant_name'][i]} under {cols['area_name'][i]} here "
                            f"and under another district on line {first[1]}", line=line, column=h["area_name"])
        cls = normalise_effluent_class(cols["effluent_class"][i])
        if cls is None:
            raise FeedError(name, "unknown_category", f"effluent class {cols['effluent_class'][i]!r} is none of "
                            f"{list(EFFLUENT_CLASSES)}", line=line, column=h["effluent_class"])
        classes.append(cls)
        meets.append(cls in MEETS_CLASS_IV)
        treated, reclaimed = cols["wastewater_treated_wan_t"][i], cols["reclaimed_water_used_wan_t"][i]
        if reclaimed > treated:
            raise FeedError(name, "exceeds_total", f"reclaimed water {reclaimed:g} above the wastewater treated "
                            f"{treated:g} (a utilisation above 100 %)", line=line,
                            column=h["reclaimed_water_used_wan_t"])
        start = cols["period_start"][i]
        days = calendar.monthrange(start.year, start.month)[1]
        ceiling = MAX_LOAD * cols["design_capacity_wan_t_per_day"][i] * days
        if treated > ceiling:
            raise FeedError(name, "over_capacity", f"{treated:g} 万吨 treated in {days} days is above {MAX_LOAD} × "
                            f"the design capacity ({ceiling:g} 万吨)", line=line, column=h["wastewater_treated_wan_t"])
    table = table.append_column("effluent_class_std", pa.array(classes, pa.string()))
    table = table.append_column("meets_class_iv", pa.array(meets, pa.bool_()))
    return tabular.ParsedTable(name=name, report_date=dt.date(file_year, 1, 1), table=table, values=parsed.values)


def parse_forest_greenspace(path: Path, spec: FeedSpec, name: str | None = None,
                            today: dt.date | None = None) -> tabular.ParsedTable:
    name = name or path.name
    return parse_forest_greenspace_bytes(path.read_bytes(), spec, name, today)


def parse_forest_greenspace_bytes(raw: bytes, spec: FeedSpec, name: str,
                                  today: dt.date | None = None) -> tabular.ParsedTable:
    """The annual forest and green-space survey: one row per area; areas that cannot hold more than their whole."""
    parsed = tabular.parse_bytes(raw, spec, name, today)
    h = {c.name: c.header for c in spec.tabular.columns}
    t = parsed.table.to_pydict()
    for i, line in enumerate(t["source_line"]):
        land, forest, built = t["land_area_km2"][i], t["forest_area_km2"][i], t["built_up_area_km2"][i]
        green, park = t["built_up_green_area_ha"][i], t["park_green_area_ha"][i]
        checks = [
            (forest, land, "forest_area_km2", f"forest area {forest:g} km² above the land area {land:g} km²"),
            (built, land, "built_up_area_km2", f"built-up area {built:g} km² above the land area {land:g} km²"),
            (green / 100, built, "built_up_green_area_ha",
             f"green space {green:g} ha above the built-up area {built:g} km² (= {built * 100:g} ha)"),
            (park, green, "park_green_area_ha", f"park green space {park:g} ha above the green space of the "
             f"built-up area {green:g} ha"),
        ]
        for part, whole, column, message in checks:
            if part > whole * (1 + 1e-9):
                raise FeedError(name, "exceeds_total", f"{message}: a share above 100 %", line=line,
                                column=h[column])
    return parsed


def parse_household_waste(path: Path, spec: FeedSpec, name: str | None = None,
                          today: dt.date | None = None) -> tabular.ParsedTable:
    name = name or path.name
    return parse_household_waste_bytes(path.read_bytes(), spec, name, today)


def parse_household_waste_bytes(raw: bytes, spec: FeedSpec, name: str,
                                today: dt.date | None = None) -> tabular.ParsedTable:
    """Monthly household-waste records per area: the treatment routes cannot take more than was collected."""
    parsed = tabular.parse_bytes(raw, spec, name, today)
    table, file_year = _monthly(parsed, spec, name, "month", None, today)
    h = {c.name: c.header for c in spec.tabular.columns}
    t = table.to_pydict()
    for i, line in enumerate(t["source_line"]):
        collected, incinerated = t["collected_wan_t"][i], t["incinerated_wan_t"][i]
        landfilled = t["landfilled_wan_t"][i]
        if incinerated + landfilled > collected * TREATED_SLACK + 1e-9:
            raise FeedError(name, "exceeds_total", f"incinerated {incinerated:g} + landfilled {landfilled:g} above "
                            f"{TREATED_SLACK:g} × the waste collected {collected:g} (万吨): a share above 100 %",
                            line=line, column=h["incinerated_wan_t"])
    return tabular.ParsedTable(name=name, report_date=dt.date(file_year, 1, 1), table=table, values=parsed.values)
