"""Phone numbers for the warning cards: the emergency number per locale, checks, tel: links."""

import pytest

from tracker.care.phones import (
    MAX_CARE,
    MAX_EMERGENCY,
    default_emergency_number,
    phone_problem,
    shown,
    tel_url,
)


@pytest.mark.parametrize(
    ("locale", "number"),
    [
        ("en-US", "911"),
        ("en-GB", "999"),
        ("en_GB", "999"),
        ("de-DE", "112"),
        ("fr-CA", "911"),
        ("en-AU", "000"),
        ("ja-JP", "119"),
        ("zh-Hant-TW", "119"),  # the region is the last part
        ("xx-ZZ", "112"),  # an unknown region
        ("de", "112"),  # a language without a region
        ("", "112"),
        (None, "112"),
    ],
)
def test_default_emergency_number_follows_the_region(locale: str | None, number: str) -> None:
    assert default_emergency_number(locale) == number


@pytest.mark.parametrize(
    "number", [None, "", "  ", "112", "999", "+44 20 7946 0000", "(020) 7946-0000", " 911 "]
)
def test_good_or_empty_numbers_pass(number: str | None) -> None:
    assert phone_problem(number, MAX_CARE) is None


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("1", "at least 2 digits"),
        ("+1", "at least 2 digits"),
        ("+", "may only have digits"),
        ("call 112", "may only have digits"),
        ("112\x00", "may only have digits"),
        ("11+2", "may only have digits"),
        ("javascript:alert(1)", "may only have digits"),
        ("1" * (MAX_EMERGENCY + 1), f"at most {MAX_EMERGENCY}"),
    ],
)
def test_bad_numbers_say_what_is_wrong(number: str, words: str) -> None:
    problem = phone_problem(number, MAX_EMERGENCY)
    assert problem is not None and words in problem


def test_the_care_phone_may_be_longer_than_the_emergency_number() -> None:
    number = "+44 (0) 20 7946 0000 12"
    assert MAX_EMERGENCY < len(number) <= MAX_CARE
    assert phone_problem(number, MAX_CARE) is None
    assert "too long" in phone_problem(number, MAX_EMERGENCY)


@pytest.mark.parametrize(
    ("number", "url"),
    [
        ("112", "tel:112"),
        ("+44 20 7946 0000", "tel:+442079460000"),
        (" +1 (555) 010-9999 ", "tel:+15550109999"),
        ("(020) 7946-0000", "tel:02079460000"),
    ],
)
def test_tel_url_keeps_only_digits_and_a_leading_plus(number: str, url: str) -> None:
    assert tel_url(number) == url


def test_shown_keeps_digits_spaces_plus_and_dashes() -> None:
    assert shown(" +44 (20) 7946-0000 ") == "+44 20 7946-0000"
