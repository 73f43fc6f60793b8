"""Comparisons adjusted for the weeks passing: a Poisson model of cramps per night.

Cramps become more common as pregnancy goes on (DOMAIN.md), so a habit kept more often late in
the period can look worse than it is, and one kept early can look better. For each habit a
Poisson GLM (statsmodels) is fitted to cramps per night with the habit (yes/no) and a smooth
term for time: a natural cubic regression spline (patsy's cr(), 3 degrees of freedom, centred)
from MIN_SPLINE_NIGHTS nights on, a straight line (on the log scale) below that.

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
import warnings
from functools import cache, lru_cache

import numpy as np
import pandas as pd
import patsy
from statsmodels.genmod.families import Poisson
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

from tracker.insights.stats import CONFIDENCE, MIN_NIGHTS, Adjusted

MIN_SPLINE_NIGHTS = 20  # fewer nights: a straight line over time, not a curve
SPLINE_DF = 3
MAX_LOG_SE = 3.0  # a wider interval (a factor of about 360 each way) tells her nothing
MAX_ITERATIONS = 100
WEEK_OF_PREGNANCY, DATE = "week of pregnancy", "date"

# What these warnings say, adjusted_ratio reads from the fit itself (converged, finite, se) and
# answers in words; warnings.catch_warnings is not thread-safe, and the app fits in threads.
for _category in (ConvergenceWarning, PerfectSeparationWarning):
    warnings.filterwarnings("ignore", category=_category, module=r"statsmodels\.")


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
    if len(days) < MIN_SPLINE_NIGHTS or len(np.unique(days)) < 2 * SPLINE_DF:
        return ((days - days.mean()) / 7)[:, None]  # weeks from the middle: a log-linear trend
    return np.asarray(patsy.cr(days, df=SPLINE_DF, constraints="center"), dtype="float64")


def design(exposed: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Columns: intercept, the habit (1 with, 0 without), then the smooth term for time."""
    exposed = np.asarray(exposed, dtype="float64")
    return np.column_stack([np.ones(len(exposed)), exposed, time_basis(days)])


def fit_poisson(y: np.ndarray, x: np.ndarray):  # noqa: ANN201 (statsmodels' GLMResults)
    """statsmodels' Poisson GLM of y on the columns of x (IRLS, its default)."""
    return GLM(y, x, family=Poisson()).fit(maxiter=MAX_ITERATIONS)


def dispersion(result) -> float:  # noqa: ANN001 (a statsmodels GLM result)
    """Pearson chi-square over residual degrees of freedom (1 when there are none left)."""
    return float(result.pearson_chi2 / result.df_resid) if result.df_resid > 0 else 1.0


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
            b, se, spread = float(fit.params[1]), float(fit.bse[1]), dispersion(fit)
    except (np.linalg.LinAlgError, ValueError, OverflowError):
        return _not_fitted("did_not_settle", n, time)
    if not fit.converged or not (math.isfinite(b) and math.isfinite(se)):
        return _not_fitted("did_not_settle", n, time)
    se *= math.sqrt(max(1.0, spread))
    if se > MAX_LOG_SE:
        return _not_fitted("tied_to_time", n, time)
    z = float(_normal_quantile(0.5 + confidence / 2))
    return Adjusted(math.exp(b), math.exp(b - z * se), math.exp(b + z * se), n, time)


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
