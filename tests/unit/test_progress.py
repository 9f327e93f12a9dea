"""Worked examples for the progress methods and the league table, computed by hand (numbers in the comments)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from scipy.stats import t as student_t

from urbanmon.league import ScoredIndicator, league_table
from urbanmon.progress import Goal, assess, planned_path

FIVE_G = Goal(direction="higher", milestone_year=2025, comparator="reach", target=6.0, baseline_year=2020,
              baseline_value=1.7, limit_min=0, path="compound")
RECLAIMED = Goal(direction="higher", milestone_year=2025, comparator="reach", target=50.0, baseline_year=2020,
                 baseline_value=35.0, limit_min=0, limit_max=100)


def test_distance_worked_example_on_track():
    # completion (41-35)/(50-35) = 0.4; elapsed 2/5 = 0.4 -> score 1.0; required (50-41)/3 = 3/yr, achieved 3/yr
    a = assess("distance", RECLAIMED, {2020: 35.0, 2021: 38.0, 2022: 41.0}, 2022, "%")
    assert a.status == "on_track"
    assert a.completion_pct == pytest.approx(40.0)
    assert a.elapsed_pct == pytest.approx(40.0)
    assert a.score == pytest.approx(1.0)
    assert a.required_annual_change == pytest.approx(3.0)
    assert a.actual_annual_change == pytest.approx(3.0)
    assert a.acceleration_factor == pytest.approx(1.0)
    assert a.method_version == "distance-2.0"
    assert "进度正常" in a.explanation and "40.0%" in a.explanation


def test_methods_disagree_on_compound_growth():
    # 5G stations 1.7 -> 6 (2025), 3.0 in 2022.
    # distance: (3.0-1.7)/4.3 = 0.30233 vs elapsed 0.4 -> 0.7558: needs acceleration
    # pace: CAGR (3/1.7)^(1/2)-1 = 0.328422 vs required (6/1.7)^(1/5)-1 = 0.286893 -> 1.1448: on track
    series = {2020: 1.7, 2022: 3.0}
    distance = assess("distance", FIVE_G, series, 2022)
    pace = assess("pace", FIVE_G, series, 2022)
    assert distance.status == "needs_acceleration"
    assert distance.score == pytest.approx(0.75581, abs=1e-4)
    assert pace.status == "on_track"
    assert pace.actual_growth_pct == pytest.approx(32.8422, abs=1e-3)
    assert pace.required_growth_pct == pytest.approx(28.6893, abs=1e-3)
    assert pace.score == pytest.approx(1.14475, abs=1e-4)
    # two points only: the trend method declines to judge
    projection = assess("projection", FIVE_G, series, 2022)
    assert projection.status == "not_assessable"
    assert "数据点不足" in projection.reason


RAIL = Goal(direction="higher", milestone_year=2025, comparator="reach", target=230.0, baseline_year=2019,
            baseline_value=120.0, limit_min=0)  # km of urban rail: no upper limit, linear path -> linear scale
RAIL_SERIES = {2019: 120.0, 2020: 135.0, 2021: 152.0, 2022: 160.0, 2023: 178.0}


def test_projection_worked_example_escap_anticipated_progress():
    # docs/progress-methods.md, "Worked example". Weights w = t - 2019 + 1 = 1..5, x = t - 2023 = -4..0:
    # sum w = 15, weighted mean x = -20/15 = -4/3, weighted mean y = 2376/15 = 158.4,
    # Sxx = 50 - 15 (4/3)^2 = 23.333, Sxy = -2842 + 15 (4/3) 158.4 = 326 -> slope 13.9714, level at 2023 177.0286,
    # P(2025) = 177.0286 + 2 x 13.9714 = 204.9714; score (204.9714-120)/(230-120) = 0.77247 -> needs acceleration
    a = assess("projection", RAIL, RAIL_SERIES, 2023, "公里")
    assert a.method_version == "projection-2.0"
    assert a.projected_value == pytest.approx(204.97143, abs=1e-4)
    assert a.score == pytest.approx(0.77247, abs=1e-4)
    assert (a.status, a.escap_state, a.escap_state_zh) == ("needs_acceleration", "accelerate", "加快")
    # the same prediction from numpy's weighted polyfit (it weights residuals, so sqrt(w) weights squares by w)
    years = np.array(sorted(RAIL_SERIES), dtype=float)
    values = np.array([RAIL_SERIES[y] for y in sorted(RAIL_SERIES)])
    w = years - years[0] + 1
    slope, level = np.polyfit(years - 2023, values, 1, w=np.sqrt(w))
    assert a.projected_value == pytest.approx(level + 2 * slope, rel=1e-9)
    # probability from first principles: residual variance RSS/df with df = tr((I-H)(I-H)') (3.3143), floored at
    # max(0.5 % of the mean level 149, 10 % of the mean step 14.5) = 1.45^2 (not binding here: 6.0653), inflated by
    # 1 + 0.25 x 2 years, times (1 + x0' V x0) with V the sandwich (X'WX)^-1 X'W^2X (X'WX)^-1 (x0'Vx0 = 2.0857)
    design = np.column_stack([np.ones(5), years - 2023])
    weight = np.diag(w)
    bread = np.linalg.inv(design.T @ weight @ design)
    resid = values - design @ np.array([level, slope])
    residual_maker = np.eye(5) - design @ bread @ design.T @ weight
    s2 = resid @ resid / np.trace(residual_maker @ residual_maker.T)
    assert s2 == pytest.approx(6.06527, abs=1e-4)
    x0 = np.array([1.0, 2.0])
    leverage = x0 @ bread @ design.T @ weight @ weight @ design @ bread @ x0
    assert leverage == pytest.approx(2.08571, abs=1e-4)
    sd = math.sqrt(max(s2, 1.45 ** 2) * 1.5 * (1 + leverage))
    assert sd == pytest.approx(5.29845, abs=1e-4)
    assert a.probability_meet == pytest.approx(student_t.sf((230 - a.projected_value) / sd, 3), rel=1e-9)
    assert a.probability_meet == pytest.approx(0.0089867, abs=1e-6)
    q = student_t.ppf(0.9, 3)  # 80 % central interval
    assert (a.prediction_low, a.prediction_high, a.prediction_level) == (
        pytest.approx(204.97143 - q * sd, abs=1e-4), pytest.approx(204.97143 + q * sd, abs=1e-4), 0.8)
    assert a.prediction_low == pytest.approx(196.2939, abs=1e-3)
    assert a.prediction_high == pytest.approx(213.6489, abs=1e-3)
    assert a.probability_model.startswith("linear trend; time-weighted")
    assert "加快进展" in a.explanation and "80%预测区间" in a.explanation
    # ESCAP's other two states: a target the trend passes, and a trend going the wrong way
    assert assess("projection", replace(RAIL, target=190.0), RAIL_SERIES, 2023).escap_state == "maintain"
    falling = {2019: 120.0, 2020: 118.0, 2021: 117.0, 2022: 115.0, 2023: 112.0}
    reverse = assess("projection", RAIL, falling, 2023)
    assert (reverse.status, reverse.escap_state, reverse.escap_state_zh) == ("deterioration", "reverse", "扭转")


def test_projection_with_fewer_than_five_points_gives_no_probability():
    series = {2020: 35.0, 2021: 37.0, 2022: 40.0, 2023: 42.0}
    a = assess("projection", RECLAIMED, series, 2023, "%")
    assert a.projected_value is not None and a.escap_state is not None
    assert a.probability_meet is None and a.prediction_low is None and a.prediction_level is None
    assert "数据点不足5个，不给出达标概率" in a.reason and "达标概率" not in a.explanation.replace(a.reason, "")
    # the same year under the other methods: distance 0.4667/0.6 = 0.7778; pace 0.062659/0.073941 = 0.8474
    assert assess("distance", RECLAIMED, series, 2023).score == pytest.approx(0.77778, abs=1e-4)
    assert assess("pace", RECLAIMED, series, 2023).score == pytest.approx(0.84742, abs=1e-4)


def test_collinear_points_never_give_certainty():
    straight = {2019: 120.0, 2020: 135.0, 2021: 150.0, 2022: 165.0, 2023: 180.0}  # P(2025) = 210 exactly
    a = assess("projection", RAIL, straight, 2023)
    assert a.projected_value == pytest.approx(210.0)
    # zero residuals: the floor max(0.5 % of 150, 10 % of 15) = 1.5 sets the spread, so 0 < P < 1
    assert 0 < a.probability_meet < 0.05
    assert 0.95 < assess("projection", replace(RAIL, target=200.0), straight, 2023).probability_meet < 1
    flat = assess("projection", RAIL, dict.fromkeys(range(2019, 2024), 120.0), 2023)
    assert (flat.score, flat.status, flat.escap_state) == (0.0, "limited", "accelerate")
    assert 0 < flat.probability_meet < 1e-4  # floor 0.5 % of 120 = 0.6: 230 is far out, but not impossible


def test_compound_stock_is_projected_on_the_log_scale():
    # 1.7 x 1.3^k: a straight line in logs, so the prediction for 2025 is 1.7 x 1.3^7 exactly
    series = {2018 + k: 1.7 * 1.3 ** k for k in range(6)}
    goal = replace(FIVE_G, baseline_year=2018, baseline_value=1.7, target=1.7 * 1.3 ** 7 * 1.05)
    a = assess("projection", goal, series, 2023)
    assert a.projected_value == pytest.approx(1.7 * 1.3 ** 7, rel=1e-9)
    assert a.probability_model.startswith("log-linear") and 0 < a.probability_meet < 0.5
    assert a.prediction_low < a.projected_value < a.prediction_high


def test_cumulative_target_is_projected_from_annual_amounts():
    training = Goal(direction="higher", milestone_year=2025, comparator="reach", target=110.0, cumulative=True,
                    period_start=2019, limit_min=0)
    amounts = {2019: 10.0, 2020: 12.0, 2021: 13.0, 2022: 15.0, 2023: 16.0}  # running total 66 in 2023
    a = assess("projection", training, amounts, 2023)
    years = np.array(sorted(amounts), dtype=float)
    slope, level = np.polyfit(years - 2023, [amounts[y] for y in sorted(amounts)], 1, w=np.sqrt(years - 2018))
    # the remaining amounts of 2024 and 2025 on the amounts' trend, added to the running total
    assert a.projected_value == pytest.approx(66 + (level + slope) + (level + 2 * slope), rel=1e-9)
    assert a.probability_model.startswith("linear trend of annual amounts") and 0 < a.probability_meet < 1


def test_target_already_met_and_final_evaluation():
    coverage = Goal(direction="higher", milestone_year=2025, comparator="reach", target=100.0, baseline_year=2020,
                    baseline_value=85.2, limit_min=0, limit_max=100)
    a = assess("distance", coverage, {2020: 85.2, 2023: 100.0}, 2023)
    assert (a.status, a.required_annual_change, a.acceleration_factor) == ("achieved", 0.0, None)
    late = assess("pace", coverage, {2020: 85.2, 2025: 97.0}, 2025)
    assert late.status == "not_achieved"


def test_lower_is_better_and_strict_comparator():
    ratio = Goal(direction="lower", milestone_year=2025, comparator="<", target=2.5, baseline_year=2020,
                 baseline_value=2.61, limit_min=1)
    # completion (2.55-2.61)/(2.5-2.61) = 0.5455 vs elapsed 0.4 -> 1.364
    a = assess("distance", ratio, {2020: 2.61, 2022: 2.55}, 2022)
    assert a.status == "on_track" and a.score == pytest.approx(1.36364, abs=1e-4)
    assert a.required_annual_change == pytest.approx((2.5 - 2.55) / 3)
    assert assess("pace", ratio, {2020: 2.61, 2022: 2.66}, 2022).status == "deterioration"
    assert assess("distance", ratio, {2025: 2.50}, 2025).status == "not_achieved"  # '<2.5' is strict
    assert assess("distance", ratio, {2025: 2.49}, 2025).status == "achieved"


def test_maintain_target():
    recycling = Goal(direction="maintain", milestone_year=2025, comparator=">=", target=35.0, baseline_year=2020,
                     baseline_value=35.0, limit_min=0, limit_max=100)
    assert assess("distance", recycling, {2022: 36.0}, 2022).status == "on_track"
    worse = assess("pace", recycling, {2022: 34.0}, 2022)
    assert worse.status == "deterioration"
    assert worse.required_annual_change == pytest.approx(1 / 3)


def test_bounded_projection_stays_within_the_limits():
    goal = Goal(direction="higher", milestone_year=2025, comparator="reach", target=99.0, baseline_year=2018,
                baseline_value=80.0, limit_min=0, limit_max=100)
    a = assess("projection", goal, {2018: 80.0, 2019: 85.0, 2020: 90.0, 2021: 95.0, 2022: 98.5}, 2022)
    # a straight line would reach 112 by 2025; the logit trend approaches 100 and never counts values above it
    assert 99.0 < a.projected_value <= 100.0 and a.prediction_high <= 100.0
    assert a.probability_model.startswith("logit")
    assert a.status == "on_track" and a.escap_state == "maintain" and 0.5 < a.probability_meet < 1
    at_limit = assess("projection", replace(goal, target=100.0), {2018: 80.0, 2019: 90.0, 2020: 99.0,
                                                                   2021: 99.99, 2022: 99.999}, 2022)
    assert at_limit.projected_value == 100.0  # within 0.05 % of the range of the limit: the limit


def test_qualified_baseline_is_used_and_flagged():
    fibre = Goal(direction="higher", milestone_year=2025, comparator=">", target=90.0, baseline_year=2020,
                 baseline_value=40.0, baseline_qualifier="<", limit_min=0, limit_max=100)
    a = assess("distance", fibre, {2022: 60.0}, 2022)
    assert a.completion_pct == pytest.approx(40.0)  # (60-40)/(90-40)
    assert a.baseline_qualifier == "<" and "<40" in a.reason


def test_cumulative_target():
    training = Goal(direction="higher", milestone_year=2025, comparator="reach", target=100.0, cumulative=True,
                    period_start=2021, limit_min=0)
    a = assess("distance", training, {2021: 18.0, 2022: 22.0}, 2022)
    assert (a.baseline_source, a.baseline_value, a.actual_value) == ("cumulative_zero", 0.0, 40.0)
    assert a.score == pytest.approx(1.0) and a.status == "on_track"
    assert a.required_annual_change == pytest.approx(20.0)
    assert assess("pace", training, {2021: 18.0, 2022: 22.0}, 2022).score == pytest.approx(1.0)
    gap = assess("distance", training, {2022: 22.0}, 2022)
    assert gap.status == "not_assessable" and "2021" in gap.reason


def test_missing_baseline_uses_first_available_year():
    hospitals = Goal(direction="higher", milestone_year=2025, comparator="reach", target=100.0, limit_max=100)
    first = assess("distance", hospitals, {2021: 60.0}, 2021)
    assert (first.status, first.baseline_source, first.baseline_year) == ("baseline", "first_available", 2021)
    a = assess("distance", hospitals, {2021: 60.0, 2022: 70.0}, 2022)
    assert a.score == pytest.approx(1.0)  # (70-60)/(100-60) = 0.25 over 1/4 of 2021..2025


def test_a_planning_projection_is_judged_in_the_direction_the_text_asks_for():
    # 年末常住人口: the text asks for growth (加快壮大人口规模): 1040万 against the projected 1000 is achieved, not a
    # miss of a ±3 % band; 990 in 2025 is not achieved
    population = Goal(direction="higher", milestone_year=2025, comparator="reach", target=1000.0,
                      baseline_year=2020, baseline_value=924.2, path="compound", precision=1)
    assert assess("distance", population, {2020: 924.2, 2025: 1040.0}, 2025).status == "achieved"
    assert assess("distance", population, {2020: 924.2, 2025: 990.0}, 2025).status == "not_achieved"
    on_way = assess("distance", population, {2020: 924.2, 2022: 955.0}, 2022)
    # completion (955-924.2)/(1000-924.2) = 0.40633 over elapsed 0.4 -> 1.0158: on track
    assert on_way.status == "on_track" and on_way.score == pytest.approx(1.01583, abs=1e-4)


@pytest.mark.parametrize(("direction", "target", "value", "status"), [
    ("higher", 400.0, 430.0, "achieved"),   # 智慧社区 430 against 400个左右: overshooting the desired way is fine
    ("higher", 70.0, 78.0, "achieved"),     # 蓝绿空间 78 % against 保障70%左右
    ("higher", 70.0, 69.0, "not_achieved"),
    ("lower", 2.5, 2.0, "achieved"),        # a lower-is-better figure about 2.5 met well below it
    ("lower", 2.5, 2.6, "not_achieved"),
])
def test_about_is_one_sided_in_the_desired_direction(direction, target, value, status):
    goal = Goal(direction=direction, milestone_year=2025, comparator="about", target=target, precision=0)
    assert assess("distance", goal, {2021: value * 0.9, 2025: value}, 2025).status == status


def test_a_two_sided_band_only_where_recorded():
    goal = Goal(direction="band", milestone_year=2025, comparator="band", target=None, band_low=60.0,
                band_high=70.0, precision=0)
    assert assess("distance", goal, {2021: 62.0, 2025: 70.4}, 2025).status == "achieved"  # shown 70
    assert assess("distance", goal, {2021: 62.0, 2025: 71.0}, 2025).status == "not_achieved"
    assert assess("distance", goal, {2021: 62.0, 2023: 59.0}, 2023).status == "off_range"


def test_planned_path_two_milestones():
    goals = [Goal(direction="higher", milestone_year=2025, comparator="reach", target=50.0, path="linear"),
             Goal(direction="higher", milestone_year=2035, comparator="reach", target=65.0, path="linear")]
    path = {r["year"]: r["planned_value"] for r in planned_path(goals, 2020, 35.0)}
    assert sorted(path) == list(range(2020, 2036))
    assert path[2023] == pytest.approx(44.0) and path[2025] == pytest.approx(50.0)
    assert path[2030] == pytest.approx(57.5)
    compound = planned_path([FIVE_G], 2020, 1.7)
    assert compound[1]["planned_value"] == pytest.approx(1.7 * (6 / 1.7) ** 0.2)


def test_league_table_worked_example():
    ind = {"x": ScoredIndicator("x", "green", +1)}
    values = [{"indicator_code": "x", "area_code": a, "year": y, "value": v}
              for (a, y, v) in [("a", 2020, 10), ("b", 2020, 20), ("c", 2020, 30),
                                ("a", 2021, 16), ("b", 2021, 22), ("c", 2021, 31), ("z", 2021, 25)]]
    rows = {(r["area_code"], r["year"]): r for r in league_table(values, ind, {"a", "b", "c"}, {"z"})}
    # 2021 level: a 0, b 40, c 100; improvement (changes 6, 2, 1): a 100, b 20, c 0
    # overall 0.6 level + 0.4 improvement: a 40, b 32, c 60
    assert [rows[(k, 2021)]["overall_score"] for k in "abc"] == [40.0, 32.0, 60.0]
    assert [rows[(k, 2021)]["rank"] for k in "abc"] == [2, 3, 1]
    assert [rows[(k, 2021)]["rating"] for k in "abc"] == ["C", "D", "B"]
    assert [k for k in "abc" if rows[(k, 2021)]["is_commended"]] == ["c"]
    zone = rows[("z", 2021)]
    assert zone["rank"] is None and zone["level_score"] == 60.0 and not zone["is_ranked"]
    # a binding indicator in red caps the rating and takes the district off the commended list
    ind_b = {"x": ScoredIndicator("x", "green", +1, binding=True)}
    capped = {(r["area_code"], r["year"]): r
              for r in league_table(values, ind_b, {"a", "b", "c"}, {"z"}, red_binding={("x", "c", 2021)})}
    assert capped[("c", 2021)]["rating"] == "C" and not capped[("c", 2021)]["is_commended"]
    assert capped[("c", 2021)]["capped_by"] == "x" and capped[("c", 2021)]["rank"] == 1
