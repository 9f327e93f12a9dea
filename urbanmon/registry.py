"""The plan registry (registry/*.yaml): loaded, validated and turned into rows.

A broken registry (unknown unit, target in the wrong direction, unparsable comparator, duplicate code, ...) raises
:class:`RegistryError` listing every problem with the entry it is in; the pipeline loads the registry before dbt runs
and the dbt models that read it call the same loader, so nothing is published from a broken registry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from urbanmon import wording
from urbanmon.settings import REPO_ROOT

CATEGORIES = {"smart": "智慧城镇化", "green": "绿色城镇化", "balanced": "均衡城镇化", "two_way": "双向城镇化"}
KINDS = {"headline", "text_target"}
DIRECTIONS = {"higher", "lower", "band", "maintain", "projection"}
COMPARATORS = {"reach", ">", ">=", "<", "<=", "about", "band", "done"}
# optional keys of a milestone beside year, comparator, value, text: the plan text's words of a target whose table cell
# is a sign or a bare figure (the text's words decide: urbanmon.wording), and why it is read so
MILESTONE_OPTIONAL = {"wording", "reading_note", "cumulative", "period_start", "tolerance_pct", "low", "high",
                      "band_reason", "evidence", "areas", "no_deadline", "effective_from", "revision"}
# done (基本建成 / 基本完成): a dated yes/no milestone, value 1 = done, settled by the evidence the entry names;
# areas: the plan sets the target for these areas by name (assessed for them, not for the city);
# no_deadline: the plan states no year (year: null), judged as the level reached, with no planned path;
# effective_from + revision: a later version of a milestone (a revision of the plan, 必要时对本规划进行修订): the
# statuses of data years before the year of its effective date keep the earlier target
QUALIFIERS = {None, "<", ">", "about"}
PATHS = {"linear", "compound"}
METHODS = {"distance", "pace", "projection"}
# what a year's figure of an indicator is (the one place it is decided; served as value_kind):
#   stock      - a level at the end of the year (5G stations, population, coverage, capacity);
#   annual     - the year's own amount or rate (good-days ratio, income ratio, treatment shares);
#   cumulative - the plan's target is a running total of annual amounts over a period (〔〕 targets: 职业技能培训人次):
#                indicator_values.value is the year's amount, the progress and headline views the running total.
VALUE_KINDS = {"stock": "存量（年末水平）", "annual": "年度值（当年数量或比率）",
               "cumulative": "累计值（规划期内逐年累加）"}
AREA_KINDS = {"city", "county", "functional_zone"}
CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
REQUIRED_KEYS = ("code", "kind", "headline_no", "name_zh", "name_en", "category", "unit", "direction", "limits",
                 "baseline", "milestones", "footnotes", "plan_ref", "formula", "feed", "release", "department",
                 "per_district", "binding", "path", "method", "precision", "value_kind")
MAX_PRECISION = 4
# the registry files whose content is the registry version (served as registry_version; a change rebuilds everything
# and is announced once): the plan's indicators, units and areas, and the platform's league rule
VERSIONED_FILES = ("units.yaml", "indicators.yaml", "areas.yaml", "league.yaml")
_NUMBER_RE = re.compile(r"\d+(?:\.(\d+))?")


class RegistryError(ValueError):
    """Every problem found in the registry files, each naming its file and entry."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid plan registry:\n  " + "\n  ".join(problems))


def registry_dir() -> Path:
    return Path(os.environ.get("URBANMON_REGISTRY_DIR") or REPO_ROOT / "registry")


@dataclass(frozen=True)
class Milestone:
    year: int | None                 # None only with no_deadline
    comparator: str
    value: float | None
    text: str
    cumulative: bool = False
    wording: str | None = None
    reading_note: str | None = None
    band_reason: str | None = None
    period_start: int | None = None
    tolerance_pct: float | None = None
    low: float | None = None
    high: float | None = None
    evidence: str | None = None
    areas: tuple[str, ...] = ()
    no_deadline: bool = False
    effective_from: dt.date | None = None   # a revised target: in force for the data years from this date's year on
    revision: str | None = None             # the plan revision it comes from
    is_current: bool = True                 # the version in force now (the latest of its milestone year)


@dataclass(frozen=True)
class Indicator:
    code: str
    kind: str
    headline_no: int | None
    name_zh: str
    name_en: str
    category: str
    unit: str
    direction: str
    limit_min: float | None
    limit_max: float | None
    baseline_year: int | None
    baseline_value: float | None
    baseline_qualifier: str | None
    baseline_text: str | None
    milestones: tuple[Milestone, ...]
    footnotes: tuple[str, ...]
    plan_chapter: str
    plan_section: str
    plan_quote: str
    formula: str
    feed: str | None
    release_frequency: str | None
    release_month: int | None
    release_note: str | None
    department: str | None
    per_district: bool
    binding: bool
    path: str
    method: str
    precision: int = 0
    unit_text: str | None = None
    validity_min_denominator: float | None = None   # a year's value is complete (judged) from this denominator on
    validity_rule: str | None = None                # the rule's source, e.g. HJ 663-2013: 324 valid days a year
    value_kind: str = "stock"                        # VALUE_KINDS


@dataclass(frozen=True)
class Area:
    code: str
    name_zh: str
    short_name: str
    name_en: str
    kind: str
    parent_code: str | None
    code_system: str
    aliases: tuple[str, ...] = ()
    note: str | None = None


@dataclass
class Registry:
    indicators: dict[str, Indicator]
    units: dict[str, dict]
    areas: dict[str, Area]
    version: str = ""
    problems: list[str] = field(default_factory=list)


def _num(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"not a number: {value!r}")
    return float(value)


def _check_milestone(raw: dict, where: str, ind: dict, problems: list[str]) -> Milestone | None:
    unknown = sorted(set(raw) - {"year", "comparator", "value", "text"} - MILESTONE_OPTIONAL)
    if unknown:
        problems.append(f"{where}: unknown keys {unknown}")
    try:
        comparator = raw.get("comparator")
        if comparator not in COMPARATORS:
            problems.append(f"{where}: unparsable comparator {comparator!r} (one of {sorted(COMPARATORS)})")
            return None
        year = raw.get("year")
        no_deadline = raw.get("no_deadline", False)
        if no_deadline not in (True, False):
            problems.append(f"{where}: no_deadline must be true or false")
            return None
        if no_deadline and year is not None:
            problems.append(f"{where}: no_deadline with a milestone year {year!r}: the plan states no year, or it "
                            "does and the target has a deadline")
            return None
        if year is None and not no_deadline:
            problems.append(f"{where}: milestone year missing (a target whose sentence states no year needs "
                            "no_deadline: true)")
            return None
        if not no_deadline and (not isinstance(year, int) or not 2020 < year <= 2035):
            problems.append(f"{where}: milestone year {year!r} outside the plan period 2021-2035")
            return None
        areas = raw.get("areas")
        if areas is not None and (not isinstance(areas, list) or not areas
                                  or not all(isinstance(a, str) for a in areas)):
            problems.append(f"{where}: areas must be a non-empty list of area codes (areas.yaml)")
            return None
        effective_from = raw.get("effective_from")
        if isinstance(effective_from, str):
            try:
                effective_from = dt.date.fromisoformat(effective_from)
            except ValueError:
                problems.append(f"{where}: effective_from {effective_from!r} is not a date (YYYY-MM-DD)")
                return None
        if effective_from is not None and not isinstance(effective_from, dt.date):
            problems.append(f"{where}: effective_from {effective_from!r} is not a date (YYYY-MM-DD)")
            return None
        m = Milestone(year=year, comparator=comparator, value=_num(raw.get("value")), text=str(raw.get("text", "")),
                      cumulative=bool(raw.get("cumulative", False)), wording=raw.get("wording"),
                      reading_note=raw.get("reading_note"), band_reason=raw.get("band_reason"),
                      period_start=raw.get("period_start"),
                      tolerance_pct=_num(raw.get("tolerance_pct")), low=_num(raw.get("low")),
                      high=_num(raw.get("high")), evidence=raw.get("evidence"),
                      areas=tuple(areas or ()), no_deadline=no_deadline, effective_from=effective_from,
                      revision=raw.get("revision"))
    except TypeError as exc:
        problems.append(f"{where}: {exc}")
        return None
    if comparator == "band":
        if m.low is None or m.high is None or m.low > m.high:
            problems.append(f"{where}: a band target needs low <= high")
    elif m.value is None:
        problems.append(f"{where}: target value missing")
    if comparator == "about" and m.tolerance_pct is not None:
        problems.append(f"{where}: an 'about' target is one-sided in the desired direction (no tolerance_pct); "
                        "a two-sided range the wording implies is a band with its band_reason")
    if comparator == "band" and not m.band_reason:
        problems.append(f"{where}: a band target needs band_reason (the words of the plan that imply a range)")
    problem = wording.check(ind.get("direction", ""), comparator, m.wording or m.text)
    if problem:
        problems.append(f"{where}: {problem}")
    if comparator == "done":
        if m.value != 1:
            problems.append(f"{where}: a done milestone has value 1 (done), not {m.value!r}")
        if not m.evidence:
            problems.append(f"{where}: a done milestone needs evidence (what settles whether it is done)")
        if m.no_deadline:
            problems.append(f"{where}: a done milestone is dated (基本建成/基本完成 by a year): no_deadline is wrong")
    elif m.evidence:
        problems.append(f"{where}: evidence belongs to a done milestone only")
    if m.cumulative and m.no_deadline:
        problems.append(f"{where}: a cumulative target sums over a period and needs its year")
    if m.cumulative and (not isinstance(m.period_start, int) or m.year is None or m.period_start > m.year):
        problems.append(f"{where}: a cumulative target needs period_start <= its year")
    return m


def _check_direction(ind: Indicator, problems: list[str], where: str) -> None:
    """A target in the wrong direction: higher-is-better below its baseline, lower-is-better above it."""
    b = ind.baseline_value
    for m in ind.milestones:
        if m.value is None or m.cumulative:
            continue
        if ind.direction in ("higher", "lower") and m.comparator in (">", ">=", "<", "<="):
            wanted = (">", ">=") if ind.direction == "higher" else ("<", "<=")
            if m.comparator not in wanted:
                problems.append(f"{where}: comparator {m.comparator!r} contradicts direction {ind.direction!r}")
        if b is None:
            continue
        if ind.direction == "higher" and m.value < b:
            problems.append(f"{where}: target {m.value:g} ({m.year}) below the baseline {b:g} "
                            "but the direction is 'higher': a target in the wrong direction")
        if ind.direction == "lower" and m.value > b:
            problems.append(f"{where}: target {m.value:g} ({m.year}) above the baseline {b:g} "
                            "but the direction is 'lower': a target in the wrong direction")
        if ind.direction == "maintain" and m.value != b:
            problems.append(f"{where}: a 'maintain' target must equal the baseline ({m.value:g} != {b:g})")
    # one milestone per year, in year order; a later version of a year's target (a plan revision) follows it,
    # with the date it takes effect and the revision it comes from
    originals = [m for m in ind.milestones if m.effective_from is None]
    years = [m.year for m in originals if not m.no_deadline]
    if years != sorted(set(years)) or sum(m.no_deadline for m in originals) > 1:
        problems.append(f"{where}: milestones must be in increasing year order, one per year (a changed target is "
                        "a later version of its milestone with effective_from and revision)")
    for m in ind.milestones:
        if m.effective_from is None and m.revision:
            problems.append(f"{where}: milestone {m.year}: a revision without an effective date (effective_from)")
        if m.effective_from is None:
            continue
        if not m.revision:
            problems.append(f"{where}: milestone {m.year}: effective_from without the plan revision it comes from")
        if not any(o.year == m.year and o.no_deadline == m.no_deadline for o in originals):
            problems.append(f"{where}: milestone {m.year}: a revised target needs the plan's original target of "
                            "that year before it (a change without it has no earlier target to keep)")
    for year in {m.year for m in ind.milestones}:
        dates = [m.effective_from for m in ind.milestones if m.year == year and m.effective_from is not None]
        if dates != sorted(set(dates)):
            problems.append(f"{where}: milestone {year}: revisions must follow in order of their effective dates")
    for lo, hi in ((ind.limit_min, ind.baseline_value), (ind.baseline_value, ind.limit_max)):
        if lo is not None and hi is not None and lo > hi:
            problems.append(f"{where}: baseline {ind.baseline_value:g} outside the limits")
    for m in ind.milestones:
        if m.value is None or m.cumulative:
            continue
        if (ind.limit_min is not None and m.value < ind.limit_min) or (
                ind.limit_max is not None and m.value > ind.limit_max):
            problems.append(f"{where}: target {m.value:g} ({m.year}) outside the natural limits")


def cell_decimals(text: str | None) -> int:
    """The decimals the plan writes a figure with ('85.2' -> 1, '≥35' -> 0, '[100]' -> 0)."""
    return max((len(m.group(1) or "") for m in _NUMBER_RE.finditer(text or "")), default=0)


def _check_precision(ind: Indicator, problems: list[str], where: str) -> None:
    """The precision an indicator is judged and shown at: at least the plan's own (the decimals of its baseline and
    target cells), finer only where its publisher's is; values are rounded to it by GB/T 8170 before comparison."""
    p = ind.precision
    if isinstance(p, bool) or not isinstance(p, int) or not 0 <= p <= MAX_PRECISION:
        problems.append(f"{where}: precision {p!r} must be a whole number of decimals 0..{MAX_PRECISION}")
        return
    plan = max([cell_decimals(ind.baseline_text)] + [cell_decimals(m.text) for m in ind.milestones])
    if p < plan:
        problems.append(f"{where}: precision {p} is coarser than the plan's own cells ({plan} decimals)")


def parse_indicators(doc: dict, units: dict[str, dict], source: str = "indicators.yaml",
                     area_codes: set[str] | None = None) -> tuple[dict[str, Indicator], list[str]]:
    """The indicator entries and every problem found; ``area_codes`` (areas.yaml) checks the milestones' areas."""
    problems: list[str] = []
    out: dict[str, Indicator] = {}
    entries = doc.get("indicators") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        return {}, [f"{source}: no 'indicators' list"]
    for i, raw in enumerate(entries):
        code = raw.get("code") if isinstance(raw, dict) else None
        where = f"{source}: entry {i + 1} ({code or 'no code'})"
        if not isinstance(raw, dict):
            problems.append(f"{where}: not a mapping")
            continue
        missing = [k for k in REQUIRED_KEYS if k not in raw]
        if missing:
            problems.append(f"{where}: missing keys {missing}")
            continue
        n = len(problems)
        if not isinstance(code, str) or not CODE_RE.match(code):
            problems.append(f"{where}: code must be snake_case")
        elif code in out:
            problems.append(f"{where}: duplicate code {code!r}")
        if raw["kind"] not in KINDS:
            problems.append(f"{where}: kind {raw['kind']!r} not one of {sorted(KINDS)}")
        if raw["category"] not in CATEGORIES:
            problems.append(f"{where}: category {raw['category']!r} not one of {sorted(CATEGORIES)}")
        if raw["unit"] not in units:
            problems.append(f"{where}: unknown unit {raw['unit']!r} (units.yaml)")
        if raw["direction"] not in DIRECTIONS:
            problems.append(f"{where}: direction {raw['direction']!r} not one of {sorted(DIRECTIONS)}")
        if raw["path"] not in PATHS:
            problems.append(f"{where}: path {raw['path']!r} not one of {sorted(PATHS)}")
        if raw["method"] not in METHODS:
            problems.append(f"{where}: method {raw['method']!r} not one of {sorted(METHODS)}")
        if raw["value_kind"] not in VALUE_KINDS:
            problems.append(f"{where}: value_kind {raw['value_kind']!r} not one of {sorted(VALUE_KINDS)}")
        baseline = raw["baseline"] or {}
        if baseline.get("qualifier") not in QUALIFIERS:
            problems.append(f"{where}: baseline qualifier {baseline.get('qualifier')!r} unparsable")
        milestones = []
        for j, m in enumerate(raw["milestones"] or []):
            parsed = _check_milestone(m if isinstance(m, dict) else {}, f"{where} milestone {j + 1}", raw, problems)
            if parsed:
                milestones.append(parsed)
        if len(problems) > n:
            continue
        try:
            limits = raw["limits"] or {}
            ref = raw["plan_ref"] or {}
            release = raw["release"] or {}
            ind = Indicator(
                code=code, kind=raw["kind"], headline_no=raw["headline_no"], name_zh=raw["name_zh"],
                name_en=raw["name_en"], category=raw["category"], unit=raw["unit"], direction=raw["direction"],
                limit_min=_num(limits.get("min")), limit_max=_num(limits.get("max")),
                baseline_year=baseline.get("year"), baseline_value=_num(baseline.get("value")),
                baseline_qualifier=baseline.get("qualifier"), baseline_text=baseline.get("text"),
                milestones=tuple(milestones), footnotes=tuple(raw["footnotes"] or ()),
                plan_chapter=ref.get("chapter", ""), plan_section=ref.get("section", ""),
                plan_quote=ref.get("quote", ""), formula=raw["formula"], feed=raw["feed"],
                release_frequency=release.get("frequency"), release_month=release.get("month"),
                release_note=release.get("note"), department=raw["department"],
                per_district=bool(raw["per_district"]), binding=bool(raw["binding"]), path=raw["path"],
                method=raw["method"], precision=raw["precision"], unit_text=raw.get("unit_text"),
                validity_min_denominator=_num((raw.get("validity") or {}).get("min_denominator")),
                validity_rule=(raw.get("validity") or {}).get("rule"), value_kind=raw["value_kind"])
        except TypeError as exc:
            problems.append(f"{where}: {exc}")
            continue
        latest = {m.year: m for m in ind.milestones}  # the last version of each milestone year is in force now
        ind = replace(ind, milestones=tuple(replace(m, is_current=latest[m.year] is m) for m in ind.milestones))
        if not ind.milestones and ind.kind == "text_target":
            problems.append(f"{where}: a text target without a milestone")
        if not ind.plan_quote:
            problems.append(f"{where}: plan_ref.quote missing (where in the plan is it stated?)")
        _check_direction(ind, problems, where)
        _check_precision(ind, problems, where)
        if (ind.value_kind == "cumulative") != any(m.cumulative for m in ind.milestones):
            problems.append(f"{where}: value_kind cumulative goes with cumulative milestones (and only with them)")
        if raw.get("validity") is not None and (ind.validity_min_denominator is None or not ind.validity_rule):
            problems.append(f"{where}: validity needs min_denominator and the rule it comes from")
        for j, m in enumerate(ind.milestones):
            unknown_areas = [a for a in m.areas if area_codes is not None and a not in area_codes]
            if unknown_areas:
                problems.append(f"{where} milestone {j + 1}: unknown areas {unknown_areas} (areas.yaml)")
        out[code] = ind
    headline = sorted(i.headline_no for i in out.values() if i.kind == "headline")
    if headline and headline != list(range(1, len(headline) + 1)):
        problems.append(f"{source}: headline numbers must run 1..{len(headline)} without gaps: {headline}")
    return out, problems


def parse_areas(doc: dict, source: str = "areas.yaml") -> tuple[dict[str, Area], list[str]]:
    problems: list[str] = []
    out: dict[str, Area] = {}
    for i, raw in enumerate(doc.get("areas") or []):
        where = f"{source}: entry {i + 1} ({raw.get('code')})"
        code = str(raw.get("code", ""))
        if code in out:
            problems.append(f"{where}: duplicate code")
            continue
        if raw.get("kind") not in AREA_KINDS:
            problems.append(f"{where}: kind {raw.get('kind')!r} not one of {sorted(AREA_KINDS)}")
            continue
        out[code] = Area(code=code, name_zh=raw["name_zh"], short_name=raw["short_name"], name_en=raw["name_en"],
                         kind=raw["kind"], parent_code=raw.get("parent_code"), code_system=raw["code_system"],
                         aliases=tuple(raw.get("aliases") or ()), note=raw.get("note"))
    for area in out.values():
        if area.parent_code and area.parent_code not in out:
            problems.append(f"{source}: {area.code} ({area.name_zh}): unknown parent {area.parent_code}")
    return out, problems


def _read_yaml(path: Path, problems: list[str]):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        problems.append(f"{path.name}: cannot read: {exc}")
        return {}


def load(directory: Path | None = None) -> Registry:
    """Load and validate the registry; raise RegistryError naming every bad entry."""
    directory = directory or registry_dir()
    problems: list[str] = []
    units_doc = _read_yaml(directory / "units.yaml", problems)
    units = {}
    for i, u in enumerate(units_doc.get("units") or []):
        if u.get("code") in units:
            problems.append(f"units.yaml: entry {i + 1}: duplicate unit {u.get('code')!r}")
        units[u.get("code")] = u
    areas, area_problems = parse_areas(_read_yaml(directory / "areas.yaml", problems))
    indicators, p = parse_indicators(_read_yaml(directory / "indicators.yaml", problems), units,
                                     area_codes=set(areas))
    problems += p + area_problems
    if problems:
        raise RegistryError(problems)
    digest = hashlib.sha256()
    for name in VERSIONED_FILES:
        if (directory / name).exists():
            digest.update((directory / name).read_bytes())
    return Registry(indicators=indicators, units=units, areas=areas, version=digest.hexdigest()[:12])


def catalog_rows(reg: Registry) -> list[dict]:
    """One row per indicator: the flat catalogue the statisticians query (indicator_catalog)."""
    rows = []
    for ind in reg.indicators.values():
        by_year = {m.year: m for m in ind.milestones}
        row = {
            "indicator_code": ind.code, "kind": ind.kind, "headline_no": ind.headline_no, "name_zh": ind.name_zh,
            "name_en": ind.name_en, "category": ind.category, "category_zh": CATEGORIES[ind.category],
            "unit": ind.unit, "unit_zh": reg.units[ind.unit].get("name_zh"), "direction": ind.direction,
            "limit_min": ind.limit_min, "limit_max": ind.limit_max, "baseline_year": ind.baseline_year,
            "baseline_value": ind.baseline_value, "baseline_qualifier": ind.baseline_qualifier,
            "baseline_text": ind.baseline_text,
            "target_2025_text": by_year[2025].text if 2025 in by_year else None,
            "target_2035_text": by_year[2035].text if 2035 in by_year else None,
            "milestone_years": ",".join("无期限" if m.no_deadline else str(m.year) for m in ind.milestones),
            "footnotes": " ".join(ind.footnotes) or None, "plan_chapter": ind.plan_chapter,
            "plan_section": ind.plan_section, "plan_quote": ind.plan_quote, "formula": ind.formula,
            "feed": ind.feed, "release_frequency": ind.release_frequency, "release_month": ind.release_month,
            "release_note": ind.release_note, "department": ind.department, "per_district": ind.per_district,
            "is_binding": ind.binding, "path_method": ind.path, "progress_method": ind.method,
            "precision_decimals": ind.precision, "registry_version": reg.version,
            "validity_min_denominator": ind.validity_min_denominator, "validity_rule": ind.validity_rule,
            "value_kind": ind.value_kind, "value_kind_zh": VALUE_KINDS[ind.value_kind],
            "is_additive": bool(reg.units[ind.unit].get("additive")),
        }
        rows.append(row)
    return rows


def milestone_rows(reg: Registry) -> list[dict]:
    return [{"indicator_code": ind.code, "milestone_year": m.year, "comparator": m.comparator,
             "target_value": m.value, "target_text": m.text, "is_cumulative": m.cumulative,
             "period_start": m.period_start, "tolerance_pct": m.tolerance_pct, "band_low": m.low,
             "band_high": m.high, "registry_version": reg.version, "wording": m.wording,
             "reading_note": m.reading_note, "band_reason": m.band_reason, "evidence": m.evidence,
             "area_codes": ",".join(m.areas) or None, "effective_from": m.effective_from,
             "revision": m.revision, "is_current": m.is_current}
            for ind in reg.indicators.values() for m in ind.milestones]


def area_rows(reg: Registry) -> list[dict]:
    return [{"area_code": a.code, "name_zh": a.name_zh, "short_name": a.short_name, "name_en": a.name_en,
             "area_kind": a.kind, "parent_code": a.parent_code, "code_system": a.code_system,
             "aliases": ",".join(a.aliases) or None, "note": a.note, "registry_version": reg.version}
            for a in reg.areas.values()]


_FLOAT_COLUMNS = {"limit_min", "limit_max", "baseline_value", "target_value", "tolerance_pct", "band_low",
                  "validity_min_denominator",
                  "band_high"}
_INT_COLUMNS = {"headline_no", "baseline_year", "release_month", "milestone_year", "period_start",
                "precision_decimals"}
_BOOL_COLUMNS = {"per_district", "is_binding", "is_cumulative", "is_current", "is_additive"}
_DATE_COLUMNS = {"effective_from"}


def to_arrow(rows: list[dict]):
    """Registry rows as an Arrow table with explicit types (a column that is NULL everywhere keeps its type)."""
    import pyarrow as pa

    names = list(rows[0]) if rows else []
    fields = [(n, pa.float64() if n in _FLOAT_COLUMNS else pa.int32() if n in _INT_COLUMNS
               else pa.bool_() if n in _BOOL_COLUMNS else pa.date32() if n in _DATE_COLUMNS else pa.string())
              for n in names]
    return pa.Table.from_pylist(rows, schema=pa.schema(fields))
