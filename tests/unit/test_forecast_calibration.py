"""Calibration of the projection's probability of meeting a milestone (urbanmon.forecast.forecast, the function
progress._project calls), by a seeded simulation.

Series come from known processes, half of them not the model's (autocorrelated AR(1) deviations, curved trends,
bounded shares near a limit, compounding stocks, cumulative annual amounts), with 5-8 annual points and a
milestone 2-5 years after the last one. The true milestone-year value is simulated from the same process. When the
predicted probabilities are grouped in deciles, each decile's share of series that met the target must lie within
0.05 of its mean predicted probability. The measured table is in docs/progress-methods.md
(``python tests/unit/test_forecast_calibration.py`` prints it).
"""

from __future__ import annotations

import math
import time

import numpy as np

from urbanmon.forecast import forecast

N_SERIES = 10000         # 1,000 per decile: the binomial sd of a decile's frequency is at most 0.016
SEED = 20240612
KINDS = ("linear_iid", "linear_ar1", "curved", "share_high", "share_low", "compound", "compound_ar1",
         "cumulative")


def _ar1(rng, n, rho, sd):
    """AR(1) deviations with stationary start."""
    e = np.empty(n)
    e[0] = rng.normal(0, sd / math.sqrt(1 - rho * rho))
    for i in range(1, n):
        e[i] = rho * e[i - 1] + rng.normal(0, sd)
    return e


def simulate_one(rng, kind: str) -> tuple[dict, bool]:
    """One series: the arguments of ``forecast`` and whether the simulated milestone-year value met the target."""
    n = int(rng.integers(5, 9))
    horizon = int(rng.integers(2, 6))
    years = np.arange(n + horizon)              # 0..n-1 observed, n-1+horizon the milestone year
    ty = n - 1 + horizon
    higher = rng.random() < 0.7
    limit_min = limit_max = None
    scale = "linear"
    running_total = 0.0
    if kind in ("linear_iid", "linear_ar1", "curved"):
        sd = rng.uniform(0.5, 3.0)
        trend = rng.uniform(20, 80) + rng.normal(0, 2.0) * years
        if kind == "curved":
            trend = trend + rng.choice([-1, 1]) * rng.uniform(0.05, 0.25) * years ** 2
        rho = rng.uniform(0.3, 0.8) if kind == "linear_ar1" else 0.0
        noise = _ar1(rng, len(years), rho, sd) if rho else rng.normal(0, sd, len(years))
        path = trend + noise
        spread = sd * (2 + 0.5 * horizon)
    elif kind in ("share_high", "share_low"):
        limit_min, limit_max, scale = 0.0, 100.0, "logit"
        start = rng.uniform(1.5, 3.5) if kind == "share_high" else rng.uniform(-3.5, -1.5)
        slope = rng.normal(0.15, 0.15) * (1 if kind == "share_high" else -1)
        z = start + slope * years + _ar1(rng, len(years), rng.uniform(0.0, 0.6), rng.uniform(0.05, 0.25))
        path = 100 / (1 + np.exp(-z))
        spread = None
    elif kind in ("compound", "compound_ar1"):
        limit_min, scale = 0.0, "log"
        growth = rng.uniform(-0.03, 0.15)
        sd = rng.uniform(0.01, 0.06)
        rho = rng.uniform(0.3, 0.8) if kind == "compound_ar1" else 0.0
        noise = _ar1(rng, len(years), rho, sd) if rho else rng.normal(0, sd, len(years))
        path = rng.uniform(1, 500) * np.exp(growth * years + noise)
        spread = None
    else:  # cumulative: annual amounts around a slowly changing level, the target on their sum
        scale = "cumulative"
        amounts = rng.uniform(10, 30) + rng.normal(0, 0.8) * years + _ar1(rng, len(years), rng.uniform(0, 0.5),
                                                                         rng.uniform(0.5, 3.0))
        observed = amounts[:n]
        running_total = float(observed.sum())
        truth = float(amounts.sum())
        centre = running_total + float(np.mean(observed[-3:])) * horizon
        target = centre + rng.normal(0, 1.0) * math.sqrt(horizon) * 3.0
        lower, upper = (target, math.inf) if higher else (-math.inf, target)
        points = [(int(y), float(a)) for y, a in zip(years[:n], observed, strict=True)]
        args = dict(points=points, target_year=int(ty), lower=lower, upper=upper, scale=scale,
                    running_total=running_total)
        return args, lower <= truth <= upper
    observed, truth = path[:n], float(path[ty])
    # targets around where a naive look at the last points would put the milestone value, so that probabilities
    # spread over 0..1
    naive = observed[-1] + (observed[-1] - observed[0]) / (n - 1) * horizon
    if spread is None:  # multiplicative spread for shares and stocks
        target = float(observed[-1] * math.exp(rng.normal(0, 0.25))) if scale == "log" else None
        if scale == "logit":
            zt = math.log(observed[-1] / (100 - observed[-1])) + rng.normal(0, 1.0)
            target = 100 / (1 + math.exp(-zt))
        if scale == "log":
            target = float(np.exp(np.log(observed[-1]) + (np.log(observed[-1]) - np.log(observed[0])) / (n - 1)
                                  * horizon + rng.normal(0, 0.2)))
    else:
        target = float(naive + rng.normal(0, spread))
    lower, upper = (target, math.inf) if higher else (-math.inf, target)
    points = [(int(y), float(v)) for y, v in zip(years[:n], observed, strict=True)]
    args = dict(points=points, target_year=int(ty), lower=lower, upper=upper, scale=scale, limit_min=limit_min,
                limit_max=limit_max)
    return args, lower <= truth <= upper


def simulate(n_series: int = N_SERIES, seed: int = SEED):
    rng = np.random.default_rng(seed)
    predicted, met, kinds = [], [], []
    for i in range(n_series):
        kind = KINDS[i % len(KINDS)]
        args, hit = simulate_one(rng, kind)
        f = forecast(**args)
        predicted.append(f.probability)
        met.append(hit)
        kinds.append(kind)
    return np.array(predicted), np.array(met, dtype=float), np.array(kinds)


def decile_table(predicted: np.ndarray, met: np.ndarray) -> list[tuple[int, int, float, float]]:
    """(decile, n, mean predicted probability, observed frequency), deciles of the predicted probability."""
    order = np.argsort(predicted, kind="stable")
    rows = []
    for d, idx in enumerate(np.array_split(order, 10), start=1):
        rows.append((d, len(idx), float(predicted[idx].mean()), float(met[idx].mean())))
    return rows


def test_probability_is_calibrated_under_misspecification():
    start = time.perf_counter()
    predicted, met, _ = simulate()
    elapsed = time.perf_counter() - start
    assert elapsed < 30
    assert np.all((predicted >= 0) & (predicted <= 1))
    for decile, n, mean_p, freq in decile_table(predicted, met):
        assert n >= 200
        assert abs(freq - mean_p) <= 0.05, f"decile {decile}: predicted {mean_p:.3f}, observed {freq:.3f}"


if __name__ == "__main__":
    t0 = time.perf_counter()
    p, m, k = simulate()
    print(f"{len(p)} series in {time.perf_counter() - t0:.1f} s")
    print("| decile | series | mean predicted | observed | difference |")
    print("|---|---|---|---|---|")
    for d, n, mp, fr in decile_table(p, m):
        print(f"| {d} | {n} | {mp:.3f} | {fr:.3f} | {fr - mp:+.3f} |")
    for kind in KINDS:
        sel = k == kind
        print(kind, f"mean predicted {p[sel].mean():.3f} observed {m[sel].mean():.3f}",
              "brier", f"{np.mean((p[sel] - m[sel]) ** 2):.3f}")
