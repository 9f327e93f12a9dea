"""The adapter for the operators' district broadband reports (feed telecom__operator_district_reports).

The table itself is read by the generic tabular adapter (urbanmon/feeds/tabular.py: encodings, headers and their
units (户), area aliases, footnotes, duplicate district × operator, bounds, future periods, empty and truncated
files). On top of it, row by row and district by district, the file is refused, naming file, line, column and rule,
for:

- an operator other than 中国移动, 中国联通, 中国电信, 中国广电 or 全网 (``unknown_operator``; the short forms 移动,
  联通, 电信, 广电 and 全网合计/合计(去重) are mapped);
- more households with fibre into the home, or with gigabit-capable access, than households the fibre reaches, or
  more reached than households (``exceeds_total``: a coverage of 130 %);
- a district whose rows state different household totals (``inconsistent_households``: households are the
  district's, not the operator's);
- year-end figures for a year that has not ended (``future_period``, also for the current year);
- an operator above its district's 全网 row (``exceeds_total``: 全网 counts each household once over all operators,
  so it is at least the largest operator).

The raw table keeps the rows as sent, with the operator's name normalised.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from urbanmon.feeds import tabular
from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import FeedSpec

ALL_OPERATORS = "全网"
OPERATORS = {"中国移动": "中国移动", "移动": "中国移动", "中国联通": "中国联通", "联通": "中国联通",
             "中国电信": "中国电信", "电信": "中国电信", "中国广电": "中国广电", "广电": "中国广电",
             "全网": ALL_OPERATORS, "全网合计": ALL_OPERATORS, "合计(去重)": ALL_OPERATORS}
COUNTS = ("fibre_reachable_households", "ftth_households", "gigabit_capable_households")


def raw_schema(spec: FeedSpec) -> pa.Schema:
    return tabular.raw_schema(spec)


def parse(path: Path, spec: FeedSpec, name: str | None = None, today: dt.date | None = None) -> tabular.ParsedTable:
    name = name or path.name
    return parse_bytes(path.read_bytes(), spec, name, today)


def parse_bytes(raw: bytes, spec: FeedSpec, name: str, today: dt.date | None = None) -> tabular.ParsedTable:
    parsed = tabular.parse_bytes(raw, spec, name, today)
    table = parsed.table
    today = today or dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    if dt.date(parsed.report_date.year, 12, 31) > today:
        # year-end figures: a year that has not ended yet cannot have them
        raise FeedError(name, "future_period", f"year-end figures for {parsed.report_date.year}, a year not yet "
                        f"ended (today {today})", line=table.column("source_line")[0].as_py())
    header = {c.name: c.header for c in spec.tabular.columns}
    cols = {c: table.column(c).to_pylist() for c in
            ("source_line", "area_code", "area_name", "operator", "households", *COUNTS)}

    operators = []
    seen: dict[tuple[str, str], int] = {}
    for i, line in enumerate(cols["source_line"]):
        op = OPERATORS.get(tabular._norm(cols["operator"][i]))
        if op is None:
            raise FeedError(name, "unknown_operator", f"operator {cols['operator'][i]!r} is not one of "
                            f"{sorted(set(OPERATORS.values()))}", line=line, column=header["operator"])
        key = (cols["area_code"][i], op)
        if key in seen:
            raise FeedError(name, "duplicate_key", f"{cols['area_name'][i]} / {op} again (first on line {seen[key]})",
                            line=line, column=header["operator"])
        seen[key] = line
        operators.append(op)
        for part, total in (("fibre_reachable_households", "households"),
                            ("ftth_households", "fibre_reachable_households"),
                            ("gigabit_capable_households", "fibre_reachable_households")):
            if cols[part][i] is not None and cols[part][i] > cols[total][i]:
                share = 100 * cols[part][i] / cols[total][i] if cols[total][i] else float("inf")
                raise FeedError(name, "exceeds_total", f"{header[part]} {cols[part][i]} exceeds {header[total]} "
                                f"{cols[total][i]} ({share:.0f} %)", line=line, column=header[part])

    first: dict[str, int] = {}
    for i, line in enumerate(cols["source_line"]):
        area = cols["area_code"][i]
        j = first.setdefault(area, i)
        if cols["households"][i] != cols["households"][j]:
            raise FeedError(name, "inconsistent_households", f"{cols['area_name'][i]}: {cols['households'][i]} "
                            f"households here, {cols['households'][j]} on line {cols['source_line'][j]}",
                            line=line, column=header["households"])
    union = {cols["area_code"][i]: i for i, op in enumerate(operators) if op == ALL_OPERATORS}
    for i, line in enumerate(cols["source_line"]):
        u = union.get(cols["area_code"][i])
        if u is None or u == i:
            continue
        for count in COUNTS:
            if cols[count][i] is not None and cols[count][u] is not None and cols[count][i] > cols[count][u]:
                raise FeedError(name, "exceeds_total", f"{operators[i]} {header[count]} {cols[count][i]} exceeds "
                                f"the district's 全网 {cols[count][u]} (line {cols['source_line'][u]})", line=line,
                                column=header[count])

    index = table.schema.get_field_index("operator")
    table = table.set_column(index, "operator", pa.array(operators, pa.string()))
    return tabular.ParsedTable(name=name, report_date=parsed.report_date, table=table, values=parsed.values)
