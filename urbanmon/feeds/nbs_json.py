"""The adapter for the NBS data-API JSON (国家统计局数据查询接口, easyquery ``QueryData``), feed
statistics__nbs_city_annual.

A file is one answer of the API as saved by the download job::

    {"returncode": 200,
     "returndata": {"datanodes": [{"code": "zb.A030101_reg.370100_sj.2020",
                                   "data": {"data": 924.2, "dotcount": 2, "hasdata": true, "strdata": "924.20"},
                                   "wds": [{"valuecode": "A030101", "wdcode": "zb"},
                                           {"valuecode": "370100", "wdcode": "reg"},
                                           {"valuecode": "2020", "wdcode": "sj"}]}, ...],
                    "wdnodes": [{"wdcode": "zb", "wdname": "指标",
                                 "nodes": [{"code": "A030101", "cname": "年末常住人口", "unit": "万人", ...}]},
                                {"wdcode": "reg", "wdname": "地区", "nodes": [{"code": "370100", "cname": "济南市"}]},
                                {"wdcode": "sj", "wdname": "时间", "nodes": [{"code": "2020", "cname": "2020年"}]}]}}

Every indicator (``zb``) must be in the catalogue ``sources/<feed>/indicators.yaml`` (zb code -> raw column, name,
unit, bounds), with the catalogue's unit; every region (``reg``) a registry area code; every time (``sj``) a year,
the year of the file name, not in the future. ``hasdata: false`` is a missing value (loaded as NULL). The file is
refused whole, naming file, line (of the node's ``code`` in the file), the JSON path and the rule, for: not UTF-8
(``encoding``), not JSON (``not_json``), ``returncode`` other than 200 (``bad_returncode``), a missing part of the
structure (``missing_field``), no data node (``empty_file``), an unknown indicator (``unknown_indicator``), a unit
other than the catalogue's (``unit_mismatch``), an unknown region (``unknown_area``), a bad or foreign period
(``bad_period``, ``period_mismatch``), a period in the future (``future_period``), the same node twice
(``duplicate_key``), a node whose code disagrees with its ``wds`` (``inconsistent_node``), a value that is not a
number (``not_numeric``) or outside its bounds (``out_of_range``: an urbanisation rate of 130 %).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow as pa
import yaml

from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import FeedSpec
from urbanmon.feeds.tabular import ParsedTable

CATALOGUE_FILE = "indicators.yaml"
DIMENSIONS = ("zb", "reg", "sj")


@dataclass(frozen=True)
class Indicator:
    zb: str
    column: str
    name_zh: str
    unit: str
    min: float | None
    max: float | None
    description: str = ""


@cache
def _catalogue_at(path: Path) -> dict[str, Indicator]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    out: dict[str, Indicator] = {}
    for e in doc["indicators"]:
        ind = Indicator(zb=str(e["zb"]), column=e["column"], name_zh=e["name_zh"], unit=e["unit"], min=e.get("min"),
                        max=e.get("max"), description=e.get("description", ""))
        if ind.zb in out or ind.column in {i.column for i in out.values()}:
            raise ValueError(f"{path}: zb code {ind.zb!r} or column {ind.column!r} twice")
        out[ind.zb] = ind
    return out


def catalogue(spec: FeedSpec) -> dict[str, Indicator]:
    """NBS zb code -> catalogue entry (sources/<feed>/indicators.yaml)."""
    return _catalogue_at(spec.folder / CATALOGUE_FILE)


def raw_schema(spec: FeedSpec) -> pa.Schema:
    return pa.schema([
        pa.field("period_start", pa.date32()),
        pa.field("source_line", pa.int32()),
        pa.field("node_index", pa.int32()),
        pa.field("is_synthetic", pa.bool_()),
        pa.field("area_code", pa.string()),
        pa.field("zb_code", pa.string()),
        pa.field("reg_code", pa.string()),
        pa.field("sj_code", pa.string()),
        pa.field("indicator_name", pa.string()),
        pa.field("region_name", pa.string()),
        pa.field("unit", pa.string()),
        pa.field("raw_column", pa.string()),
        pa.field("value", pa.float64()),
        pa.field("has_data", pa.bool_()),
        pa.field("str_data", pa.string()),
    ])


def parse(path: Path, spec: FeedSpec, name: str | None = None, today: dt.date | None = None) -> ParsedTable:
    name = name or path.name
    return parse_bytes(path.read_bytes(), spec, name, today)


def _get(obj, key: str, name: str, where: str, line: int | None = None):
    if not isinstance(obj, dict) or key not in obj:
        raise FeedError(name, "missing_field", f"no {key!r} in {where}", line=line, column=where)
    return obj[key]


def _area_codes() -> set[str]:
    from urbanmon import registry

    return set(registry.load().areas)


def parse_bytes(raw: bytes, spec: FeedSpec, name: str, today: dt.date | None = None) -> ParsedTable:
    if not raw.strip():
        raise FeedError(name, "empty_file", "the file is empty")
    match = spec.matches(name)
    if not match:
        raise FeedError(name, "bad_file_name", f"the name must match {spec.filename_regex}")
    is_synthetic = bool(match.groupdict().get("synthetic"))
    file_year = int(match.group("period"))
    today = today or dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    if dt.date(file_year, 1, 1) > today:
        raise FeedError(name, "future_period", f"period {file_year}-01-01 is in the future (today {today})")

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FeedError(name, "encoding", f"not UTF-8 (the API answers in UTF-8): {exc.reason}", line=line) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FeedError(name, "not_json", f"not a JSON document: {exc.msg}", line=exc.lineno) from None

    code = _get(doc, "returncode", name, "$")
    if code != 200:
        detail = doc.get("returndata") if isinstance(doc.get("returndata"), str) else ""
        raise FeedError(name, "bad_returncode", f"returncode {code!r} (200 expected) {detail}".strip(),
                        column="returncode")
    data = _get(doc, "returndata", name, "$")
    nodes = _get(data, "datanodes", name, "returndata")
    wdnodes = _get(data, "wdnodes", name, "returndata")
    if not isinstance(nodes, list) or not isinstance(wdnodes, list):
        raise FeedError(name, "missing_field", "datanodes and wdnodes must be lists", column="returndata")
    if not nodes:
        raise FeedError(name, "empty_file", "returndata.datanodes is empty: the query returned no data")

    # the dimension nodes: code -> node, per dimension (zb, reg, sj)
    dims: dict[str, dict[str, dict]] = {}
    for i, wd in enumerate(wdnodes):
        wdcode = _get(wd, "wdcode", name, f"returndata.wdnodes[{i}]")
        dims[wdcode] = {str(_get(n, "code", name, f"returndata.wdnodes[{i}].nodes")): n
                        for n in _get(wd, "nodes", name, f"returndata.wdnodes[{i}]")}
    for d in DIMENSIONS:
        if d not in dims:
            raise FeedError(name, "missing_field", f"no dimension {d!r} in returndata.wdnodes", column="wdnodes")

    cursor = text.find('"datanodes"')
    catalogue_ = catalogue(spec)
    areas = _area_codes()
    out: dict[str, list] = {f.name: [] for f in raw_schema(spec)}
    seen: dict[tuple[str, str, str], int] = {}
    values = 0
    for i, node in enumerate(nodes):
        where = f"returndata.datanodes[{i}]"
        node_code = str(_get(node, "code", name, where))
        # the line of the node's code in the file (nodes appear in order: search on from the previous one)
        found = re.compile(r'"code"\s*:\s*' + re.escape(json.dumps(node_code, ensure_ascii=False))).search(
            text, max(cursor, 0))
        line = None
        if found:
            cursor = found.end()
            line = text.count("\n", 0, found.start()) + 1
        wds = {}
        for w in _get(node, "wds", name, where, line):
            wds[_get(w, "wdcode", name, f"{where}.wds", line)] = str(_get(w, "valuecode", name, f"{where}.wds", line))
        if any(d not in wds for d in DIMENSIONS):
            raise FeedError(name, "missing_field", f"wds lacks one of {DIMENSIONS}: {wds}", line=line, column=where)
        zb, reg, sj = (wds[d] for d in DIMENSIONS)
        if node_code != f"zb.{zb}_reg.{reg}_sj.{sj}":
            raise FeedError(name, "inconsistent_node", f"code {node_code!r} disagrees with its wds ({zb}, {reg}, "
                            f"{sj})", line=line, column=where)

        indicator = catalogue_.get(zb)
        if indicator is None:
            raise FeedError(name, "unknown_indicator", f"zb {zb!r} is not in the catalogue ({spec.feed_id}/"
                            f"{CATALOGUE_FILE})", line=line, column=where)
        zb_node = dims["zb"].get(zb)
        if zb_node is None:
            raise FeedError(name, "missing_field", f"zb {zb!r} not described in returndata.wdnodes", line=line,
                            column=where)
        unit = str(zb_node.get("unit") or "").strip()
        if unit != indicator.unit:
            raise FeedError(name, "unit_mismatch", f"{indicator.name_zh} ({zb}) in {unit!r}; the catalogue has "
                            f"{indicator.unit!r}", line=line, column=where)
        if reg not in areas:
            raise FeedError(name, "unknown_area", f"region code {reg!r} is not an area of registry/areas.yaml",
                            line=line, column=where)
        if not re.fullmatch(r"\d{4}", sj):
            raise FeedError(name, "bad_period", f"sj {sj!r} is not a year", line=line, column=where)
        period = dt.date(int(sj), 1, 1)
        if period > today:
            raise FeedError(name, "future_period", f"period {period} is in the future (today {today})", line=line,
                            column=where)
        if int(sj) != file_year:
            raise FeedError(name, "period_mismatch", f"sj {sj} in a file for {file_year}", line=line, column=where)
        key = (zb, reg, sj)
        if key in seen:
            raise FeedError(name, "duplicate_key", f"node {node_code} again (first at datanodes[{seen[key]}])",
                            line=line, column=where)
        seen[key] = i

        cell = _get(node, "data", name, where, line)
        has_data = bool(_get(cell, "hasdata", name, f"{where}.data", line))
        value = None
        if has_data:
            number = cell.get("data")
            if isinstance(number, bool) or not isinstance(number, int | float) or number != number \
                    or number in (float("inf"), float("-inf")):
                raise FeedError(name, "not_numeric", f"{number!r} is not a number", line=line, column=where)
            value = float(number)
            if (indicator.min is not None and value < indicator.min) or \
                    (indicator.max is not None and value > indicator.max):
                raise FeedError(name, "out_of_range", f"{value:g} outside [{indicator.min}, {indicator.max}] for "
                                f"{indicator.name_zh}", line=line, column=where)
            values += 1

        reg_node = dims["reg"].get(reg, {})
        out["period_start"].append(period)
        out["source_line"].append(line)
        out["node_index"].append(i)
        out["is_synthetic"].append(is_synthetic)
        out["area_code"].append(reg)
        out["zb_code"].append(zb)
        out["reg_code"].append(reg)
        out["sj_code"].append(sj)
        out["indicator_name"].append(str(zb_node.get("cname") or zb_node.get("name") or ""))
        out["region_name"].append(str(reg_node.get("cname") or reg_node.get("name") or ""))
        out["unit"].append(unit)
        out["raw_column"].append(indicator.column)
        out["value"].append(value)
        out["has_data"].append(has_data)
        out["str_data"].append(None if cell.get("strdata") is None else str(cell.get("strdata")))

    table = pa.table(out, schema=raw_schema(spec))
    return ParsedTable(name=name, report_date=dt.date(file_year, 1, 1), table=table, values=values)
