"""Comparisons adjusted for the weeks passing: a Poisson model of cramps per night.

Cramps become more common as pregnancy goes on (DOMAIN.md), so a habit kept more often late in
the period can look worse than it is, and one kept early can look better. For each habit a
Poisson GLM is fitted to cramps per night with the habit (yes/no) and a smooth term for time: a
natural cubic regression spline (patsy's cr(), 3 degrees of freedom) from MIN_SPLINE_NIGHTS
nights on, a straight line (on the log scale) below that. The fit is statsmodels' own algorithm
(GLM(...).fit(): IRLS from the same start, the same convergence test, its covariance) written
out in numpy for a design of a few columns, and the spline is patsy's, built in one pass; both
are checked against statsmodels and patsy in tests/test_adjusted.py (to 1e-8 and 1e-12): a
tenth of the time, which a summary spends four times over. Issue 25 asked for statsmodels and
patsy directly unless `cramp-journal bench` showed they break its goal for the summary (within
1.5x of its nights query plus statsmodels' own fits): they did at 3,650 nights, 1.58x to 1.67x
in five runs against 1.40x to 1.44x with this code (statsmodels' fit makes three SVDs and more
checks where this makes one SVD; the numbers agree to 4e-15). At 300 nights both miss it.

Time is the night's day number. With a due date that is the gestational age less a constant,
which the same model fits identically, so one model serves both; only its name differs.

The interval is Wald's on the log scale, exp(b +- 1.96 se). When the counts vary more than a
Poisson count would (Pearson chi-square over its degrees of freedom above 1), se is scaled up by
that dispersion, never down, so a diary with bursts of bad nights does not get a falsely narrow
interval. No fit is reported (reason in Adjusted.reason, see stats.NOT_FITTED) with fewer than
MIN_NIGHTS nights a side, with no cramps on one side (the estimate would run off to zero or
infinity: separation), when the habit is confounded with time (design not of full rank, or an
interval too wide to mean anything) or when the fit does not converge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import pandas as pd

from tracker.care.language import N_
from tracker.insights.stats import CONFIDENCE, MIN_NIGHTS, Adjusted

MIN_SPLINE_NIGHTS = 20  # fewer nights: a straight line over time, not a curve
SPLINE_DF = 3
MAX_LOG_SE = 3.0  # a wider interval (a factor of about 360 each way) tells her nothing
MAX_ITERATIONS = 100  # IRLS steps at most, statsmodels' default
WEEK_OF_PREGNANCY, DATE = "week of pregnancy", "date"  # codes (JSON keeps them)
TIME_WORDS = {WEEK_OF_PREGNANCY: N_("week of pregnancy"), DATE: N_("date")}  # as she reads them


def time_basis(days: np.ndarray) -> np.ndarray:
    """The smooth-time columns of the model for these day numbers (centred, no intercept).

    A summary fits a model per habit, most often over the same nights: the bases of the last
    few sets of days are kept (read-only), so each is built once for all of them.
    """
    return _kept_basis(np.asarray(days, dtype="float64").tobytes())


@lru_cache(maxsize=4)
def _kept_basis(days: bytes) -> np.ndarray:
    basis = _basis(np.frombuffer(days, dtype="float64"))
    basis.flags.writeable = False
    return basis


def _basis(days: np.ndarray) -> np.ndarray:
    distinct = np.unique(days)
    if len(days) < MIN_SPLINE_NIGHTS or len(distinct) < 2 * SPLINE_DF:
        return ((days - days.mean()) / 7)[:, None]  # weeks from the middle: a log-linear trend
    return _centred_cr(days, _cr_knots(distinct))


def _cr_knots(distinct: np.ndarray) -> np.ndarray:
    """patsy's knots for cr(x, df=3, constraints="center") from x's distinct values: the
    smallest, the largest and two inner quantiles."""
    inner_count = SPLINE_DF - 2 + 1  # one more for the centring constraint
    quantiles = np.linspace(0, 100, inner_count + 2)[1:-1]
    inner = np.asarray(np.percentile(distinct, quantiles.tolist()))
    knots = np.unique(np.concatenate(([distinct[0], distinct[-1]], inner)))
    if knots.size != inner_count + 2:
        raise ValueError(f"Unable to compute {inner_count} + 2 distinct knots")
    return knots


def _natural_f(knots: np.ndarray) -> np.ndarray:
    """patsy's map from a natural cubic spline's values at the knots to its second derivatives
    (Wood 2006, pp. 145-146). patsy solves the tridiagonal system with scipy's solve_banded;
    with four knots it is 2 x 2, solved here directly (the same to rounding)."""
    h = knots[1:] - knots[:-1]
    inner = knots.size - 2
    b = np.diag((h[:-1] + h[1:]) / 3.0) + np.diag(h[1:-1] / 6.0, 1) + np.diag(h[1:-1] / 6.0, -1)
    d = np.zeros((inner, knots.size))
    for i in range(inner):
        d[i, i] = 1.0 / h[i]
        d[i, i + 2] = 1.0 / h[i + 1]
        d[i, i + 1] = -d[i, i] - d[i, i + 2]
    zeros = np.zeros(knots.size)
    return np.vstack([zeros, np.linalg.solve(b, d), zeros])


def _centred_cr(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """patsy's natural cubic regression spline columns with its centring constraint absorbed
    (patsy.mgcv_cubic_splines step for step, the free basis built once instead of twice)."""
    h, f = knots[1:] - knots[:-1], _natural_f(knots)
    j = np.searchsorted(knots, x) - 1  # each night's knot interval
    j[j == -1] = 0
    j[j == knots.size - 1] = knots.size - 2
    hj, j1 = h[j], j + 1
    xj1_x, x_xj = knots[j1] - x, x - knots[j]
    cjm_3 = xj1_x * xj1_x * xj1_x / (6.0 * hj)
    cjm_3[x > np.max(knots)] = 0.0
    cjp_3 = x_xj * x_xj * x_xj / (6.0 * hj)
    cjp_3[x < np.min(knots)] = 0.0
    ajm, ajp = xj1_x / hj, x_xj / hj
    cjm, cjp = cjm_3 - hj * xj1_x / 6.0, cjp_3 - hj * x_xj / 6.0
    eye = np.identity(knots.size)
    free = (ajm * eye[j, :].T + ajp * eye[j1, :].T + cjm * f[j, :].T + cjp * f[j1, :].T).T
    # patsy's scipy.linalg.qr, which calls the same LAPACK routines as numpy's complete mode
    q, _ = np.linalg.qr(free.mean(axis=0).reshape((1, -1)).T, mode="complete")
    return np.dot(free, q[:, 1:])


def design(exposed: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Columns: intercept, the habit (1 with, 0 without), then the smooth term for time."""
    exposed = np.asarray(exposed, dtype="float64")
    return np.column_stack([np.ones(len(exposed)), exposed, time_basis(days)])


def _not_fitted(reason: str, nights: int, time: str) -> Adjusted:
    return Adjusted(None, None, None, nights, time, reason)


def adjusted_ratio(
    cramps: np.ndarray,
    exposed: np.ndarray,
    days: np.ndarray,
    *,
    time: str = DATE,
    min_nights: int = MIN_NIGHTS,
    confidence: float = CONFIDENCE,
) -> Adjusted:
    """Rate ratio of nights with the habit to nights without, allowing for a smooth trend."""
    y = np.asarray(cramps, dtype="float64")
    exposed = np.asarray(exposed, dtype=bool)
    n, with_ = len(y), int(exposed.sum())
    if with_ < min_nights or n - with_ < min_nights:
        return _not_fitted("too_few_nights", n, time)
    if y[exposed].sum() == 0 or y[~exposed].sum() == 0:
        return _not_fitted("no_cramps_on_one_side", n, time)
    x = design(exposed, days)
    if np.linalg.matrix_rank(x) < x.shape[1] or n <= x.shape[1]:
        return _not_fitted("tied_to_time", n, time)
    try:
        with np.errstate(all="ignore"):  # overflow and the like: read from the result below
            fit = fit_poisson(y, x)
    except (np.linalg.LinAlgError, ValueError, OverflowError):
        return _not_fitted("did_not_settle", n, time)
    b, se = float(fit.params[1]), float(fit.bse[1])
    if not fit.converged or not (math.isfinite(b) and math.isfinite(se)):
        return _not_fitted("did_not_settle", n, time)
    se *= math.sqrt(max(1.0, dispersion(fit)))
    if se > MAX_LOG_SE:
        return _not_fitted("tied_to_time", n, time)
    z = float(_normal_quantile(0.5 + confidence / 2))
    return Adjusted(math.exp(b), math.exp(b - z * se), math.exp(b + z * se), n, time)


@dataclass(frozen=True)
class PoissonFit:
    """What the comparisons read from a fitted Poisson GLM (statsmodels' names)."""

    params: np.ndarray
    bse: np.ndarray  # standard errors, scale 1
    converged: bool
    pearson_chi2: float
    df_resid: float


def fit_poisson(
    y: np.ndarray, x: np.ndarray, maxiter: int = MAX_ITERATIONS, tol: float = 1e-8
) -> PoissonFit:
    """statsmodels' GLM(y, x, family=Poisson()).fit(maxiter=maxiter), step for step.

    IRLS from mu = (y + mean y) / 2 until the deviance changes by at most tol, each step a
    weighted least-squares fit by numpy's lstsq; the estimates and their covariance are then
    the pseudo-inverse fit on the last step's weights, as there. (The normal equations would be
    a little faster, and drift from statsmodels where the habit nearly separates the nights.)
    The log link and the Poisson deviance clip at machine epsilon, as there.
    ValueError when a step's weights or working response are not finite (statsmodels' check).
    """
    eps = np.finfo(float).eps
    mu = (y + y.mean()) / 2.0
    lin_pred = np.log(np.maximum(mu, eps))  # np.maximum: np.clip's result, faster
    previous, deviance = np.inf, _deviance(y, mu)
    if np.isnan(deviance):
        raise ValueError("the first guess on the deviance is nan")
    converged = False
    for _ in range(maxiter):
        clean = np.maximum(mu, eps)
        weights = 1.0 / ((1.0 / clean) ** 2 * np.fabs(mu))
        working = lin_pred + (1.0 / clean) * (y - mu)
        root = np.sqrt(weights)
        if not (np.isfinite(root).all() and np.isfinite(working).all()):
            raise ValueError("weights or working response not finite")
        weighted = root[:, None] * x
        params = np.linalg.lstsq(weighted, root * working, rcond=-1)[0]
        lin_pred = np.dot(x, params)
        mu = np.exp(lin_pred)
        previous, deviance = deviance, _deviance(y, mu)
        # np.allclose(previous, deviance, atol=tol, rtol=0), as statsmodels tests it
        converged = bool(abs(deviance - previous) <= tol or deviance == previous)
        if converged:
            break
    # statsmodels' final WLS by pinv on the last step's weights: its params and covariance.
    u, s, vt = np.linalg.svd(weighted, False)
    inverse = np.where(s > 1e-15 * np.max(s), 1.0 / s, 0.0)
    pinv = np.dot(vt.T, inverse[:, None] * u.T)
    params = np.dot(pinv, root * working)
    cov = np.dot(pinv, pinv.T)
    mu = np.exp(np.dot(x, params))
    pearson = float(np.sum((y - mu) ** 2 / np.fabs(mu)))
    return PoissonFit(params, np.sqrt(np.diag(cov)), converged, pearson, len(y) - x.shape[1])


def _deviance(y: np.ndarray, mu: np.ndarray) -> float:
    """The Poisson deviance as statsmodels computes it."""
    ratio = np.maximum(y / mu, np.finfo(float).eps)
    return float(np.sum(2 * (y * np.log(ratio) - (y - mu))))


def dispersion(result) -> float:  # noqa: ANN001 (a PoissonFit or a statsmodels GLM result)
    """Pearson chi-square over residual degrees of freedom (1 when there are none left)."""
    return float(result.pearson_chi2 / result.df_resid) if result.df_resid > 0 else 1.0


@cache
def _normal_quantile(p: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(p))


def _flags(values: pd.Series | np.ndarray) -> np.ndarray:
    """Yes/no values as a bool array, missing as no."""
    if isinstance(values, pd.Series):
        return values.to_numpy(bool, na_value=False)
    return np.asarray(values, dtype=bool)


def adjusted_for(
    nights: pd.DataFrame,
    *,
    exposed: pd.Series | np.ndarray,
    recorded: pd.Series | np.ndarray,
) -> Adjusted:
    """The adjusted ratio over the recorded nights of a frame from frames.load_nights.

    Time is the week of pregnancy when every one of these nights has one, else the date.
    exposed and recorded hold one yes/no for each night of the frame (missing: no).
    """
    kept = _flags(recorded)
    with_ = _flags(exposed)[kept]
    cramps = nights["cramps"].to_numpy("float64")[kept]
    weeks = None
    if "gestational_days" in nights:
        weeks = nights["gestational_days"].to_numpy("float64", na_value=np.nan)[kept]
    if weeks is not None and len(weeks) and not np.isnan(weeks).any():
        return adjusted_ratio(cramps, with_, weeks, time=WEEK_OF_PREGNANCY)
    night = pd.to_datetime(nights["night"]).to_numpy("datetime64[ns]")[kept]
    days = (night - np.datetime64("2000-01-01", "ns")) // np.timedelta64(1, "D")
    return adjusted_ratio(cramps, with_, days.astype("float64"), time=DATE)
