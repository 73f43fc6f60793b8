"""Comparisons adjusted for the weeks passing: a Poisson model of cramps per night.

Cramps become more common as pregnancy goes on (DOMAIN.md), so a habit kept more often late in
the period can look worse than it is, and one kept early can look better. For each habit a
Poisson GLM (statsmodels) is fitted to cramps per night with the habit (yes/no) and a smooth
term for time: a natural cubic regression spline (patsy's cr(), 3 degrees of freedom) from
MIN_SPLINE_NIGHTS nights on, a straight line (on the log scale) below that.

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

import numpy as np
import pandas as pd

from tracker.insights.stats import CONFIDENCE, MIN_NIGHTS, Adjusted

MIN_SPLINE_NIGHTS = 20  # fewer nights: a straight line over time, not a curve
SPLINE_DF = 3
MAX_LOG_SE = 3.0  # a wider interval (a factor of about 360 each way) tells her nothing
WEEK_OF_PREGNANCY, DATE = "week of pregnancy", "date"


def time_basis(days: np.ndarray) -> np.ndarray:
    """The smooth-time columns of the model for these day numbers (centred, no intercept)."""
    days = np.asarray(days, dtype="float64")
    if len(days) < MIN_SPLINE_NIGHTS or len(np.unique(days)) < 2 * SPLINE_DF:
        return ((days - days.mean()) / 7)[:, None]  # weeks from the middle: a log-linear trend
    # patsy's cr() itself, as the formula "cr(t, df=3, constraints='center') - 1" would call
    # it (the same columns), without parsing a formula each time: a tenth of the time.
    from patsy.mgcv_cubic_splines import cr

    return np.asarray(cr(days, df=SPLINE_DF, constraints="center"), dtype="float64")


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
    # The GLM module alone: statsmodels.api takes seconds to import.
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # non-convergence is read from the result below
        try:
            result = GLM(y, x, family=families.Poisson()).fit(maxiter=100)
        except (np.linalg.LinAlgError, ValueError, OverflowError):
            return _not_fitted("did_not_settle", n, time)
    b, se = float(result.params[1]), float(result.bse[1])
    if not result.converged or not (math.isfinite(b) and math.isfinite(se)):
        return _not_fitted("did_not_settle", n, time)
    se *= math.sqrt(max(1.0, dispersion(result)))
    if se > MAX_LOG_SE:
        return _not_fitted("tied_to_time", n, time)
    z = float(_normal_quantile(0.5 + confidence / 2))
    return Adjusted(math.exp(b), math.exp(b - z * se), math.exp(b + z * se), n, time)


def dispersion(result) -> float:  # noqa: ANN001
    """Pearson chi-square over residual degrees of freedom (1 when there are none left)."""
    return float(result.pearson_chi2 / result.df_resid) if result.df_resid > 0 else 1.0


def _normal_quantile(p: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(p))


def adjusted_for(nights: pd.DataFrame, *, exposed: pd.Series, recorded: pd.Series) -> Adjusted:
    """The adjusted ratio over the recorded nights of a frame from frames.load_nights.

    Time is the week of pregnancy when every one of these nights has one, else the date.
    """
    kept = nights[recorded.fillna(False).to_numpy(bool)]
    with_ = exposed[recorded.fillna(False).to_numpy(bool)].fillna(False).to_numpy(bool)
    pregnant = "gestational_days" in kept and kept["gestational_days"].notna().all()
    if pregnant and len(kept):
        days, time = kept["gestational_days"].to_numpy("float64"), WEEK_OF_PREGNANCY
    else:
        epoch = pd.to_datetime(kept["night"]) - pd.Timestamp("2000-01-01")
        days, time = epoch.dt.days.to_numpy("float64"), DATE
    return adjusted_ratio(kept["cramps"].to_numpy("float64"), with_, days, time=time)
