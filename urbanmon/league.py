"""The district league table and the districts to commend: the platform's rule (registry/league.yaml), not the plan's.

The plan says only 建立典型引领机制，对城镇化工作突出的区县予以通报表扬 (第八章 三、组织开展监测评估); the scores,
weights, bands and the top-three rule below are ours, configurable in registry/league.yaml and labelled as ours
wherever shown.

Per year and area, from the indicators the registry marks ``per_district`` and that are ordered (higher or lower is
better; maintain counts as higher), over the county-level districts that have a value:

- indicator level score: min-max over the 12 districts, 100 for the best, 0 for the worst (50 when all are equal);
- indicator improvement score: the same over each district's change since its previous year with data;
- category score: the mean over the category's indicators; overall level / improvement: the mean over the categories
  with data (each of 智慧/绿色/均衡/双向 weighs the same, whatever its number of indicators);
- overall score = 0.6 x level + 0.4 x improvement (level alone when no district has a previous year), rounded to
  the two decimals shown before it is rated and ranked;
- rating A (>= 80), B (>= 60), C (>= 40), D (league.yaml); a binding (约束性) indicator whose reference status is red
  (deterioration, not achieved) caps the rating at C;
- rank 1..n among the county-level districts by overall score (ties share a rank); functional zones, which overlap
  them, are scored against the same district range and shown beside the ranking, never in it;
- districts to commend (our rule): the top three ranked districts whose rating is not capped and is A or B.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LeagueRule:
    """The platform's scoring and commend rule (registry/league.yaml): ours, not the plan's, and labelled so."""

    scoring_version: str
    plan_sentence: str
    plan_chapter: str
    plan_section: str
    level_weight: float
    improvement_weight: float
    rating_bands: tuple[tuple[float, str], ...]
    commend_top: int
    commend_ratings: tuple[str, ...]
    rule_zh: str

    @property
    def attribution_zh(self) -> str:
        """The rule as ours, with the plan's own sentence quoted beside it (never attributed to the plan)."""
        return (f"{self.rule_zh}规划原文（{self.plan_chapter.split()[0]}{self.plan_section}）仅要求："
                f"“{self.plan_sentence}”")


def load_rule(path: Path | None = None) -> LeagueRule:
    """registry/league.yaml (``$URBANMON_REGISTRY_DIR`` like the rest of the registry)."""
    import yaml

    from urbanmon.registry import registry_dir

    doc = yaml.safe_load((path or registry_dir() / "league.yaml").read_text(encoding="utf-8"))
    bands = sorted(((float(v), k) for k, v in doc["rating_bands"].items()), reverse=True)
    return LeagueRule(
        scoring_version=doc["scoring_version"], plan_sentence=doc["plan_sentence"],
        plan_chapter=doc["plan_ref"]["chapter"], plan_section=doc["plan_ref"]["section"],
        level_weight=float(doc["level_weight"]), improvement_weight=float(doc["improvement_weight"]),
        rating_bands=(*bands, (float("-inf"), "D")), commend_top=int(doc["commend"]["top"]),
        commend_ratings=tuple(doc["commend"]["ratings"]), rule_zh=doc["rule_zh"].strip())


@dataclass(frozen=True)
class ScoredIndicator:
    code: str
    category: str
    sign: int           # +1 higher is better, -1 lower is better
    binding: bool = False


def _minmax(values: dict[str, float], sign: int) -> dict[str, float]:
    lo, hi = min(values.values()), max(values.values())
    if hi == lo:
        return {k: 50.0 for k in values}
    return {k: 100.0 * ((v - lo) / (hi - lo) if sign > 0 else (hi - v) / (hi - lo)) for k, v in values.items()}


def _scale_to(reference: dict[str, float], others: dict[str, float], sign: int) -> dict[str, float]:
    """Score areas outside the ranking (functional zones) on the districts' range, clipped to 0..100."""
    lo, hi = min(reference.values()), max(reference.values())
    out = {}
    for k, v in others.items():
        if hi == lo:
            out[k] = 50.0
        else:
            s = (v - lo) / (hi - lo) if sign > 0 else (hi - v) / (hi - lo)
            out[k] = max(0.0, min(100.0, 100.0 * s))
    return out


def _rating(score: float, rule: LeagueRule) -> str:
    return next(r for bound, r in rule.rating_bands if score >= bound)


def league_table(values: list[dict], indicators: dict[str, ScoredIndicator], district_codes: set[str],
                 zone_codes: set[str], red_binding: set[tuple[str, str, int]] | None = None,
                 rule: LeagueRule | None = None, components: list[dict] | None = None) -> list[dict]:
    """``values``: rows {indicator_code, area_code, year, value}; returns one row per area and year.

    ``red_binding``: (indicator_code, area_code, year) whose binding indicator is red for that area.
    ``components``: if given, receives one row per area, year and indicator scored: the value, the change since the
    previous year with data, and the indicator's level and improvement scores (served as district_score_components,
    from which the category and overall scores recompute with the weights served in district_scores)."""
    red_binding = red_binding or set()
    rule = rule or load_rule()
    series: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    for r in values:
        if r["indicator_code"] in indicators and r["area_code"] in district_codes | zone_codes:
            series[(r["indicator_code"], r["area_code"])][r["year"]] = r["value"]
    years = sorted({y for s in series.values() for y in s})
    rows: list[dict] = []
    for year in years:
        level: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        improve: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        n_ind: dict[str, int] = defaultdict(int)
        for code, ind in indicators.items():
            now = {a: s[year] for (c, a), s in series.items() if c == code and year in s}
            d_now = {a: v for a, v in now.items() if a in district_codes}
            if len(d_now) < 2:
                continue
            z_now = {a: v for a, v in now.items() if a in zone_codes}
            level_scores = {**_minmax(d_now, ind.sign), **_scale_to(d_now, z_now, ind.sign)}
            for a, s in level_scores.items():
                level[a][ind.category].append(s)
                n_ind[a] += 1
            change, previous = {}, {}
            for a in now:
                prev = [y for y in series[(code, a)] if y < year]
                if prev:
                    previous[a] = max(prev)
                    change[a] = now[a] - series[(code, a)][previous[a]]
            d_change = {a: v for a, v in change.items() if a in district_codes}
            improvement_scores: dict[str, float] = {}
            if len(d_change) >= 2:
                z_change = {a: v for a, v in change.items() if a in zone_codes}
                improvement_scores = {**_minmax(d_change, ind.sign), **_scale_to(d_change, z_change, ind.sign)}
                for a, s in improvement_scores.items():
                    improve[a][ind.category].append(s)
            if components is not None:
                components.extend({
                    "area_code": a, "year": year, "indicator_code": code, "category": ind.category,
                    "direction_sign": ind.sign, "value": now[a], "previous_year": previous.get(a),
                    "change": change.get(a), "level_score": level_scores[a],
                    "improvement_score": improvement_scores.get(a), "scoring_version": rule.scoring_version,
                } for a in sorted(level_scores))
        year_rows = []
        for area, by_cat in level.items():
            cat_level = {c: sum(v) / len(v) for c, v in by_cat.items()}
            cat_improve = {c: sum(v) / len(v) for c, v in improve.get(area, {}).items()}
            level_score = sum(cat_level.values()) / len(cat_level)
            improvement = sum(cat_improve.values()) / len(cat_improve) if cat_improve else None
            overall = (level_score if improvement is None
                       else rule.level_weight * level_score + rule.improvement_weight * improvement)
            overall = round(overall, 2)  # the score shown is the score rated and ranked
            rating = _rating(overall, rule)
            capped_by = sorted(c for (c, a, y) in red_binding if a == area and y == year)
            if capped_by and rating in ("A", "B"):
                rating = "C"
            year_rows.append({
                "area_code": area, "year": year, "is_ranked": area in district_codes,
                "level_score": round(level_score, 2),
                "improvement_score": None if improvement is None else round(improvement, 2),
                "overall_score": round(overall, 2), "rating": rating,
                "capped_by": ",".join(capped_by) or None, "n_indicators": n_ind[area],
                **{f"level_{c}": round(v, 2) for c, v in cat_level.items()},
                **{f"improvement_{c}": round(v, 2) for c, v in cat_improve.items()},
                "level_weight": rule.level_weight, "improvement_weight": rule.improvement_weight,
                "scoring_version": rule.scoring_version,
            })
        ranked = sorted((r for r in year_rows if r["is_ranked"]), key=lambda r: -r["overall_score"])
        for r in year_rows:
            r["rank"] = (1 + sum(1 for o in ranked if o["overall_score"] > r["overall_score"])
                         if r["is_ranked"] else None)
            r["n_ranked"] = len(ranked)
            r["is_commended"] = bool(r["is_ranked"] and r["rank"] <= rule.commend_top and not r["capped_by"]
                                     and r["rating"] in rule.commend_ratings)
        rows += sorted(year_rows, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["area_code"]))
    return rows
