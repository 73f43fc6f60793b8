"""Comparisons adjusted for the weeks passing: checked against statsmodels' own formula fit on
fixed data, against simulated journals whose true effect is known, and for every case where no
fit can be given."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from sqlmodel import Session

from tests.test_summary import parse
from tracker.insights.adjusted import (
    DATE,
    MAX_LOG_SE,
    MIN_SPLINE_NIGHTS,
    SPLINE_DF,
    WEEK_OF_PREGNANCY,
    adjusted_for,
    adjusted_ratio,
    design,
    dispersion,
    fit_poisson,
    time_basis,
)
from tracker.insights.frames import load_journal
from tracker.insights.stats import MIN_NIGHTS, NOT_FITTED, Adjusted
from tracker.journal.demo import fill_demo

# 30 nights of a fixed diary: cramps rise over the weeks; stretching on about half the nights.
CRAMPS = [0, 1, 0, 0, 1, 2, 0, 1, 1, 0, 2, 1, 1, 3, 0, 2, 1, 2, 2, 1, 3, 1, 2, 4, 1, 3, 2, 2, 4, 3]
STRETCHED = [
    1,
    0,
    1,
    1,
    0,
    0,
    1,
    0,
    1,
    1,
    0,
    1,
    0,
    0,
    1,
    0,
    1,
    1,
    0,
    1,
    0,
    1,
    1,
    0,
    1,
    0,
    1,
    1,
    0,
    0,
]
DAYS = list(range(196, 226))  # gestational days: week 28 to week 32


def statsmodels_fit(frame: pd.DataFrame, formula: str) -> tuple[float, float, float]:
    """Rate ratio and 95% interval from statsmodels' formula interface, Pearson-scaled if > 1."""
    fit = smf.glm(formula, frame, family=sm.families.Poisson()).fit()
    scale = max(1.0, fit.pearson_chi2 / fit.df_resid)
    b, se = fit.params["stretched"], fit.bse["stretched"] * math.sqrt(scale)
    return math.exp(b), math.exp(b - 1.959964 * se), math.exp(b + 1.959964 * se)


def test_the_spline_model_is_statsmodels_own_fit() -> None:
    frame = pd.DataFrame({"cramps": CRAMPS, "stretched": STRETCHED, "day": DAYS})
    expected = statsmodels_fit(frame, "cramps ~ stretched + cr(day, df=3, constraints='center')")
    got = adjusted_ratio(CRAMPS, np.array(STRETCHED, bool), np.array(DAYS), time=WEEK_OF_PREGNANCY)
    assert got.fitted and got.reason is None and got.nights == 30
    assert (got.rate_ratio, got.low, got.high) == pytest.approx(expected, rel=1e-6)
    assert got.to_json_dict()["ci95"] == pytest.approx(list(expected[1:]), rel=1e-6)


def test_short_periods_use_a_straight_line_over_time() -> None:
    n = MIN_SPLINE_NIGHTS - 6
    frame = pd.DataFrame({"cramps": CRAMPS[:n], "stretched": STRETCHED[:n], "day": DAYS[:n]})
    expected = statsmodels_fit(frame, "cramps ~ stretched + day")
    got = adjusted_ratio(CRAMPS[:n], np.array(STRETCHED[:n], bool), np.array(DAYS[:n]))
    assert (got.rate_ratio, got.low, got.high) == pytest.approx(expected, rel=1e-6)


def test_overdispersed_counts_get_a_wider_interval_than_plain_poisson() -> None:
    bursty = [
        0,
        0,
        0,
        6,
        0,
        0,
        7,
        0,
        0,
        0,
        5,
        0,
        0,
        0,
        8,
        0,
        0,
        6,
        0,
        0,
        0,
        9,
        0,
        0,
        7,
        0,
        0,
        8,
        0,
        6,
    ]
    frame = pd.DataFrame({"cramps": bursty, "stretched": STRETCHED, "day": DAYS})
    plain = smf.glm(
        "cramps ~ stretched + cr(day, df=3, constraints='center')",
        frame,
        family=sm.families.Poisson(),
    ).fit()
    assert plain.pearson_chi2 / plain.df_resid > 2  # the premise: far more spread than Poisson
    got = adjusted_ratio(bursty, np.array(STRETCHED, bool), np.array(DAYS))
    plain_width = 2 * 1.959964 * plain.bse["stretched"]
    assert math.log(got.high / got.low) > 1.4 * plain_width


def simulate(rng: np.random.Generator, nights: int, true_ratio: float) -> pd.DataFrame:
    """One journal: cramps rising over the weeks, the habit kept more often later on."""
    day = np.arange(nights, dtype=float)
    late = day / nights
    habit = rng.random(nights) < 0.25 + 0.5 * late  # confounded with time on purpose
    rate = 0.5 * np.exp(1.6 * late) * np.where(habit, true_ratio, 1.0)
    return pd.DataFrame({"cramps": rng.poisson(rate), "habit": habit, "day": day + 170})


def test_simulated_journals_cover_the_true_effect_at_about_95_percent() -> None:
    rng = np.random.default_rng(20260301)
    truth, covered, naive_covered, fitted = 0.6, 0, 0, 0
    for _ in range(200):
        j = simulate(rng, 56, truth)
        got = adjusted_ratio(j["cramps"].to_numpy(), j["habit"].to_numpy(), j["day"].to_numpy())
        if not got.fitted:
            continue
        fitted += 1
        covered += got.low <= truth <= got.high
        naive = smf.glm("cramps ~ habit", j.assign(habit=j["habit"].astype(float)),
                        family=sm.families.Poisson()).fit()  # fmt: skip
        low, high = np.exp(naive.conf_int().loc["habit"])
        naive_covered += low <= truth <= high
    assert fitted >= 195
    coverage = covered / fitted
    assert 0.90 <= coverage <= 0.99, coverage
    # Without allowing for time the same journals mislead: the habit looks less helpful.
    assert naive_covered / fitted < coverage - 0.1


@pytest.mark.parametrize(
    ("cramps", "exposed", "days", "reason"),
    [
        ([1, 2, 0, 1, 3], [1, 1, 0, 0, 0], range(5), "too_few_nights"),  # 2 nights with it
        ([0, 0, 0, 1, 2, 3], [1, 1, 1, 0, 0, 0], range(6), "no_cramps_on_one_side"),  # separation
        ([1, 0, 2, 1, 0, 1], [1, 1, 1, 0, 0, 0], [5] * 6, "tied_to_time"),  # one night's date
        ([0, 0, 0, 0, 0, 0, 0], [1, 0, 1, 0, 1, 0, 1], range(7), "no_cramps_on_one_side"),
    ],
)
def test_what_cannot_be_fitted_says_why_and_never_fails(cramps, exposed, days, reason) -> None:
    got = adjusted_ratio(np.array(cramps), np.array(exposed, bool), np.array(list(days)))
    assert not got.fitted and got.reason == reason and reason in NOT_FITTED
    assert got.to_json_dict() == {
        "rate_ratio": None, "ci95": None, "fitted": False, "reason": reason,
        "nights": len(cramps), "time": DATE,
    }  # fmt: skip


def test_a_habit_entirely_before_a_steep_rise_is_too_tied_to_time_to_tell() -> None:
    day = np.arange(24.0)
    exposed = day < 12  # all nights with it come first
    cramps = np.where(exposed, 1, 2) + (day % 3 == 0)
    got = adjusted_ratio(cramps, exposed, day)
    assert got.fitted is False or got.high / got.low > 4  # never a confident answer


def test_the_frame_version_uses_weeks_of_pregnancy_only_when_every_night_has_one() -> None:
    nights = pd.DataFrame(
        {
            "night": pd.date_range("2026-03-01", periods=30),
            "cramps": CRAMPS,
            "gestational_days": pd.array(DAYS, dtype="Int64"),
        }
    )
    exposed, recorded = pd.Series(STRETCHED, dtype=bool), pd.Series([True] * 30)
    pregnant = adjusted_for(nights, exposed=exposed, recorded=recorded)
    assert pregnant.time == WEEK_OF_PREGNANCY
    nights.loc[29, "gestational_days"] = pd.NA  # the night after the birth
    by_date = adjusted_for(nights, exposed=exposed, recorded=recorded)
    assert by_date.time == DATE
    # The dates run in step with the weeks, so the model and its answer are the same.
    assert by_date.rate_ratio == pytest.approx(pregnant.rate_ratio, rel=1e-6)
    recorded[[0, 1, 2]] = False  # not noted: left out
    assert adjusted_for(nights, exposed=exposed, recorded=recorded).nights == 27


def test_summary_json_carries_the_adjusted_ratio_from_the_same_nights(
    sqlite_engine, capsys: pytest.CaptureFixture
) -> None:
    with Session(sqlite_engine) as session:
        fill_demo(session=session)
    args = parse("--json")
    assert args.run(args, sqlite_engine) == 0
    printed = json.loads(capsys.readouterr().out)
    got = {c["factor"]: c for c in printed["comparisons"]}
    assert list(got) == ["stretching", "magnesium", "water", "activity"]
    nights = load_journal(sqlite_engine).nights
    for factor, column, split in (
        ("stretching", "stretch_min", lambda v, _: v > 0),
        ("activity", "active_min", lambda v, t: v >= t),
    ):
        adjusted = got[factor]["adjusted"]
        assert adjusted["fitted"] and adjusted["time"] == WEEK_OF_PREGNANCY
        kept = nights.dropna(subset=[column])
        frame = pd.DataFrame(
            {
                "cramps": kept["cramps"].astype(float),
                "stretched": split(kept[column].astype(float), got[factor]["threshold"]).astype(
                    float
                ),
                "day": kept["gestational_days"].astype(float),
            }
        )
        expected = statsmodels_fit(
            frame, "cramps ~ stretched + cr(day, df=3, constraints='center')"
        )
        assert adjusted["nights"] == len(kept)
        assert [adjusted["rate_ratio"], *adjusted["ci95"]] == pytest.approx(expected, rel=1e-6)
        # ...beside the exact unadjusted ratio of the same split
        assert got[factor]["with"]["nights"] == int(frame["stretched"].sum())


def test_the_time_basis_is_patsys_natural_spline_formula() -> None:
    """time_basis gives exactly the columns of the documented patsy formula."""
    import patsy

    days = np.sort(np.random.default_rng(4).integers(0, 400, 120)).astype("float64")
    formula = f"cr(t, df={SPLINE_DF}, constraints='center') - 1"
    expected = np.asarray(patsy.dmatrix(formula, {"t": days}, return_type="matrix"))
    assert np.allclose(time_basis(days), expected, rtol=0, atol=1e-12)
    assert time_basis(days[:10]).shape == (10, 1)  # few nights: a straight line


# --- the numpy fit against statsmodels' GLM, which it replaces ---------------------------------

# Journals the comparisons cannot answer after the fit: (cramps, with the habit, day numbers).
TIED_BY_ITS_INTERVAL = (
    [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 1, 0, 0, 0, 0, 2, 0],
    [1] * 13 + [0] * 12,
    [0, 1, 2, 3, 5, 7, 17, 18, 19, 25, 27, 31, 36, 37, 38, 40, 43, 44, 45, 49, 51, 53, 56, 58, 59],
)
NEVER_SETTLES = (
    [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 1, 1, 0, 1, 2, 0, 0, 1, 1, 0],
    [1] * 14 + [0] * 13,
    [0, 1, 2, 10, 16, 17, 18, 19, 22, 25, 26, 29, 30, 32, 33, 34, 36, 38, 39, 43, 44, 45, 49, 51,
     53, 54, 55],
)  # fmt: skip
RUNS_OFF = (
    [0, 0, 0, 0, 0, 0, 0, 0, 14, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1],
    [4, 6, 9, 11, 12, 16, 19, 21, 23, 24, 31, 32, 36, 37, 39, 40, 41, 46, 47, 48, 55, 56],
)  # statsmodels raises ValueError on the way (weights no longer finite)
EDGE_CASES = {"tied_to_time": TIED_BY_ITS_INTERVAL, "did_not_settle": NEVER_SETTLES}


def journals_to_fit() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Seeded journals of every size the app meets: Poisson, bursty, mostly empty, trending."""
    rng = np.random.default_rng(20261202)
    found = [(np.array(c, float), np.array(e, bool), np.array(d, float))
             for c, e, d in (TIED_BY_ITS_INTERVAL, NEVER_SETTLES, RUNS_OFF)]  # fmt: skip
    found.append((np.array(CRAMPS, float), np.array(STRETCHED, bool), np.array(DAYS, float)))
    for trial in range(48):
        n = (8, 14, 19, 20, 30, 84, 300, 3650)[trial % 8]
        days = np.sort(rng.choice(np.arange(3 * n), n, replace=False)).astype(float)
        exposed = rng.random(n) < rng.uniform(0.1, 0.9)
        trend = rng.normal(0, 1.5) * (days - days.mean()) / np.ptp(days)
        rate = np.exp(rng.normal(0, 1) + trend + 0.3 * exposed)
        cramps = rng.poisson(rate) if trial % 3 else rng.negative_binomial(1, 1 / (1 + rate))
        if trial % 5 == 0:
            cramps = cramps * (rng.random(n) < 0.3)  # mostly nights without cramps
        found.append((cramps.astype(float), exposed, days))
    return found


def statsmodels_glm(cramps: np.ndarray, x: np.ndarray):  # noqa: ANN201
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GLM(cramps, x, family=families.Poisson()).fit(maxiter=100)


def statsmodels_ratio(cramps: np.ndarray, exposed: np.ndarray, days: np.ndarray) -> Adjusted:
    """adjusted_ratio as it was written with statsmodels' GLM (the reference)."""
    y, n = np.asarray(cramps, float), len(cramps)
    if min(exposed.sum(), n - exposed.sum()) < MIN_NIGHTS:
        return Adjusted(None, None, None, n, DATE, "too_few_nights")
    if y[exposed].sum() == 0 or y[~exposed].sum() == 0:
        return Adjusted(None, None, None, n, DATE, "no_cramps_on_one_side")
    x = design(exposed, days)
    if np.linalg.matrix_rank(x) < x.shape[1] or n <= x.shape[1]:
        return Adjusted(None, None, None, n, DATE, "tied_to_time")
    try:
        result = statsmodels_glm(y, x)
    except (np.linalg.LinAlgError, ValueError, OverflowError):
        return Adjusted(None, None, None, n, DATE, "did_not_settle")
    b, se = float(result.params[1]), float(result.bse[1])
    if not result.converged or not (math.isfinite(b) and math.isfinite(se)):
        return Adjusted(None, None, None, n, DATE, "did_not_settle")
    se *= math.sqrt(max(1.0, dispersion(result)))
    if se > MAX_LOG_SE:
        return Adjusted(None, None, None, n, DATE, "tied_to_time")
    z = 1.959963984540054
    return Adjusted(math.exp(b), math.exp(b - z * se), math.exp(b + z * se), n, DATE)


def test_the_numpy_fit_is_statsmodels_glm_to_1e_8() -> None:
    compared = 0
    for cramps, exposed, days in journals_to_fit():
        x = design(exposed, days)
        if np.linalg.matrix_rank(x) < x.shape[1]:
            continue  # never fitted: adjusted_ratio answers "tied_to_time" first
        try:
            expected = statsmodels_glm(cramps, x)
        except ValueError:
            with pytest.raises(ValueError), np.errstate(all="ignore"):
                fit_poisson(cramps, x)
            continue
        with np.errstate(all="ignore"):
            got = fit_poisson(cramps, x)
        assert got.converged == expected.converged
        assert got.df_resid == expected.df_resid
        if not expected.converged:
            continue
        assert got.params == pytest.approx(expected.params, rel=1e-8, abs=1e-10)
        assert got.bse == pytest.approx(expected.bse, rel=1e-8)
        assert got.pearson_chi2 == pytest.approx(expected.pearson_chi2, rel=1e-8)
        assert dispersion(got) == pytest.approx(dispersion(expected), rel=1e-8)
        compared += 1
    assert compared >= 40


def test_adjusted_ratios_are_those_of_statsmodels_including_what_cannot_be_fitted() -> None:
    reasons = set()
    for cramps, exposed, days in journals_to_fit():
        expected = statsmodels_ratio(cramps, exposed, days)
        got = adjusted_ratio(cramps, exposed, days)
        assert got.reason == expected.reason
        assert (got.nights, got.time) == (expected.nights, expected.time)
        if expected.fitted:
            assert [got.rate_ratio, got.low, got.high] == pytest.approx(
                [expected.rate_ratio, expected.low, expected.high], rel=1e-8
            )
        reasons.add(expected.reason)
    assert reasons >= {None, "tied_to_time", "did_not_settle"}
    for reason, (cramps, exposed, days) in EDGE_CASES.items():
        got = adjusted_ratio(np.array(cramps), np.array(exposed, bool), np.array(days))
        assert got.reason == reason


def test_the_time_basis_is_patsys_cr_on_any_nights() -> None:
    from patsy.mgcv_cubic_splines import cr

    rng = np.random.default_rng(7)
    for n in (20, 21, 57, 300, 3650):
        for days in (
            np.arange(n, dtype=float) + 170,
            rng.choice(np.arange(2 * n), n).astype(float),  # unsorted, with repeats
            np.sort(rng.normal(0, 100, n)),
        ):
            expected = np.asarray(cr(days, df=SPLINE_DF, constraints="center"))
            assert np.allclose(time_basis(days), expected, rtol=0, atol=1e-12)
