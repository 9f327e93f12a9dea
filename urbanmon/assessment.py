"""From the registry tables and indicator_values to the planned paths, the progress rows and the league table.

Called by the dbt Python models under dbt_project/models/progress/ with the rows of their refs, so the lineage stays
in dbt and the arithmetic stays in urbanmon.progress / urbanmon.league (unit-tested there).

Scope (issue: every indicator × area × year that has data):
- Jinan (370100) is assessed against the plan's targets from the plan's baseline;
- a county-level district or functional zone against the city's targets from its own baseline year value (the
  plan's baseline year, else its first year with data), marked ``is_reference`` since the plan sets no district
  targets;
- other cities (the air feed has 367) get values in indicator_values, no status;
- a milestone the plan sets for named areas (``area_codes``: 到2023年 历下区、…完成雨污合流管网清零) is assessed for
  those areas against its own target (not a reference) and not for the city;
- a milestone without a deadline (milestone_year NULL) is judged in every year with data as the level reached, and
  has no planned path; a yes/no milestone (comparator ``done``) has the milestone alone as its path.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from urbanmon.league import ScoredIndicator, league_table
from urbanmon.precision import round_gbt8170
from urbanmon.progress import METHOD_VERSIONS, Goal, assess, judged_series, not_judged, planned_path, shown
from urbanmon.status import RED_STATUSES

CITY_CODE = "370100"
METHODS = tuple(METHOD_VERSIONS)


def goals(indicator: dict, milestones: list[dict], baseline: tuple[int, float] | None = None) -> list[Goal]:
    """The indicator's milestones as Goals; ``baseline`` (year, value) overrides the registry's (districts)."""
    if baseline is None:
        b_year, b_value = indicator["baseline_year"], indicator["baseline_value"]
    else:
        b_year, b_value = baseline
    out = []
    for m in sorted(milestones, key=lambda m: (m["milestone_year"] is None, m["milestone_year"] or 0)):
        out.append(Goal(
            direction=indicator["direction"], milestone_year=m["milestone_year"], comparator=m["comparator"],
            target=m["target_value"], baseline_year=b_year if b_value is not None else None,
            baseline_value=b_value,
            baseline_qualifier=indicator["baseline_qualifier"] if baseline is None else None,
            limit_min=indicator["limit_min"], limit_max=indicator["limit_max"], cumulative=m["is_cumulative"],
            period_start=m["period_start"], tolerance_pct=m["tolerance_pct"], band_low=m["band_low"],
            band_high=m["band_high"], path=indicator["path_method"],
            precision=indicator.get("precision_decimals"), no_deadline=m["milestone_year"] is None,
            effective_from_year=m["effective_from"].year if m.get("effective_from") else None))
    return out


def in_force(area_goals: list[Goal], year: int) -> list[Goal]:
    """The version of each milestone in force for the statuses of data ``year``: the latest revision whose effective
    date falls in or before that year, else the plan's original (a revision never rewrites earlier years)."""
    chosen: dict[tuple, Goal] = {}
    for goal in area_goals:  # originals first, then revisions in order of their effective dates (registry order)
        key = (goal.milestone_year, goal.no_deadline)
        if goal.effective_from_year is None or goal.effective_from_year <= year:
            chosen[key] = goal
    return list(chosen.values())


def incomplete_years(values: list[dict]) -> dict[tuple[str, str], dict[int, str]]:
    """(indicator_code, area_code) -> {year: why} of primary values that do not meet their validity rule: served,
    flagged, never judged (a year with a few real days after its sample data was retired)."""
    out: dict[tuple[str, str], dict[int, str]] = defaultdict(dict)
    for r in values:
        if r.get("is_primary_series") and r.get("area_code") and r.get("is_complete") is False:
            out[(r["indicator_code"], r["area_code"])][int(r["year"])] = r.get("completeness_note") or "数据不完整"
    return out


def primary_series(values: list[dict], column: str = "value") -> dict[tuple[str, str], dict[int, float]]:
    """(indicator_code, area_code) -> {year: value} of the primary series (the one comparable with the plan).

    ``column``: ``value`` (rounded to the indicator's precision: what a reader sees, so ranks agree with it) or
    ``value_unrounded`` (the progress methods' input: they round the figure they judge themselves, after summing the
    annual amounts of a cumulative target)."""
    out: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    for r in values:
        value = r.get(column, r.get("value"))
        if r.get("is_primary_series") and r.get("area_code") and value is not None:
            out[(r["indicator_code"], r["area_code"])][int(r["year"])] = float(value)
    return out


def progress_rows(indicators: list[dict], milestones: list[dict], areas: list[dict], values: list[dict]) -> list[dict]:
    by_indicator = defaultdict(list)
    for m in milestones:
        by_indicator[m["indicator_code"]].append(m)
    area_kind = {a["area_code"]: a["area_kind"] for a in areas}
    series = primary_series(values, "value_unrounded")
    incomplete = incomplete_years(values)
    rows = []
    for ind in indicators:
        ms = by_indicator.get(ind["indicator_code"])
        if not ms:
            continue
        general = [m for m in ms if not m.get("area_codes")]
        for (code, area), s in sorted(series.items()):
            if code != ind["indicator_code"] or area not in area_kind:
                continue
            skipped = {y: (s[y], why) for y, why in incomplete.get((code, area), {}).items() if y in s}
            s = {y: v for y, v in s.items() if y not in skipped}  # never judged, nor a point of anyone's trend
            if not s:
                _not_judged(rows, ind, area, area_kind[area], area != CITY_CODE, goals(ind, ms), skipped)
                continue
            is_reference = area != CITY_CODE
            baseline = None
            if is_reference and not any(m["is_cumulative"] for m in general):
                b_year = ind["baseline_year"] if ind["baseline_year"] in s else min(s)
                baseline = (b_year, s[b_year])
            # the city's targets (a reference for a district); the area's own targets where the plan names it
            own = [m for m in ms if m.get("area_codes") and area in m["area_codes"].split(",")]
            share = None
            if is_reference and ind.get("is_additive"):
                share = district_share(s, series.get((code, CITY_CODE), {}), baseline)
            reference = goals(ind, general, baseline)
            if share is not None:
                reference = [share_of(g, share[0], baseline is None) for g in reference]
            batches = [(reference, is_reference)] if general else []
            batches += [(goals(ind, own), False)] if own else []
            for area_goals, is_reference in batches:
                first = len(rows)
                _assess_area(rows, ind, area, area_kind[area], is_reference, area_goals, s)
                _not_judged(rows, ind, area, area_kind[area], is_reference, area_goals, skipped)
                if share is not None and is_reference:
                    note = (f"区县参考目标按该区{share[1]}年占全市份额（{share[0] * 100:.1f}%）分解全市目标"
                            "（全市合计指标，区县不以全市总量为目标）")
                    for row in rows[first:]:
                        row["reason"] = f"{row['reason']}；{note}" if row.get("reason") else note
    return rows


def district_share(district: dict[int, float], city: dict[int, float],
                   baseline: tuple[int, float] | None) -> tuple[float, int] | None:
    """(share, year): a district's part of the city's figure in its baseline year (else its first year with a city
    figure), for an additive indicator (registry/units.yaml ``additive``: the city's figure is the sum of its
    districts'). None when the city has no positive figure that year."""
    years = [baseline[0]] if baseline else []
    years += sorted(y for y in district if y in city)
    for year in years:
        if year in district and city.get(year):
            return district[year] / city[year], year
    return None


def share_of(goal: Goal, share: float, scale_baseline: bool) -> Goal:
    """The city's goal scaled to a district's share: its target (and band) times the share, rounded to the
    indicator's precision (the target a reader sees is the one judged); the city's baseline too where the district
    has none of its own (cumulative targets)."""
    def scaled(x):
        if x is None:
            return None
        return x * share if goal.precision is None else round_gbt8170(x * share, goal.precision)
    return replace(goal, target=scaled(goal.target), band_low=scaled(goal.band_low), band_high=scaled(goal.band_high),
                   baseline_value=scaled(goal.baseline_value) if scale_baseline else goal.baseline_value)


def _not_judged(rows: list[dict], ind: dict, area: str, kind: str, is_reference: bool, area_goals: list[Goal],
                skipped: dict[int, tuple[float, str]]) -> None:
    """Rows for the years whose value does not meet its validity rule: shown, flagged, not judged."""
    unit = "" if ind["unit"] in ("ratio", "done") else ind["unit"]
    for year, (value, why) in sorted(skipped.items()):
        for goal in in_force(area_goals, year):
            if goal.no_deadline:
                goal = replace(goal, milestone_year=year)
            elif goal.milestone_year < year:
                continue
            for method in METHODS:
                a = not_judged(method, goal, year, value, why, unit)
                rows.append({"indicator_code": ind["indicator_code"], "area_code": area, "area_kind": kind,
                             "is_reference": is_reference, "is_default_method": method == ind["progress_method"],
                             **a.as_row()})


def _assess_area(rows: list[dict], ind: dict, area: str, kind: str, is_reference: bool, area_goals: list[Goal],
                 s: dict[int, float]) -> None:
    for year in sorted(s):
        for goal in in_force(area_goals, year):
            if goal.no_deadline:  # judged in each year with data as the level reached
                goal = replace(goal, milestone_year=year)
            elif goal.milestone_year < year:
                continue
            for method in METHODS:
                a = assess(method, goal, s, year, "" if ind["unit"] in ("ratio", "done") else ind["unit"])
                if is_reference and a.baseline_source == "plan":
                    a.baseline_source = "area_baseline_year"
                rows.append({
                    "indicator_code": ind["indicator_code"], "area_code": area, "area_kind": kind,
                    "is_reference": is_reference, "is_default_method": method == ind["progress_method"],
                    **a.as_row(),
                })


def path_rows(indicators: list[dict], milestones: list[dict], values: list[dict]) -> list[dict]:
    """The city's planned path per indicator: from the plan's baseline (else Jinan's first year with data, recorded;
    else the milestones alone)."""
    by_indicator = defaultdict(list)
    for m in milestones:
        by_indicator[m["indicator_code"]].append(m)
    series = primary_series(values, "value_unrounded")
    rows = []
    for ind in indicators:
        ms = by_indicator.get(ind["indicator_code"])
        if not ms:
            continue
        # the city's path: a target set for named areas or without a deadline has no place on it
        # (the targets in force now: a revised milestone's current version)
        current = [m for m in ms if not m.get("area_codes") and m.get("is_current", True)]
        gs = [g for g in goals(ind, current) if not g.no_deadline]
        if not gs:
            continue
        if gs[0].cumulative:  # a running total from zero over its period
            start, source = ((gs[0].period_start or gs[0].milestone_year) - 1, 0.0), "cumulative_zero"
        elif ind["baseline_value"] is not None:
            start, source = (ind["baseline_year"], ind["baseline_value"]), "plan"
        elif series.get((ind["indicator_code"], CITY_CODE)):
            s = series[(ind["indicator_code"], CITY_CODE)]
            start, source = (min(s), s[min(s)]), "first_available"
        else:
            start, source = None, "milestones_only"
        if start is None or start[0] >= gs[0].milestone_year:
            points = [{"year": g.milestone_year, "milestone_year": g.milestone_year, "segment_start_year": None,
                       "planned_value": g.target, "is_cumulative": g.cumulative, "path_method": g.path}
                      for g in gs]
        else:
            points = planned_path(gs, *start)
        actual = judged_series(gs, series.get((ind["indicator_code"], CITY_CODE), {}))
        for p in points:
            p["planned_value"] = shown(p["planned_value"], gs[0])
            rows.append({"indicator_code": ind["indicator_code"], "area_code": CITY_CODE, **p,
                         "start_source": source,
                         "is_milestone": p["year"] == p["milestone_year"],
                         "actual_value": actual.get(p["year"]), "is_running_total": gs[0].cumulative})
    return rows


def _sign(ind: dict) -> int | None:
    return {"higher": 1, "maintain": 1, "lower": -1}.get(ind["direction"])


def score_rows(indicators: list[dict], areas: list[dict], values: list[dict], progress: list[dict],
               components: list[dict] | None = None) -> list[dict]:
    """The league table (district_scores); ``components`` receives its per-indicator scores (league_table)."""
    scored = {i["indicator_code"]: ScoredIndicator(i["indicator_code"], i["category"], _sign(i), i["is_binding"])
              for i in indicators if i["per_district"] and _sign(i) is not None}
    districts = {a["area_code"] for a in areas if a["area_kind"] == "county"}
    zones = {a["area_code"] for a in areas if a["area_kind"] == "functional_zone"}
    red = {(p["indicator_code"], p["area_code"], p["year"]) for p in progress
           if p["is_default_method"] and p["status"] in RED_STATUSES and p["indicator_code"] in scored
           and scored[p["indicator_code"]].binding}
    flat = [{"indicator_code": c, "area_code": a, "year": y, "value": v}
            for (c, a), s in primary_series(values).items() for y, v in s.items()]
    rows = league_table(flat, scored, districts, zones, red, components=components)
    for r in rows:
        for category in ("smart", "green", "balanced", "two_way"):
            r.setdefault(f"level_{category}", None)
            r.setdefault(f"improvement_{category}", None)
    return rows


def _schema():
    import pyarrow as pa

    s, f, i, b = pa.string(), pa.float64(), pa.int32(), pa.bool_()
    return {
        "progress": pa.schema([
            ("indicator_code", s), ("area_code", s), ("area_kind", s), ("is_reference", b),
            ("is_default_method", b), ("method", s), ("method_version", s), ("year", i), ("milestone_year", i),
            ("status", s), ("status_zh", s), ("status_colour", s), ("score", f), ("baseline_year", i),
            ("baseline_value", f), ("baseline_source", s), ("baseline_qualifier", s), ("target_value", f),
            ("comparator", s), ("actual_value", f), ("planned_value", f), ("completion_pct", f),
            ("elapsed_pct", f), ("actual_annual_change", f), ("required_annual_change", f),
            ("acceleration_factor", f), ("actual_growth_pct", f), ("required_growth_pct", f),
            ("projected_value", f), ("probability_meet", f), ("probability_model", s), ("n_points", i),
            ("reason", s), ("explanation", s), ("actual_value_unrounded", f), ("precision_decimals", i),
            ("escap_state", s), ("escap_state_zh", s), ("prediction_low", f),
            ("prediction_high", f), ("prediction_level", f)]),
        "path": pa.schema([
            ("indicator_code", s), ("area_code", s), ("year", i), ("milestone_year", i),
            ("segment_start_year", i), ("planned_value", f), ("is_cumulative", b), ("path_method", s),
            ("start_source", s), ("is_milestone", b), ("actual_value", f), ("is_running_total", b)]),
        "scores": pa.schema([
            ("area_code", s), ("year", i), ("is_ranked", b), ("rank", i), ("n_ranked", i), ("level_score", f),
            ("improvement_score", f), ("overall_score", f), ("rating", s), ("capped_by", s),
            ("is_commended", b), ("n_indicators", i), ("level_smart", f), ("level_green", f),
            ("level_balanced", f), ("level_two_way", f), ("scoring_version", s), ("improvement_smart", f),
            ("improvement_green", f), ("improvement_balanced", f), ("improvement_two_way", f), ("level_weight", f),
            ("improvement_weight", f)]),
        "score_components": pa.schema([
            ("area_code", s), ("year", i), ("indicator_code", s), ("category", s), ("direction_sign", i),
            ("value", f), ("previous_year", i), ("change", f), ("level_score", f), ("improvement_score", f),
            ("scoring_version", s)]),
    }


def to_arrow(kind: str, rows: list[dict]):
    """Rows as an Arrow table with a fixed schema (typed NULLs, and the columns even when there is no row)."""
    import pyarrow as pa

    schema = _schema()[kind]
    return pa.Table.from_pylist([{k: r.get(k) for k in schema.names} for r in rows], schema=schema)


def relation_rows(relation) -> list[dict]:
    """The rows of a DuckDB relation (a dbt ref in a Python model) as dicts."""
    columns = relation.columns
    return [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]
