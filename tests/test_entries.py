"""Validation of what she enters, and reading clock times however she types them."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import make_cramp, make_entry
from tracker.care.safety import RED_FLAG_CODES
from tracker.journal.entries import (
    MAX_CRAMPS_PER_NIGHT,
    MAX_NOTE_CHARS,
    NightEntry,
    parse_time,
    validate_night,
)
from tracker.journal.models import Leg

TODAY = dt.date(2026, 3, 10)


def errors_for(**overrides: object) -> dict[str, str]:
    return validate_night(make_entry(TODAY - dt.timedelta(days=1), **overrides), today=TODAY)


def cramp_errors(**overrides: object) -> dict[str, str]:
    return errors_for(cramps=[make_cramp(**overrides)])


def test_a_typical_night_is_valid() -> None:
    assert errors_for(cramps=3, red_flags=list(RED_FLAG_CODES)) == {}


def test_a_night_with_nothing_recorded_is_valid() -> None:
    assert validate_night(NightEntry(night=TODAY), today=TODAY) == {}


def test_tonight_and_later_cannot_be_logged_yet() -> None:
    tomorrow = NightEntry(night=TODAY + dt.timedelta(days=1))
    assert "in the future" in validate_night(tomorrow, today=TODAY)["night"]
    assert set(validate_night(NightEntry(night=dt.date(1949, 12, 31)), today=TODAY)) == {"night"}


@pytest.mark.parametrize("severity", [-1, 11, 2.5])
def test_severity_is_a_whole_number_from_0_to_10(severity: float) -> None:
    assert set(cramp_errors(severity=severity)) == {"cramps.0.severity"}


@pytest.mark.parametrize("duration", [0, -1, 180.5, math.nan, math.inf])
def test_duration_is_positive_and_at_most_three_hours(duration: float) -> None:
    assert set(cramp_errors(duration_min=duration)) == {"cramps.0.duration_min"}


@pytest.mark.parametrize("duration", [0.1, 10, 180])
def test_durations_within_limits_are_accepted(duration: float) -> None:
    assert cramp_errors(duration_min=duration) == {}


@pytest.mark.parametrize("field", ["leg", "muscle", "relief"])
def test_choices_must_be_known(field: str) -> None:
    errors = cramp_errors(**{field: "elbow"})
    assert set(errors) == {f"cramps.0.{field}"}
    assert errors[f"cramps.0.{field}"].startswith("must be one of")


def test_enum_members_are_accepted_like_their_values() -> None:
    assert cramp_errors(leg=Leg.BOTH) == {}


def test_a_time_must_be_a_time() -> None:
    assert set(cramp_errors(time="02:40")) == {"cramps.0.time"}


def test_errors_name_the_cramp_they_belong_to() -> None:
    errors = errors_for(cramps=[make_cramp(), make_cramp(severity=12), make_cramp(leg="up")])
    assert set(errors) == {"cramps.1.severity", "cramps.2.leg"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("water_ml", 8001),
        ("water_ml", -1),
        ("stretch_min", 301),
        ("active_min", 1001),
        ("magnesium_mg", 1501),
        ("soreness", 11),
        ("water_ml", math.nan),
    ],
)
def test_daily_numbers_must_be_in_range(field: str, value: float) -> None:
    assert set(errors_for(**{field: value})) == {field}


@pytest.mark.parametrize(
    ("field", "limit"),
    [("notes", MAX_NOTE_CHARS), ("side_effects", MAX_NOTE_CHARS), ("magnesium_form", 100)],
)
def test_text_has_a_length_limit(field: str, limit: int) -> None:
    assert errors_for(**{field: "x" * limit}) == {}
    assert "too long" in errors_for(**{field: "x" * (limit + 1)})[field]


def test_unknown_warning_signs_are_refused() -> None:
    assert "made_up" in errors_for(red_flags=["fever", "made_up"])["red_flags"]


def test_a_night_has_at_most_fifty_cramps() -> None:
    assert errors_for(cramps=MAX_CRAMPS_PER_NIGHT) == {}
    assert set(errors_for(cramps=MAX_CRAMPS_PER_NIGHT + 1)) == {"cramps"}


def test_normalising_blanks_text_and_sorts_red_flags() -> None:
    entry = make_entry(notes="  ", side_effects="", red_flags=["fever", "tenderness", "fever"])
    tidy = entry.normalised()
    assert (tidy.notes, tidy.side_effects) == (None, None)
    assert tidy.red_flags == ["fever", "tenderness"]
    assert entry.red_flags == ["fever", "tenderness", "fever"]  # the original is untouched


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("02:40", (2, 40)),
        ("2:40", (2, 40)),
        ("2.40", (2, 40)),
        ("2h40", (2, 40)),
        (" 7 ", (7, 0)),
        ("0:05", (0, 5)),
        ("23:59", (23, 59)),
        ("2am", (2, 0)),
        ("12am", (0, 0)),
        ("12 pm", (12, 0)),
        ("11:15 pm", (23, 15)),
        ("3 A.M.", (3, 0)),
        ("1:30PM", (13, 30)),
    ],
)
def test_parse_time_reads_common_ways_of_writing_a_time(typed: str, meant: tuple) -> None:
    assert parse_time(typed) == dt.time(*meant)


@pytest.mark.parametrize(
    "typed", ["", "   ", "24:00", "2:60", "13pm", "0am", "2:4", "abc", "2:40:10", "-1:00", "1 2"]
)
def test_parse_time_refuses_what_is_not_a_time(typed: str) -> None:
    with pytest.raises(ValueError, match="is not a time"):
        parse_time(typed)


@given(st.integers(0, 23), st.integers(0, 59), st.sampled_from([":", ".", "h"]))
def test_every_24_hour_time_reads_back(hour: int, minute: int, separator: str) -> None:
    assert parse_time(f"{hour:02d}{separator}{minute:02d}") == dt.time(hour, minute)


@given(st.integers(1, 12), st.integers(0, 59), st.sampled_from(["am", "pm", " AM", " p.m."]))
def test_every_12_hour_time_reads_back(hour: int, minute: int, half: str) -> None:
    expected = hour % 12 + (12 if "p" in half.lower() else 0)
    assert parse_time(f"{hour}:{minute:02d}{half}") == dt.time(expected, minute)


@given(st.text(max_size=12))
def test_parse_time_gives_a_time_or_a_clear_error(typed: str) -> None:
    try:
        result = parse_time(typed)
    except ValueError as refused:
        assert "is not a time" in str(refused)
    else:
        assert isinstance(result, dt.time)


@given(st.integers(-20, 30))
def test_severity_is_refused_exactly_outside_0_to_10(severity: int) -> None:
    refused = "cramps.0.severity" in cramp_errors(severity=severity)
    assert refused == (not 0 <= severity <= 10)


def test_nul_characters_in_text_are_refused() -> None:
    import datetime as dt

    from tracker.journal.entries import NightEntry, validate_night

    errors = validate_night(
        NightEntry(night=dt.date(2026, 1, 1), notes="a\x00b", side_effects="ok")
    )
    assert set(errors) == {"notes"} and "NUL" in errors["notes"]
