"""Planned paths and progress assessment: three named, versioned methods, each status explained by its inputs.

Methods (``METHOD_VERSIONS``; docs/decisions/0005-progress-methods.md):

- ``distance``: completion (A-B)/(T-B) against the share of the period elapsed (y-y0)/(ty-y0), the usual rule in
  Chinese plan reviews (完成进度 vs 时序进度). score = completion / elapsed share.
- ``pace``: Open SDG / Statistics Canada: actual compound annual growth rate over the required one,
  score = CAGR_actual / CAGR_required (on track >= 0.95, needs acceleration >= 0.6, limited >= 0, else deterioration).
  Cumulative targets grow from zero, so their pace compares average annual amounts instead.
- ``projection``: ESCAP's Anticipated Progress (Asia and the Pacific SDG Progress Report): a time-weighted trend
  (recent years weigh more, w = t - t0 + 1) over every point since the baseline, fitted on the indicator's scale
  (logit within 0..100-type limits, log for compounding stocks, annual amounts for cumulative targets) and predicted
  for the milestone year: on track when the prediction meets the target, else score = (P-B)/(T-B) on the usual
  thresholds, with ESCAP's state beside it (maintain 保持 / accelerate 加快 / reverse 扭转). From 5 points on, the
  probability of meeting the milestone and an 80 % prediction interval (urbanmon.forecast; docs/progress-methods.md).

Every result carries its inputs, the annual change now required to reach the milestone, and the acceleration factor
(required over achieved annual change), so a traffic light can always be explained.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from urbanmon.forecast import BOUND_MARGIN_SHARE, MIN_POINTS_PROBABILITY, choose_scale, forecast
from urbanmon.precision import format_value, round_gbt8170
from urbanmon.status import STATUS_COLOUR, STATUS_ZH  # the one status vocabulary (words, colours, order)

METHOD_VERSIONS = {"distance": "distance-2.0", "pace": "pace-2.0", "projection": "projection-2.0"}
THRESHOLDS = {  # score thresholds: on track, needs acceleration, limited (>= 0); below 0: deterioration
    "distance": (1.0, 0.6, 0.0),
    "pace": (0.95, 0.6, 0.0),
    "projection": (1.0, 0.6, 0.0),
}
MIN_POINTS_PROJECTION = 3      # a projected value from 3 points; its probability from MIN_POINTS_PROBABILITY (5)
ESCAP_STATE_ZH = {"maintain": "保持", "accelerate": "加快", "reverse": "扭转"}
ESCAP_STATE_PHRASE_ZH = {"maintain": "保持进展", "accelerate": "加快进展", "reverse": "扭转趋势"}

@dataclass(frozen=True)
class Goal:
    """What one milestone asks: the registry entry reduced to what the methods need."""

    direction: str                      # higher | lower | band | maintain | projection
    milestone_year: int
    comparator: str                     # reach > >= < <= about band done
    target: float | None
    baseline_year: int | None = None    # None: the first year with data becomes the baseline
    baseline_value: float | None = None
    baseline_qualifier: str | None = None
    limit_min: float | None = None
    limit_max: float | None = None
    cumulative: bool = False
    period_start: int | None = None
    tolerance_pct: float | None = None
    band_low: float | None = None
    band_high: float | None = None
    path: str = "linear"
    precision: int | None = None        # decimals the value is judged and shown at (GB/T 8170); None: unrounded
    effective_from_year: int | None = None  # a revised target: in force for data years from this one (registry)
    no_deadline: bool = False           # the plan states no year: judged in each year as the level reached


@dataclass
class Assessment:
    method: str
    method_version: str
    year: int
    milestone_year: int
    status: str
    status_zh: str
    status_colour: str
    score: float | None = None
    baseline_year: int | None = None
    baseline_value: float | None = None
    baseline_source: str | None = None      # plan | first_available | cumulative_zero
    baseline_qualifier: str | None = None
    target_value: float | None = None
    comparator: str | None = None
    actual_value: float | None = None
    planned_value: float | None = None
    completion_pct: float | None = None
    elapsed_pct: float | None = None
    actual_annual_change: float | None = None
    required_annual_change: float | None = None
    acceleration_factor: float | None = None
    actual_growth_pct: float | None = None
    required_growth_pct: float | None = None
    projected_value: float | None = None
    probability_meet: float | None = None
    probability_model: str | None = None
    n_points: int = 0
    reason: str | None = None
    explanation: str = ""
    actual_value_unrounded: float | None = None   # the value before GB/T 8170 rounding to the precision
    precision_decimals: int | None = None
    escap_state: str | None = None          # projection: maintain | accelerate | reverse (ESCAP's three states)
    escap_state_zh: str | None = None       # 保持 | 加快 | 扭转
    prediction_low: float | None = None     # projection: prediction interval for the milestone year
    prediction_high: float | None = None
    prediction_level: float | None = None   # its coverage (0.8)

    def as_row(self) -> dict:
        return asdict(self)


def _sign(goal: Goal) -> int:
    """+1 when more is better for this milestone, -1 when less is better."""
    if goal.direction == "lower" or goal.comparator in ("<", "<="):
        return -1
    return 1


def shown(value: float | None, goal: Goal) -> float | None:
    """The value as a reader sees it: rounded by GB/T 8170 to the goal's precision (修约值比较法 compares this)."""
    if value is None or goal.precision is None:
        return value
    return round_gbt8170(value, goal.precision)


def meets(value: float, goal: Goal) -> bool:
    """Whether ``value`` satisfies the milestone's comparator, compared at the indicator's precision (the value is
    rounded by GB/T 8170 first: a reader who sees the target reached never sees a failing status)."""
    value = shown(value, goal)
    t, c = goal.target, goal.comparator
    if c == "band":
        return goal.band_low <= value <= goal.band_high
    if c == "done":  # a yes/no milestone: 1 = done
        return value >= 1
    if c == "about":  # 左右 / 约: one-sided in the desired direction (urbanmon.wording), never failed for overshooting
        return value >= t if _sign(goal) > 0 else value <= t
    if c == ">":
        return value > t
    if c == ">=":
        return value >= t
    if c == "<":
        return value < t
    if c == "<=":
        return value <= t
    return value >= t if _sign(goal) > 0 else value <= t  # reach


def clip(value: float, goal: Goal) -> float:
    if goal.limit_min is not None:
        value = max(goal.limit_min, value)
    if goal.limit_max is not None:
        value = min(goal.limit_max, value)
    return value


def planned_value(goal: Goal, year: int, start_year: int, start_value: float) -> float | None:
    """The value the plan implies for ``year`` on the way from the start point to the milestone."""
    ty, t = goal.milestone_year, goal.target
    if goal.comparator == "band":
        t = (goal.band_low + goal.band_high) / 2.0
    if t is None or not start_year <= year <= ty:
        return None
    if goal.comparator == "done" or goal.no_deadline:  # a yes/no milestone has no path: the milestone alone
        return t if year == ty and not goal.no_deadline else None
    if ty == start_year:
        return t
    share = (year - start_year) / (ty - start_year)
    if goal.path == "compound" and start_value > 0 and t > 0:
        return start_value * (t / start_value) ** share
    return start_value + (t - start_value) * share


def planned_path(milestones: Sequence[Goal], start_year: int, start_value: float) -> list[dict]:
    """Year-by-year planned values from the start point through every milestone (each segment linear or compound,
    as the goal says). Cumulative goals run from zero in the year before their period to the target."""
    rows: list[dict] = []
    prev_year, prev_value = start_year, start_value
    for goal in milestones:
        if goal.no_deadline:  # no year, no path
            continue
        if goal.comparator == "done":  # a yes/no milestone: the milestone alone, the path before it unchanged
            rows.append({"year": goal.milestone_year, "milestone_year": goal.milestone_year,
                         "segment_start_year": None, "planned_value": goal.target, "is_cumulative": False,
                         "path_method": goal.path})
            continue
        if goal.cumulative:
            y0 = (goal.period_start or start_year + 1) - 1
            for year in range(y0 + 1, goal.milestone_year + 1):
                rows.append({"year": year, "milestone_year": goal.milestone_year, "segment_start_year": y0,
                             "planned_value": goal.target * (year - y0) / (goal.milestone_year - y0),
                             "is_cumulative": True, "path_method": "linear"})
            continue
        for year in range(prev_year, goal.milestone_year + 1):
            if rows and rows[-1]["year"] == year and not rows[-1]["is_cumulative"]:
                continue
            rows.append({"year": year, "milestone_year": goal.milestone_year, "segment_start_year": prev_year,
                         "planned_value": planned_value(goal, year, prev_year, prev_value), "is_cumulative": False,
                         "path_method": goal.path})
        prev_year = goal.milestone_year
        prev_value = goal.target if goal.comparator != "band" else (goal.band_low + goal.band_high) / 2.0
    return rows


def running_totals(annual: dict[int, float], period_start: int) -> dict[int, float]:
    """The running total of a cumulative target's annual amounts from ``period_start``, year by year, up to the first
    missing year: the one series the methods judge, 指标详情 draws and the report plots
    (indicator_path.actual_value)."""
    totals, total, year = {}, 0.0, period_start
    while year in annual:
        total += annual[year]
        totals[year] = total
        year += 1
    return totals


def judged_series(goals: Sequence[Goal], annual: dict[int, float]) -> dict[int, float]:
    """Year -> the figure judged and shown: the running total for a cumulative target (from its period's start),
    else the value; rounded by GB/T 8170 to the precision."""
    goal = goals[0]
    series = running_totals(annual, goal.period_start or min(annual, default=0)) if goal.cumulative else annual
    return {y: shown(v, goal) for y, v in series.items()}


def _classify(score: float, method: str) -> str:
    on, accel, limited = THRESHOLDS[method]
    if score >= on:
        return "on_track"
    if score >= accel:
        return "needs_acceleration"
    if score >= limited:
        return "limited"
    return "deterioration"


def _bounds(goal: Goal) -> tuple[float, float]:
    """The milestone as an interval of values that meet it (strict and non-strict alike: the difference has no
    probability)."""
    if goal.comparator == "band":
        return goal.band_low, goal.band_high
    if _sign(goal) > 0:
        return goal.target, math.inf
    return -math.inf, goal.target


def _explain(a: Assessment, unit: str) -> str:
    """A one-sentence Chinese explanation of the status from its inputs."""
    def f(v):  # every figure at the indicator's precision (GB/T 8170), the precision the status was judged at
        if v is None:
            return "—"
        return format_value(v, a.precision_decimals) if a.precision_decimals is not None else f"{v:,.4g}"

    shown = {"reach": "", ">=": "≥", "<=": "≤", "about": "约", "band": ""}.get(a.comparator or "", a.comparator)
    if a.comparator == "done":  # a yes/no milestone: done or not, no figure
        done = a.actual_value is not None and a.actual_value >= 1
        parts = [f"{a.year}年{'已完成' if done else '尚未完成' if a.actual_value is not None else '无数据'}",
                 f"目标{a.milestone_year}年完成"] + ([a.reason] if a.reason else [])
        return f"{STATUS_ZH[a.status]}：" + "；".join(parts) + "。"
    deadline = "无期限" if a.reason == NO_DEADLINE_REASON else f"{a.milestone_year}年"
    parts = [f"{a.year}年实际值{f(a.actual_value)}{unit}", f"{deadline}目标{shown}{f(a.target_value)}{unit}"]
    if a.baseline_value is not None:
        src = {"plan": "规划基期", "first_available": "首个有数年份（规划无基期值）",
               "cumulative_zero": "累计起点"}.get(a.baseline_source or "", "基期")
        parts.append(f"{src}{a.baseline_year}年{f(a.baseline_value)}{unit}")
    if a.method == "distance" and a.completion_pct is not None:
        parts.append(f"目标完成度{a.completion_pct:.1f}%，时间进度{a.elapsed_pct:.1f}%")
    if a.method == "pace" and a.actual_growth_pct is not None:
        parts.append(f"实际年均增速{a.actual_growth_pct:.2f}%，所需年均增速{a.required_growth_pct:.2f}%")
    if a.method == "projection" and a.projected_value is not None:
        interval = ""
        if a.prediction_low is not None:
            interval = (f"（{a.prediction_level * 100:.0f}%预测区间{f(a.prediction_low)}～"
                        f"{f(a.prediction_high)}{unit}）")
        parts.append(f"按加权趋势预计{a.milestone_year}年{f(a.projected_value)}{unit}{interval}")
        if a.probability_meet is not None:
            parts.append(f"达标概率{a.probability_meet * 100:.0f}%")
        if a.escap_state:
            parts.append(f"ESCAP判断：{ESCAP_STATE_PHRASE_ZH[a.escap_state]}")
    if a.required_annual_change is not None and a.status not in ("achieved", "baseline"):
        parts.append(f"此后每年需变化{f(a.required_annual_change)}{unit}")
    if a.acceleration_factor is not None and a.status not in ("achieved", "baseline"):
        parts.append(f"需为以往年均变化的{a.acceleration_factor:.2f}倍")
    if a.reason:
        parts.append(a.reason)
    return f"{STATUS_ZH[a.status]}：" + "；".join(parts) + "。"


def assess(method: str, goal: Goal, series: dict[int, float], year: int, unit: str = "") -> Assessment:
    """Assess ``series`` (year -> value; for cumulative goals the annual amounts) at ``year`` against ``goal``."""
    a = Assessment(method=method, method_version=METHOD_VERSIONS[method], year=year,
                   milestone_year=goal.milestone_year, status="not_assessable", status_zh="", status_colour="",
                   comparator=goal.comparator, target_value=goal.target,
                   baseline_qualifier=goal.baseline_qualifier, precision_decimals=goal.precision)
    try:
        _assess(a, method, goal, {y: v for y, v in series.items() if y <= year and v is not None}, year)
    finally:
        _finish(a, goal, unit)
    return a


def not_judged(method: str, goal: Goal, year: int, value: float, reason: str, unit: str = "") -> Assessment:
    """A value served but not judged (it does not meet its validity rule, e.g. HJ 663's 324 valid days): the row
    says so, with the value as shown."""
    a = Assessment(method=method, method_version=METHOD_VERSIONS[method], year=year,
                   milestone_year=goal.milestone_year, status="not_assessable", status_zh="", status_colour="",
                   comparator=goal.comparator, target_value=goal.target, baseline_qualifier=goal.baseline_qualifier,
                   precision_decimals=goal.precision, actual_value_unrounded=value, actual_value=shown(value, goal),
                   reason=reason)
    _finish(a, goal, unit)
    return a


def _finish(a: Assessment, goal: Goal, unit: str) -> None:
    a.status_zh = STATUS_ZH[a.status]
    a.status_colour = STATUS_COLOUR[a.status]
    if goal.precision is not None:  # every figure in the indicator's unit is served at the precision it is shown
        for name in SHOWN_AT_PRECISION:
            setattr(a, name, round_gbt8170(getattr(a, name), goal.precision))
    a.explanation = _explain(a, unit)


# the Assessment fields in the indicator's unit: served and shown at its precision (the status is judged before)
SHOWN_AT_PRECISION = ("baseline_value", "planned_value", "projected_value", "prediction_low", "prediction_high",
                      "actual_annual_change", "required_annual_change")


def _assess(a: Assessment, method: str, goal: Goal, series: dict[int, float], year: int) -> None:
    ty = goal.milestone_year
    if year not in series:
        a.reason = "该年无数据"
        return
    # --- the start point: the plan's baseline, else the first year with data (recorded), zero for cumulative ---
    if goal.cumulative:
        y0 = (goal.period_start or year) - 1
        if year <= y0:
            a.reason = "累计期尚未开始"
            return
        missing = [y for y in range(y0 + 1, year + 1) if y not in series]
        if missing:
            a.reason = f"累计指标缺少年份{missing}"
            return
        totals = running_totals(series, y0 + 1)
        b, actual = 0.0, totals[year]
        a.baseline_source = "cumulative_zero"
        points = [(y0, 0.0)] + [(y, t) for y, t in totals.items() if y <= year]
    else:
        if goal.baseline_year is not None and goal.baseline_value is not None:
            y0, b = goal.baseline_year, goal.baseline_value
            a.baseline_source = "plan"
            if y0 in series and goal.baseline_year == year:
                b = b  # the plan's figure stays the baseline; the series value is shown as the actual
        else:
            y0 = min(series)
            b = series[y0]
            a.baseline_source = "first_available"
        actual = series[year]
        points = sorted([(y, v) for y, v in series.items() if y > y0] + [(y0, b)])
    # the figure judged is the figure shown: the value rounded by GB/T 8170 to the indicator's precision
    a.actual_value_unrounded = actual
    actual = shown(actual, goal)
    a.baseline_year, a.baseline_value, a.actual_value = y0, b, actual
    a.n_points = len(points)
    if goal.comparator == "done" or goal.no_deadline:
        _assess_level(a, goal, actual, year)
        return
    if goal.comparator != "band" and goal.target is not None:
        a.planned_value = planned_value(goal, year, y0, b) if year >= y0 else None
    if year < y0:
        a.reason = "早于基期"
        return
    target = goal.target
    remaining = ty - year
    # required annual change from here on, and what was achieved per year so far
    if target is not None and remaining > 0:
        a.required_annual_change = (target - actual) / remaining
        if goal.path == "compound" and actual > 0 and target > 0 and not goal.cumulative:
            a.required_growth_pct = ((target / actual) ** (1 / remaining) - 1) * 100
    elif target is not None and goal.cumulative and remaining > 0:
        a.required_annual_change = (target - actual) / remaining
    if year > y0:
        a.actual_annual_change = (actual - b) / (year - y0)
        if goal.cumulative and a.required_annual_change is not None and a.actual_annual_change > 0:
            a.acceleration_factor = a.required_annual_change / a.actual_annual_change
        elif (a.required_annual_change is not None and a.actual_annual_change * _sign(goal) > 0):
            a.acceleration_factor = a.required_annual_change / a.actual_annual_change

    # --- the edge cases every method shares ---
    if goal.direction == "projection" or goal.comparator == "band":
        _assess_range(a, method, goal, points, year)
        return
    if meets(actual, goal) and not (goal.direction == "maintain" and year < ty):
        a.status = "achieved"
        a.required_annual_change = 0.0 if remaining > 0 else None
        a.acceleration_factor = None
        a.score = None
        return
    if year >= ty:
        a.status = "not_achieved"
        return
    if year == y0:
        a.status = "baseline"
        a.reason = "基期年份，尚无可评估的进展"
        return
    if goal.direction == "maintain" or (target == b and not goal.cumulative):
        # maintain: T = B, nothing to complete; on track while the value holds the target
        a.status = "on_track" if meets(actual, goal) else "deterioration"
        a.reason = "保持型目标：以是否保持在目标水平评估"
        return
    if goal.baseline_qualifier:
        a.reason = f"基期值带限定符（{goal.baseline_qualifier}{b:g}），按{b:g}计算，结果偏保守"

    elapsed = (year - y0) / (ty - y0)
    if method == "distance":
        completion = (actual - b) / (target - b)
        a.completion_pct, a.elapsed_pct = completion * 100, elapsed * 100
        a.score = completion / elapsed
        a.status = _classify(a.score, method)
    elif method == "pace":
        if goal.cumulative:
            # the running total against the planned running total, as distance does, with the same thresholds:
            # one number, one status, whichever method is shown
            actual_rate = (actual - b) / (year - y0)
            required_rate = (target - b) / (ty - y0)
            a.score = actual_rate / required_rate
            a.status = _classify(a.score, "distance")
            return
        else:
            if b <= 0 or actual <= 0 or target <= 0:
                a.status = "not_assessable"
                a.reason = "非正值无法计算复合增长率"
                return
            cagr = (actual / b) ** (1 / (year - y0)) - 1
            required = (target / b) ** (1 / (ty - y0)) - 1
            a.actual_growth_pct, a.required_growth_pct = cagr * 100, required * 100
            a.score = cagr / required
        a.status = _classify(a.score, method)
    else:
        _project(a, goal, points, year)


NO_DEADLINE_REASON = "无期限目标：按是否达到目标水平评估"
DONE_PENDING_REASON = "是否完成类目标：到期前只判断是否已完成，无中间进度可评估"


def _assess_level(a: Assessment, goal: Goal, actual: float, year: int) -> None:
    """A yes/no milestone (done: 基本建成/基本完成 by a year) or a target without a deadline: judged on the level
    reached, since neither has a planned path to be ahead of or behind. Done (or the level met) is achieved; a
    no-deadline target not met is limited; a yes/no milestone not done is not achieved once its year has come and
    not assessable before it."""
    if goal.comparator == "done" and year == goal.milestone_year:
        a.planned_value = goal.target
    if meets(actual, goal):
        a.status = "achieved"
    elif goal.no_deadline:
        a.status = "limited"
    elif year >= goal.milestone_year:
        a.status = "not_achieved"
    else:
        a.status = "not_assessable"
        a.reason = DONE_PENDING_REASON
    if goal.no_deadline:
        a.reason = NO_DEADLINE_REASON


def _project(a: Assessment, goal: Goal, points: list[tuple[int, float]], year: int) -> None:
    """ESCAP's Anticipated Progress: the time-weighted trend's prediction for the milestone year against the target;
    the fit, its interval and probability come from urbanmon.forecast."""
    n = len(points)
    if n < MIN_POINTS_PROJECTION:
        a.reason = f"数据点不足（{n}个，趋势外推至少需要{MIN_POINTS_PROJECTION}个）"
        a.status = "not_assessable"
        return
    ty = goal.milestone_year
    lower, upper = _bounds(goal)
    if goal.cumulative:
        # the trend of the annual amounts (the running totals' steps), not of the running totals themselves
        amounts = [(y, v - points[i][1]) for i, (y, v) in enumerate(points[1:])]
        f = forecast(amounts, ty, lower=lower, upper=upper, scale="cumulative", running_total=points[-1][1])
    else:
        scale = choose_scale([v for _, v in points], cumulative=False, compound=goal.path == "compound",
                             limit_min=goal.limit_min, limit_max=goal.limit_max)
        f = forecast(points, ty, lower=lower, upper=upper, scale=scale, limit_min=goal.limit_min,
                     limit_max=goal.limit_max)
    a.projected_value = _at_limit(clip(f.predicted, goal), goal)
    a.probability_meet, a.probability_model = f.probability, f.model
    a.prediction_low, a.prediction_high, a.prediction_level = f.low, f.high, f.level
    if f.probability is None:
        note = f"数据点不足{MIN_POINTS_PROBABILITY}个，不给出达标概率"
        a.reason = f"{a.reason}；{note}" if a.reason else note
    if goal.comparator == "band" or goal.direction == "projection":
        return
    b, target = a.baseline_value, goal.target
    a.score = (a.projected_value - b) / (target - b)
    if abs(a.score) < 1e-9:  # a flat series predicts its level back up to rounding: no change, not a reversal
        a.score = 0.0
    a.status = "on_track" if meets(a.projected_value, goal) else _classify(min(a.score, 0.999), "projection")
    _set_escap_state(a, "maintain" if a.status == "on_track" else "accelerate" if a.score >= 0 else "reverse")


def _at_limit(value: float, goal: Goal) -> float:
    """A prediction within the margin of a natural limit is the limit (the logit scale approaches it only)."""
    if goal.limit_min is None or goal.limit_max is None:
        return value
    margin = BOUND_MARGIN_SHARE * (goal.limit_max - goal.limit_min)
    if value >= goal.limit_max - margin:
        return goal.limit_max
    if value <= goal.limit_min + margin:
        return goal.limit_min
    return value


def _set_escap_state(a: Assessment, state: str) -> None:
    a.escap_state, a.escap_state_zh = state, ESCAP_STATE_ZH[state]


def _assess_range(a: Assessment, method: str, goal: Goal, points: list[tuple[int, float]], year: int) -> None:
    """Bands (a two-sided range the plan's wording implies, recorded with its reason): judged inside or outside the
    range, not better or worse. 左右 / 约 is not a band (urbanmon.wording): it is judged one-sided."""
    lo, hi = goal.band_low, goal.band_high
    if method == "projection":
        _project(a, goal, points, year)
        if a.projected_value is None:
            return
        a.status = "on_track" if meets(a.projected_value, goal) else "off_range"
        # ESCAP's state for a range: held, or moving towards the range (accelerate) or away from it (reverse)
        low, high = _bounds(goal)
        def gap(v: float) -> float:
            return max(low - v, 0.0, v - high)
        closer = gap(a.projected_value) < gap(a.baseline_value)
        _set_escap_state(a, "maintain" if a.status == "on_track" else "accelerate" if closer else "reverse")
        return
    if year == a.baseline_year and year < goal.milestone_year:
        a.status = "baseline"
        return
    if lo is None or hi is None:
        a.status = "not_assessable"
        return
    inside = meets(a.actual_value, goal)
    a.reason = f"预期区间[{format_value(lo, goal.precision or 0)}, {format_value(hi, goal.precision or 0)}]"
    if year >= goal.milestone_year:
        a.status = "achieved" if inside else "not_achieved"
    else:
        a.status = "on_track" if inside else "off_range"
