"""Numbers as people type them on a phone: comma or dot, nothing ambiguous guessed."""

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.journal.numbers import parse_amount, show_amount


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1,5", 1.5),
        ("1.5", 1.5),
        (" 2 ", 2.0),
        ("0", 0.0),
        ("0,25", 0.25),
        ("12,75", 12.75),
        ("2350", 2350.0),
        ("2 350", 2350.0),  # a space between thousands, as many write it
        ("2\u202f350", 2350.0),  # the narrow no-break space a phone may insert
        ("1234,5", 1234.5),  # four digits before the comma: only one reading
        ("0,250", 0.25),  # a leading zero is never a thousands group
        ("0.500", 0.5),
    ],
)
def test_comma_and_dot_both_mean_a_decimal(typed: str, expected: float) -> None:
    assert parse_amount(typed) == expected


@pytest.mark.parametrize("typed", [None, "", "   "])
def test_nothing_typed_is_not_recorded(typed: str | None) -> None:
    assert parse_amount(typed) is None
    assert parse_amount(typed, whole=True) is None


@pytest.mark.parametrize(("typed", "thousands", "decimal"), [("1,500", "1500", "1,5"),
                                                             ("2.350", "2350", "2.35"),
                                                             ("2,050", "2050", "2,05"),
                                                             ("1,000", "1000", "1")])  # fmt: skip
def test_a_possible_thousands_separator_is_refused_not_guessed(
    typed: str, thousands: str, decimal: str
) -> None:
    with pytest.raises(ValueError) as refused:
        parse_amount(typed)
    assert str(refused.value) == f"could be {thousands} or {decimal}: please type the one you mean"
    # Both readings are written the way the form takes them (no "2,050" it would refuse),
    # the decimal with the separator she used.
    assert parse_amount(thousands) == int(thousands)
    assert parse_amount(decimal) == float(decimal.replace(",", "."))


@pytest.mark.parametrize(
    ("typed", "whole", "example", "said"),
    [
        ("abc", False, None, "is not a number: write it like 2 or 1,5"),
        ("abc", False, "1500", "is not a number: write it like 1500"),  # millilitres
        ("-5", False, "1500", "can't be below zero: write it like 1500"),
        ("abc", True, None, "is not a number: write it like 10"),  # a whole number: no 1,5
        ("2,5", True, None, "must be a whole number: write it like 10"),
        ("2,5", True, "300", "must be a whole number: write it like 300"),
    ],
)
def test_the_example_in_a_refusal_fits_the_field(
    typed: str, whole: bool, example: str | None, said: str
) -> None:
    with pytest.raises(ValueError) as refused:
        parse_amount(typed, whole=whole, example=example)
    assert str(refused.value) == said
    assert parse_amount(said.rsplit(" ", 1)[-1], whole=whole) is not None  # the example parses


@pytest.mark.parametrize("typed", ["-1", "-0,5", "- 3"])
def test_negatives_are_refused(typed: str) -> None:
    with pytest.raises(ValueError, match="below zero|not a number"):
        parse_amount(typed)


def test_a_minus_sign_says_below_zero() -> None:
    with pytest.raises(ValueError, match="can't be below zero"):
        parse_amount("-2")


@pytest.mark.parametrize("typed", ["abc", "1,2,3", "1.2.3", "1e3", "inf", "nan", "1/2", "½", "1,"])
def test_what_is_not_a_number_is_refused(typed: str) -> None:
    with pytest.raises(ValueError, match="is not a number"):
        parse_amount(typed)


def test_whole_numbers_come_back_as_int_and_fractions_are_refused() -> None:
    assert parse_amount("10", whole=True) == 10
    assert isinstance(parse_amount("10", whole=True), int)
    assert parse_amount("10,0", whole=True) == 10
    with pytest.raises(ValueError, match="whole number"):
        parse_amount("2,5", whole=True)


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        (None, 2, ""),
        (2350, 0, "2350"),  # never '235' nor '2350.00'
        (2350.0, 2, "2350"),
        (100, 2, "100"),
        (10, 0, "10"),
        (0, 0, "0"),
        (0.0, 2, "0"),
        (2.35, 2, "2.35"),
        (1.5, 2, "1.5"),
        (1.504, 2, "1.5"),
    ],
)
def test_show_amount_has_no_trailing_zeros(value, decimals: int, shown: str) -> None:  # noqa: ANN001
    assert show_amount(value, decimals) == shown


@given(
    st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False),
    st.sampled_from([0, 1, 2]),
)
def test_any_amount_shown_parses_back(value: float, decimals: int) -> None:
    text = show_amount(value, decimals)
    parsed = parse_amount(text)
    assert math.isclose(parsed, value, rel_tol=1e-9, abs_tol=0.5 * 10**-decimals + 1e-9)
    assert show_amount(parsed, decimals) == text  # showing it again changes nothing


FIXED_REFUSALS = {
    "can't be below zero: write it like 2 or 1,5",
    "is not a number: write it like 2 or 1,5",
}
AMBIGUOUS = re.compile(r"could be \d+ or \d+(?:[.,]\d+)?: please type the one you mean")


@given(st.text(max_size=12) | st.text(alphabet="0123456789,.- \u00a0", max_size=10))
def test_any_text_is_a_number_or_a_plain_refusal(typed: str) -> None:
    try:
        value = parse_amount(typed)
    except ValueError as refused:  # our words and digits only, never her text
        assert str(refused) in FIXED_REFUSALS or AMBIGUOUS.fullmatch(str(refused))
    else:
        assert value is None or (math.isfinite(value) and value >= 0)
