"""The projection method's forecast: a time-weighted trend on the indicator's natural scale, its prediction for the
milestone year, a prediction interval and the probability of meeting the milestone.

This is the one function the progress rows use (``progress._project`` calls ``forecast``) and the one the
calibration test (tests/unit/test_forecast_calibration.py) simulates; the method is described in
docs/progress-methods.md.

- Weights: ESCAP's Anticipated Progress Index extrapolates with a time-weighted regression that gives recent years
  more weight (ESCAP Statistics Division, SD/WP/04 "Weighted extrapolation method for measuring SDGs", 2017, and the
  "Asia and the Pacific SDG Progress Report" technical notes). We use linear weights w = t - t0 + 1 (the first year
  weighs 1, the latest n): recent years count more without one year deciding the trend alone.
- Scale: the trend is a straight line on the scale on which the indicator plausibly moves in straight lines:
  ``logit`` for quantities with both natural limits (shares 0..100 %), ``log`` for compounding stocks
  (path ``compound``, positive values), ``cumulative`` (a line through the annual amounts; the remaining amounts are
  predicted and added to the running total) for cumulative targets, ``linear`` otherwise. Back-transformed values
  can never leave the natural limits, so impossible values are never counted as meeting a target.
- Uncertainty: the residual variance of the weighted fit (degrees of freedom from the fit's hat matrix), floored
  (collinear points never give certainty), inflated for what five to eight points cannot show (autocorrelated
  deviations, curvature), Student-t with n - 2 degrees of freedom.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MIN_POINTS_PROBABILITY = 5       # fewer annual points: no probability (the variance is a guess from 1-2 df)
PREDICTION_LEVEL = 0.80          # central prediction interval reported beside the probability
# The floor of the residual standard deviation on the original scale: a share of the series' mean absolute level
# (measurement precision of a published figure is rarely better than 0.5 % of it) or of its mean absolute annual
# change, whichever is larger, so a perfectly straight series is still not a certainty.
SD_FLOOR_SHARE_OF_LEVEL = 0.005
SD_FLOOR_SHARE_OF_STEP = 0.10
# Variance inflation for model error the fit cannot see in so few points (autocorrelated noise, curved trends);
# the factor grows with the horizon because such errors compound with it. Chosen with the calibration simulation
# (tests/unit/test_forecast_calibration.py, docs/progress-methods.md) and stated in the model name.
INFLATION_BASE = 1.0
INFLATION_PER_YEAR = 0.25
BOUND_MARGIN_SHARE = 0.0005      # values within 0.05 % of the range from a limit count as at the limit


@dataclass(frozen=True)
class Forecast:
    scale: str                       # linear | log | logit | cumulative
    predicted: float                 # the prediction for the milestone year on the original scale (median)
    low: float | None                # prediction interval at ``level`` (None without a probability)
    high: float | None
    level: float | None
    probability: float | None        # P(the milestone-year value lies in [lower, upper])
    model: str
    n_points: int


def time_weights(years: Sequence[float]) -> np.ndarray:
    """ESCAP-style recency weights: w = t - t0 + 1."""
    t = np.asarray(years, dtype=float)
    return t - t.min() + 1.0


def _transform(scale: str, lo: float | None, hi: float | None):
    """(forward, inverse, derivative) of the fitting scale."""
    if scale == "log":
        return np.log, np.exp, lambda v: 1.0 / v
    if scale == "logit":
        span = hi - lo
        margin = BOUND_MARGIN_SHARE * span

        def forward(v):
            p = (np.clip(v, lo + margin, hi - margin) - lo) / span
            return np.log(p / (1 - p))

        def inverse(z):
            return lo + span / (1 + np.exp(-np.asarray(z, dtype=float)))

        def derivative(v):
            v = np.clip(v, lo + margin, hi - margin)
            return span / ((v - lo) * (hi - v))

        return forward, inverse, derivative
    return (lambda v: np.asarray(v, dtype=float)), (lambda z: np.asarray(z, dtype=float)), (lambda v: 1.0)


def choose_scale(values: Sequence[float], *, cumulative: bool, compound: bool, limit_min: float | None,
                 limit_max: float | None) -> str:
    if cumulative:
        return "cumulative"
    if limit_min is not None and limit_max is not None and limit_max > limit_min:
        return "logit"
    if compound and min(values) > 0:
        return "log"
    return "linear"


def _weighted_fit(x: np.ndarray, z: np.ndarray, w: np.ndarray):
    """Weighted least squares of z on (1, x): coefficients, the residual variance under equal-variance errors and
    the coefficients' covariance per unit error variance (sandwich: the weights express recency, not precision)."""
    design = np.column_stack([np.ones_like(x), x])
    xtw = design.T * w
    bread = np.linalg.inv(xtw @ design)
    beta = bread @ (xtw @ z)
    resid = z - design @ beta
    hat = design @ bread @ xtw
    residual_maker = np.eye(len(x)) - hat
    df = float(np.trace(residual_maker @ residual_maker.T))  # E[r'r] = sigma^2 * df for equal-variance errors
    s2 = float(resid @ resid) / df if df > 0 else 0.0
    cov_unit = bread @ (xtw * w) @ design @ bread
    return beta, s2, cov_unit


def forecast(points: Sequence[tuple[int, float]], target_year: int, *, lower: float = -math.inf,
             upper: float = math.inf, scale: str = "linear", limit_min: float | None = None,
             limit_max: float | None = None, running_total: float = 0.0,
             min_points_probability: int = MIN_POINTS_PROBABILITY) -> Forecast:
    """Forecast the value in ``target_year`` from ``points`` (year, value) and P(lower <= value <= upper).

    For ``scale='cumulative'`` the points are the annual amounts; the prediction is ``running_total`` plus the
    predicted amounts of the years after the last point through ``target_year``.
    """
    pts = sorted(points)
    x = np.array([p[0] for p in pts], dtype=float)
    v = np.array([p[1] for p in pts], dtype=float)
    n = len(pts)
    w = time_weights(x)
    forward, inverse, derivative = _transform(scale, limit_min, limit_max)
    z = forward(v)
    beta, s2, cov_unit = _weighted_fit(x - x[-1], z, w)

    last = x[-1]
    if scale == "cumulative":
        future = np.arange(last + 1, target_year + 1, dtype=float) - last
        m = len(future)
        row = np.array([m, future.sum()])               # the sum of the future years' (1, x)
        mean = running_total + float(row @ beta)
        new_obs = float(m)                              # m new annual errors in the sum
        horizon = max(m, 1)
    else:
        row = np.array([1.0, target_year - last])
        mean = float(row @ beta)
        new_obs = 1.0
        horizon = max(target_year - last, 1)

    name = (f"{_SCALE_NAMES[scale]}; time-weighted least squares (w = t - t0 + 1)")
    if n < min_points_probability:
        predicted = float(inverse(mean)) if scale != "cumulative" else mean
        return Forecast(scale, predicted, None, None, None, None, name, n)

    # the floor: on the original scale, carried to the fitting scale at the series' typical level
    level_v = float(np.mean(np.abs(v)))
    step_v = float(np.mean(np.abs(np.diff(v)))) if n > 1 else 0.0
    floor_sd = max(SD_FLOOR_SHARE_OF_LEVEL * level_v, SD_FLOOR_SHARE_OF_STEP * step_v, 1e-12)
    if scale == "logit":
        # a share that sits at a limit (0 % five years running) has no level to scale the floor by: take it from
        # the range instead, and carry it to the logit scale no closer to the limit than the floor itself, or the
        # logit's slope at the limit makes the floor vanish and the probability exactly 0 or 1
        span = limit_max - limit_min
        floor_sd = max(floor_sd, SD_FLOOR_SHARE_OF_LEVEL * span)
        v = np.clip(v, limit_min + floor_sd, limit_max - floor_sd)
    floor_sd *= float(np.mean(np.abs(derivative(v))))
    s2 = max(s2, floor_sd ** 2)
    inflation = INFLATION_BASE + INFLATION_PER_YEAR * horizon
    var = s2 * inflation * (new_obs + float(row @ cov_unit @ row))
    sd = math.sqrt(var)
    dof = n - 2
    if sd == 0:  # nothing left to predict (a cumulative target judged in its last year): the value is known
        return Forecast(scale, mean, mean, mean, PREDICTION_LEVEL, float(lower <= mean <= upper), name, n)

    def to_value(zq: float) -> float:
        return float(zq) if scale == "cumulative" else float(inverse(zq))

    def to_fit(value: float) -> float:
        """A bound on the fitting scale; beyond a natural limit it is infinite, within the margin of one it is the
        margin (reaching a limit within its margin counts as reaching it, as for the data)."""
        if not math.isfinite(value) or scale in ("linear", "cumulative"):
            return value
        if scale == "log":
            return math.log(value) if value > 0 else -math.inf
        if value < limit_min:
            return -math.inf
        if value > limit_max:
            return math.inf
        return float(forward(np.array(value)))

    lo_z, hi_z = to_fit(lower), to_fit(upper)
    from scipy.special import stdtr, stdtrit  # here: importing scipy costs ~1 s, paid only by a real forecast

    p_hi = 1.0 if hi_z == math.inf else float(stdtr(dof, (hi_z - mean) / sd))
    p_lo = 0.0 if lo_z == -math.inf else float(stdtr(dof, (lo_z - mean) / sd))
    probability = min(1.0, max(0.0, p_hi - p_lo))
    q = float(stdtrit(dof, 0.5 + PREDICTION_LEVEL / 2))
    name += (f"; Student-t prediction ({dof} df), residual variance floored and inflated "
             f"x({INFLATION_BASE:g} + {INFLATION_PER_YEAR:g} per year ahead)")
    return Forecast(scale, to_value(mean), to_value(mean - q * sd), to_value(mean + q * sd), PREDICTION_LEVEL,
                    probability, name, n)


_SCALE_NAMES = {
    "linear": "linear trend",
    "log": "log-linear trend (compound growth)",
    "logit": "logit trend within the natural limits",
    "cumulative": "linear trend of annual amounts added to the running total",
}
