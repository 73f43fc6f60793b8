"""Comparison statistics against independent methods and published examples; wording."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import beta, binomtest

from tracker.insights.stats import (
    BeforeAfter,
    Comparison,
    Side,
    clopper_pearson,
    compare,
    median_of_counts,
    nights_needed,
    rate_ratio_interval,
)
from tracker.insights.wording import ASSOCIATION, OVER_TIME, SUPPLEMENTS, describe

FORBIDDEN = ("caused", "diagnos", "you have", "safe dose", "nothing to worry")


def beta_interval(k: int, n: int) -> tuple[float, float]:
    """Clopper-Pearson from the beta quantiles (an independent route to the same interval)."""
    low = 0.0 if k == 0 else beta.ppf(0.025, k, n - k + 1)
    high = 1.0 if k == n else beta.ppf(0.975, k + 1, n - k)
    return low, high


def expected_ratio_interval(with_: Side, without: Side) -> tuple[float, float]:
    low, high = beta_interval(with_.cramps, with_.cramps + without.cramps)
    exposure = without.nights / with_.nights
    return low / (1 - low) * exposure, (math.inf if high == 1 else high / (1 - high) * exposure)


# --- the exact interval ------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3, 7, 20, 41])
def test_clopper_pearson_is_scipys_exact_binomtest_interval(n: int) -> None:
    for k in range(n + 1):
        reference = binomtest(k, n, 0.5).proportion_ci(0.95, method="exact")
        low, high = clopper_pearson(k, n)
        assert low == pytest.approx(reference.low, abs=1e-9)
        assert high == pytest.approx(reference.high, abs=1e-9)


@given(st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_clopper_pearson_matches_beta_quantiles(case: tuple[int, int]) -> None:
    k, n = case
    assert clopper_pearson(k, n) == pytest.approx(beta_interval(k, n), abs=1e-9)


def test_clopper_pearson_refuses_impossible_counts() -> None:
    for k, n in [(1, 0), (3, 2), (-1, 4)]:
        with pytest.raises(ValueError):
            clopper_pearson(k, n)


def test_ten_of_twenty_with_equal_exposure_gives_ratio_one() -> None:
    ratio = compare(Side(nights=20, cramps=10), Side(nights=20, cramps=10))
    expected = expected_ratio_interval(Side(20, 10), Side(20, 10))
    assert ratio.estimate == 1.0
    assert (ratio.low, ratio.high) == pytest.approx(expected, rel=1e-9)
    assert (ratio.low, ratio.high) == pytest.approx((0.3735, 2.677), abs=1e-3)
    # The exact interval is wider than the Wald one on the log scale, exp(+-1.96*sqrt(1/10+1/10)).
    wald = math.exp(-1.96 * math.sqrt(0.2)), math.exp(1.96 * math.sqrt(0.2))
    assert wald == pytest.approx((0.416, 2.403), abs=1e-3)
    assert ratio.low < wald[0] and ratio.high > wald[1]


def test_published_example_fay_rateratio_test_vignette() -> None:
    # rateratio.test(c(2, 9), c(17877, 16660)): rate ratio 0.2070941557,
    # 95 percent confidence interval 0.02177406 1.00054910 (Fay 2022, "Testing the Ratio of
    # Two Poisson Rates", the rateratio.test vignette).
    ratio = compare(Side(nights=17877, cramps=2), Side(nights=16660, cramps=9))
    assert ratio.estimate == pytest.approx(0.2070941557, rel=1e-9)
    assert ratio.low == pytest.approx(0.02177406, rel=1e-6)
    assert ratio.high == pytest.approx(1.00054910, rel=1e-7)


def test_published_example_r_poisson_test_two_rates() -> None:
    # R's ?poisson.test: poisson.test(c(11, 6+8+7), c(800, 1083+1050+878)) reports the rate
    # ratio 1.971488 with 95 percent confidence interval 0.8584264 4.2772659.
    ratio = compare(Side(nights=800, cramps=11), Side(nights=1083 + 1050 + 878, cramps=21))
    assert ratio.estimate == pytest.approx(1.971488, rel=1e-6)
    assert ratio.low == pytest.approx(0.8584264, rel=1e-6)
    assert ratio.high == pytest.approx(4.2772659, rel=1e-6)


def test_no_cramps_with_the_habit_gives_zero_and_a_finite_upper_limit() -> None:
    ratio = compare(Side(nights=5, cramps=0), Side(nights=4, cramps=6))
    assert ratio.estimate == 0.0
    assert ratio.low == 0.0
    assert ratio.high == pytest.approx(expected_ratio_interval(Side(5, 0), Side(4, 6))[1])
    assert ratio.ci95 == [0.0, ratio.high]


def test_no_cramps_without_the_habit_has_no_ratio_and_no_upper_limit() -> None:
    ratio = compare(Side(nights=5, cramps=4), Side(nights=4, cramps=0))
    assert ratio.estimate is None  # a division by zero: infinite, which JSON cannot hold
    assert ratio.low == pytest.approx(expected_ratio_interval(Side(5, 4), Side(4, 0))[0])
    assert ratio.low > 0
    assert ratio.high is None
    assert json.loads(json.dumps({"ci95": ratio.ci95}, allow_nan=False)) == {
        "ci95": [ratio.low, None]
    }


def test_no_cramps_at_all_cannot_bound_the_ratio() -> None:
    ratio = compare(Side(nights=4, cramps=0), Side(nights=6, cramps=0))
    assert (ratio.estimate, ratio.ci95, ratio.enough_data) == (None, [0.0, None], True)


@pytest.mark.parametrize("nights", [(2, 3), (3, 2), (0, 9), (9, 0), (2, 2)])
def test_fewer_than_three_nights_a_side_is_not_enough(nights: tuple[int, int]) -> None:
    ratio = compare(Side(nights[0], 2 * nights[0]), Side(nights[1], nights[1]))
    assert not ratio.enough_data
    assert (ratio.estimate, ratio.low, ratio.high, ratio.ci95) == (None, None, None, None)


def test_three_nights_a_side_is_enough() -> None:
    ratio = compare(Side(3, 3), Side(3, 6))
    assert ratio.enough_data
    assert ratio.estimate == 0.5


def test_nights_needed_counts_up_to_three() -> None:
    assert [nights_needed(Side(n, 0)) for n in range(5)] == [3, 2, 1, 0, 0]


def test_interval_needs_nights_on_both_sides() -> None:
    with pytest.raises(ValueError):
        rate_ratio_interval(Side(0, 0), Side(3, 1))


sides = st.builds(Side, nights=st.integers(3, 200), cramps=st.integers(0, 400))


@given(sides, sides)
def test_interval_holds_the_estimate_and_is_json_safe(with_: Side, without: Side) -> None:
    ratio = compare(with_, without)
    assert ratio.low >= 0
    if ratio.estimate is not None:
        assert ratio.low <= ratio.estimate * (1 + 1e-9)
        assert ratio.estimate <= ratio.high * (1 + 1e-9)
    json.dumps(Comparison("stretching", with_, without, ratio).to_json_dict(), allow_nan=False)


@given(st.lists(st.tuples(st.floats(0.1, 180), st.integers(0, 6)), min_size=1, max_size=12))
def test_median_of_counts_is_the_median_of_the_expanded_sample(pairs: list) -> None:
    values = {round(v, 2): n for v, n in pairs}  # distinct values, as a GROUP BY returns them
    expanded = [v for v, n in values.items() for _ in range(n)]
    got = median_of_counts(list(values), list(values.values()))
    assert got == (pytest.approx(statistics.median(expanded)) if expanded else None)


def test_median_of_nothing_is_none() -> None:
    assert median_of_counts([], []) is None


# --- before and after ------------------------------------------------------------------------


def before_after(baseline: Side, after: Side, factor: str = "magnesium") -> BeforeAfter:
    return BeforeAfter(factor, dt.date(2026, 3, 2), baseline, after, compare(after, baseline))


def test_halved_when_the_after_rate_is_at_most_half() -> None:
    assert before_after(Side(10, 20), Side(10, 10)).halved is True  # exactly half
    assert before_after(Side(10, 20), Side(10, 11)).halved is False
    assert before_after(Side(3, 6), Side(9, 9)).halved is True


def test_halved_is_unknown_without_enough_nights_or_baseline_cramps() -> None:
    assert before_after(Side(2, 20), Side(10, 1)).halved is None
    assert before_after(Side(5, 0), Side(10, 0)).halved is None
    as_json = before_after(Side(2, 4), Side(1, 0)).to_json_dict()
    assert as_json["nights_needed"] == {"baseline": 1, "after": 2}
    assert as_json["halved"] is None and as_json["ci95"] is None


# --- sentences -------------------------------------------------------------------------------


def assert_careful(sentences: list[str]) -> None:
    text = " ".join(sentences).lower()
    for word in FORBIDDEN:
        assert word not in text
    assert ASSOCIATION in sentences
    assert OVER_TIME in sentences


def test_sentence_reads_like_the_example() -> None:
    with_, without = Side(14, 8), Side(9, 13)
    ratio = compare(with_, without)
    sentences = describe(Comparison("stretching", with_, without, ratio))
    low, high = expected_ratio_interval(with_, without)
    assert (round(low, 2), round(high, 2)) == (0.14, 1.03)  # so the range reads as below
    assert sentences[:4] == [
        "On the 14 nights after you stretched, you had 0.6 cramps a night.",
        "On the 9 nights when you didn't, you had 1.4 cramps a night.",
        "That is about a third as many.",  # 0.40
        "The likely range runs from a fifth as many to the same number: too few nights to tell.",
    ]
    assert_careful(sentences)
    assert SUPPLEMENTS not in sentences


def test_water_sentence_uses_her_median_in_her_unit() -> None:
    with_, without = Side(5, 2), Side(4, 6)
    comparison = Comparison("water", with_, without, compare(with_, without), threshold=1750.0)
    assert "after you drank at least 1750 ml, you had" in describe(comparison)[0]
    assert "at least 1.8 litres" in describe(comparison, water_unit="litres")[0]
    assert "at least 7 glasses (250 ml)" in describe(comparison, "glasses (250 ml)")[0]


def test_magnesium_sentences_send_her_to_her_clinician() -> None:
    comparison = Comparison("magnesium", Side(4, 2), Side(5, 9), compare(Side(4, 2), Side(5, 9)))
    sentences = describe(comparison)
    assert sentences[0].startswith("On the 4 nights after you took magnesium, you had 0.5")
    assert SUPPLEMENTS in sentences
    assert_careful(sentences)


def test_too_few_nights_says_how_many_more() -> None:
    comparison = Comparison("stretching", Side(1, 0), Side(2, 3), compare(Side(1, 0), Side(2, 3)))
    sentences = describe(comparison)
    assert sentences[0] == (
        "Not enough nights to compare yet. Log 2 more nights after you stretched and 1 more "
        "night when you didn't. At least 3 of each are needed."
    )
    assert_careful(sentences)


def test_before_after_sentences() -> None:
    sentences = describe(before_after(Side(6, 12), Side(8, 4)))
    assert sentences[:3] == [
        "Since you started magnesium (2 Mar 2026), you had 0.5 cramps a night over 8 nights.",
        "Over the 6 nights before, you had 2.0 cramps a night.",
        "That is about a quarter as many.",
    ]
    assert sentences[4:6] == ["Trials look for cramps to drop to half or less.", "Here they did."]
    assert_careful(sentences)
    none_yet = BeforeAfter(
        "stretching", None, Side(4, 2), Side(0, 0), compare(Side(0, 0), Side(4, 2))
    )
    assert describe(none_yet)[0] == (
        "No nights with stretching are logged yet, so there is no before and after."
    )
    short = describe(before_after(Side(1, 2), Side(5, 1)))
    assert short[0] == "You logged 1 night before you started magnesium (2 Mar 2026)."
    assert "needs at least 3" in short[1]
    early = describe(before_after(Side(5, 2), Side(1, 1)))
    assert early[0].endswith("It needs 2 more nights.")


factors = st.sampled_from(["stretching", "magnesium", "water", "activity"])
any_side = st.builds(Side, nights=st.integers(0, 60_000), cramps=st.integers(0, 900))


@given(factors, any_side, any_side, st.none() | st.floats(0, 8000))
def test_every_comparison_sentence_is_careful(
    factor: str, a: Side, b: Side, water: float | None
) -> None:
    comparison = Comparison(factor, a, b, compare(a, b), threshold=water)
    sentences = describe(comparison, water_unit="fl oz")
    assert_careful(sentences)
    assert (SUPPLEMENTS in sentences) == (factor == "magnesium")
    assert all(s.endswith(".") for s in sentences)
    assert not re.search(r"\b(nan|inf|None)\b|\de-\d", " ".join(sentences))


@given(st.sampled_from(["magnesium", "stretching"]), any_side, any_side, st.booleans())
def test_every_before_after_sentence_is_careful(
    factor: str, a: Side, b: Side, started: bool
) -> None:
    first = dt.date(2026, 1, 9) if started else None
    sentences = describe(BeforeAfter(factor, first, a, b, compare(b, a)))
    assert_careful(sentences)
    assert all(s.endswith(".") for s in sentences)
