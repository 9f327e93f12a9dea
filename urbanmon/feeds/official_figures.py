"""The adapter for officially published figures (feed statistics__jinan_official_figures): the value of record.

A statistician types the figures the bureau and the city government published (统计公报, 统计年鉴, 新闻发布会) into
one tidy template (docs/official-figures.md): one figure a row with 名称, 地区, 年份, 数值, 单位, 限定, 文件, 发布机构,
发布日期, 链接或页码, 原文, 来源类型, 可信度 (备注 optional); CSV in UTF-8 or GB18030, or XLSX. The table is read by
the generic tabular adapter (encodings, headers, footnotes, empty and truncated files, a year in the future:
``future_period``); on top of it every row is checked against the registry and ``registry/official_names.yaml``,
and the file is refused, naming file, line, column and rule, for:

- a name that is no indicator (code, name_zh), component, context statistic or alias (``unknown_name``),
- an area that is no registry area code, name or alias (``unknown_area``),
- a unit other than the registry's for the indicator, or the declared one for a component or context statistic
  (``unit_mismatch``: 人 where 万人 is declared, 万元 where 元 is),
- the same figure (name, area, year) twice: with different values ``conflicting_values``, with the same value
  ``duplicate_figure`` (one figure a row: a second document that confirms it goes into 备注),
- a row without its source document (``missing_document``),
- a value outside the indicator's natural limits (registry ``limits``; declared ``limits`` otherwise:
  ``out_of_range``),
- a qualifier that cannot be read (``bad_qualifier``).

The raw table keeps every row as sent, plus the canonical figure code and kind, the area code, the declared unit and
the normalised qualifier; dbt decides what is the value of record.
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

NAMES_FILE = "official_names.yaml"
# how a qualifier may be written -> its code; empty means the figure is exact
QUALIFIERS = {
    ">": ">", "＞": ">", "超过": ">", "大于": ">", "逾": ">", "多于": ">", "以上": ">",
    "<": "<", "＜": "<", "不足": "<", "小于": "<", "少于": "<", "不到": "<",
    "约": "约", "左右": "约", "近": "约", "约为": "约", "~": "约", "≈": "约",
}
EXTRA_COLUMNS = [("area_code", pa.string()), ("figure_code", pa.string()), ("figure_kind", pa.string()),
                 ("figure_name_zh", pa.string()), ("declared_unit", pa.string()), ("qualifier_code", pa.string())]


@dataclass(frozen=True)
class Figure:
    """What a row may name: an indicator, a component or a context statistic."""

    code: str
    kind: str  # indicator | component | context
    name_zh: str
    unit: str
    min: float | None
    max: float | None


@cache
def _names_doc() -> dict:
    from urbanmon.registry import registry_dir

    return yaml.safe_load((registry_dir() / NAMES_FILE).read_text(encoding="utf-8"))


@cache
def figures() -> dict[str, Figure]:
    """Every accepted spelling (normalised) -> the figure it names."""
    from urbanmon import registry

    reg = registry.load()
    doc = _names_doc()
    out: dict[str, Figure] = {}

    def add(names, figure: Figure):
        for name in names:
            key = tabular._norm(name)
            if key in out and out[key] != figure:
                raise ValueError(f"{NAMES_FILE}: {name!r} names both {out[key].code} and {figure.code}")
            out[key] = figure

    aliases = doc.get("indicator_aliases") or {}
    for code in aliases:
        if code not in reg.indicators:
            raise ValueError(f"{NAMES_FILE}: indicator_aliases names unknown indicator {code!r}")
    for ind in reg.indicators.values():
        add((ind.code, ind.name_zh, *aliases.get(ind.code, ())),
            Figure(ind.code, "indicator", ind.name_zh, ind.unit, ind.limit_min, ind.limit_max))
    for kind in ("components", "context"):
        for entry in doc.get(kind) or []:
            limits = entry.get("limits") or {}
            add((entry["code"], entry["name_zh"], *entry.get("aliases", ())),
                Figure(entry["code"], kind.rstrip("s"), entry["name_zh"], entry["unit"], limits.get("min"),
                       limits.get("max")))
    return out


def derivations() -> list[dict]:
    """indicator = numerator / denominator × scale (registry/official_names.yaml)."""
    return list(_names_doc().get("derivations") or [])


@cache
def _unit_spellings() -> dict[str, set[str]]:
    """A unit -> the spellings that mean it: the registry code and its Chinese name (km = 公里, % = ％ = 百分比);
    a ratio is printed without a unit (2.44:1)."""
    from urbanmon import registry

    out: dict[str, set[str]] = {}
    for code, unit in registry.load().units.items():
        names = {code, unit.get("name_zh") or code}
        for name in names:
            out.setdefault(name, set()).update(names)
    out.setdefault("%", set()).update({"％", "百分比"})
    out.setdefault("ratio", set()).update({"", "比值", ":1", "：1"})
    return out


def _unit_ok(sent: str | None, declared: str) -> bool:
    sent = tabular._norm(sent or "")
    return sent in _unit_spellings().get(declared, {declared}) | {declared}


@cache
def _area_codes() -> dict[str, str]:
    from urbanmon import registry

    table = dict(tabular.area_lookup())
    table.update({code: code for code in registry.load().areas})
    return table


def raw_schema(spec: FeedSpec) -> pa.Schema:
    schema = tabular.raw_schema(spec)
    for name, kind in EXTRA_COLUMNS:
        schema = schema.append(pa.field(name, kind))
    return schema


def parse(path: Path, spec: FeedSpec, name: str | None = None, today: dt.date | None = None) -> tabular.ParsedTable:
    name = name or path.name
    return parse_bytes(path.read_bytes(), spec, name, today)


def parse_bytes(raw: bytes, spec: FeedSpec, name: str, today: dt.date | None = None) -> tabular.ParsedTable:
    match = spec.matches(name)
    if not match:
        raise FeedError(name, "bad_file_name", f"the name must match {spec.filename_regex}")
    parsed = tabular.parse_bytes(raw, spec, name, today)
    table = parsed.table
    headers = {c.name: c.header for c in spec.tabular.columns}
    by_name = figures()
    areas = _area_codes()

    cols = {c: table.column(c).to_pylist() for c in
            ("period_start", "source_line", "name", "area", "value", "unit", "qualifier", "document")}
    extra: dict[str, list] = {n: [] for n, _ in EXTRA_COLUMNS}
    seen: dict[tuple[str, str, int], tuple[float, int]] = {}
    for i, line in enumerate(cols["source_line"]):
        figure = by_name.get(tabular._norm(cols["name"][i]))
        if figure is None:
            raise FeedError(name, "unknown_name", f"{cols['name'][i]!r} is no indicator (registry/indicators.yaml "
                            f"code or name_zh), component, context statistic or alias (registry/{NAMES_FILE})",
                            line=line, column=headers["name"])
        area_code = areas.get(tabular._norm(cols["area"][i]))
        if area_code is None:
            raise FeedError(name, "unknown_area", f"unknown area {cols['area'][i]!r} (registry/areas.yaml codes, "
                            "names and aliases)", line=line, column=headers["area"])
        if not _unit_ok(cols["unit"][i], figure.unit):
            raise FeedError(name, "unit_mismatch", f"{figure.name_zh} in {cols['unit'][i] or '(no unit)'!r}; the "
                            f"{'registry' if figure.kind == 'indicator' else 'declared unit'} is {figure.unit!r}",
                            line=line, column=headers["unit"])
        if not (cols["document"][i] or "").strip():
            raise FeedError(name, "missing_document", f"{figure.name_zh} {cols['period_start'][i].year} has no source "
                            "document: every figure names the publication it is taken from", line=line,
                            column=headers["document"])
        value = cols["value"][i]
        if (figure.min is not None and value < figure.min) or (figure.max is not None and value > figure.max):
            raise FeedError(name, "out_of_range", f"{value:g} outside [{figure.min}, {figure.max}] for "
                            f"{figure.name_zh}", line=line, column=headers["value"])
        qualifier_text = tabular._norm(cols["qualifier"][i] or "")
        qualifier = QUALIFIERS.get(qualifier_text) if qualifier_text else None
        if qualifier_text and qualifier is None:
            raise FeedError(name, "bad_qualifier", f"cannot read the qualifier {cols['qualifier'][i]!r} (use >, < or "
                            "约; empty for an exact figure)", line=line, column=headers["qualifier"])
        key = (figure.code, area_code, cols["period_start"][i].year)
        if key in seen:
            first_value, first_line = seen[key]
            if first_value != value:
                raise FeedError(name, "conflicting_values", f"{figure.name_zh} {cols['area'][i]} {key[2]}: {value:g} "
                                f"here, {first_value:g} on line {first_line}: one value of record a file",
                                line=line, column=headers["value"])
            raise FeedError(name, "duplicate_figure", f"{figure.name_zh} {cols['area'][i]} {key[2]} again (line "
                            f"{first_line}): one figure a row; name a confirming document in 备注", line=line,
                            column=headers["name"])
        seen[key] = (value, line)
        for column, v in zip([n for n, _ in EXTRA_COLUMNS],
                             (area_code, figure.code, figure.kind, figure.name_zh, figure.unit, qualifier),
                             strict=True):
            extra[column].append(v)

    for column, kind in EXTRA_COLUMNS:
        table = table.append_column(column, pa.array(extra[column], kind))
    edition = dt.date(int(match.group("period")), 1, 1)
    return tabular.ParsedTable(name=name, report_date=edition, table=table, values=parsed.values)

