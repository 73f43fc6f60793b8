"""The Last night form as plain values: nothing recorded she did not choose, numbers as typed."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import make_cramp, make_entry
from tracker.journal.entries import NightEntry
from tracker.journal.log_form import (
    BLANK_CRAMP,
    EXACT,
    TIME_CHOICES,
    WATER_EXAMPLES,
    cramp_values,
    habits_of,
    night_values,
    read_cramp,
    read_night,
    water_to_unit,
)
from tracker.journal.models import WATER_UNITS

NIGHT = dt.date(2025, 3, 1)


def blank_night() -> dict:
    return night_values(None, "ml")


def cramp(**values: object) -> dict:
    return {**BLANK_CRAMP, **values}


def test_a_blank_form_records_nothing() -> None:
    entry, errors = read_night(NIGHT, blank_night(), [dict(BLANK_CRAMP)], "ml")
    assert errors == {}
    assert entry.water_ml is entry.stretch_min is entry.active_min is entry.magnesium_mg is None
    assert entry.soreness is None and entry.notes is None and entry.red_flags == []
    assert entry.magnesium_clinician_agreed is None
    (only,) = entry.cramps
    assert only == type(only)()  # every field None: not recorded


def test_a_cramp_without_a_severity_is_stored_without_one() -> None:
    errors: dict[str, str] = {}
    saved = read_cramp(cramp(when="2 am", leg="left"), "cramps.0.", errors)
    assert errors == {}
    assert (saved.time, saved.severity, saved.leg) == (dt.time(2), None, "left")


def test_a_chosen_severity_of_zero_is_kept() -> None:
    assert read_cramp(cramp(sev=0), "cramps.0.", {}).severity == 0


@pytest.mark.parametrize(("typed", "minutes"), [("1,5", 1.5), ("1.5", 1.5), ("3", 3.0), ("", None)])
def test_minutes_are_read_as_she_typed_them(typed: str, minutes: float | None) -> None:
    errors: dict[str, str] = {}
    assert read_cramp(cramp(dur=typed), "cramps.0.", errors).duration_min == minutes
    assert errors == {}


def test_the_time_comes_from_a_preset_or_other_time() -> None:
    assert TIME_CHOICES[0] == "9 pm" and TIME_CHOICES[-1] == EXACT
    assert read_cramp(cramp(when="12 am"), "c.", {}).time == dt.time(0)
    assert read_cramp(cramp(when="9 pm"), "c.", {}).time == dt.time(21)
    assert read_cramp(cramp(when=EXACT, time="2:40 am"), "c.", {}).time == dt.time(2, 40)
    assert read_cramp(cramp(when=EXACT, time=""), "c.", {}).time is None  # not sure yet
    assert read_cramp(cramp(when=None, time="03:00"), "c.", {}).time is None  # not chosen


def test_what_cannot_be_read_is_reported_per_field() -> None:
    errors: dict[str, str] = {}
    read_cramp(cramp(when=EXACT, time="25:99", dur="1,500"), "cramps.2.", errors)
    assert set(errors) == {"cramps.2.time", "cramps.2.duration_min"}
    assert "is not a time" in errors["cramps.2.time"]
    assert errors["cramps.2.duration_min"].startswith("could be 1500 or 1,5")


def test_ambiguous_water_is_refused_not_guessed() -> None:
    values = blank_night() | {"water": "1,500"}
    entry, errors = read_night(NIGHT, values, [], "ml")
    assert entry.water_ml is None
    assert errors["water_ml"].startswith("could be 1500 or 1,5")


@pytest.mark.parametrize(
    ("unit", "example"),
    [("ml", "1500"), ("litres", "1,5"), ("fl oz", "50"), ("glasses (250 ml)", "6")],
)
def test_water_that_is_not_a_number_is_explained_in_her_unit(unit: str, example: str) -> None:
    _, errors = read_night(NIGHT, blank_night() | {"water": "lots"}, [], unit)
    assert errors["water_ml"] == f"is not a number: write it like {example}"  # not 1,5 ml


def test_every_water_unit_has_an_example_that_is_a_usual_day() -> None:
    assert set(WATER_EXAMPLES) == set(WATER_UNITS)
    for unit, example in WATER_EXAMPLES.items():
        entry, errors = read_night(NIGHT, blank_night() | {"water": example}, [], unit)
        assert errors == {} and 1000 <= entry.water_ml <= 2500, unit


@pytest.mark.parametrize(("field", "key", "example"), [("stretch", "stretch_min", "10"),
                                                       ("active", "active_min", "10"),
                                                       ("mg", "magnesium_mg", "300")])  # fmt: skip
def test_whole_number_fields_give_a_whole_example(field: str, key: str, example: str) -> None:
    _, errors = read_night(NIGHT, blank_night() | {field: "a bit"}, [], "ml")
    assert errors[key] == f"is not a number: write it like {example}"


@pytest.mark.parametrize(("field", "key"), [("stretch", "stretch_min"), ("mg", "magnesium_mg")])
def test_whole_minutes_and_mg_refuse_fractions(field: str, key: str) -> None:
    _, errors = read_night(NIGHT, blank_night() | {field: "2,5"}, [], "ml")
    assert "whole number" in errors[key]


@pytest.mark.parametrize(
    ("ml", "unit", "shown"),
    [
        (2350, "ml", "2350"),  # not "2350.00", not "235"
        (2000, "ml", "2000"),
        (2350, "litres", "2.35"),
        (2000, "litres", "2"),
        (500, "glasses (250 ml)", "2"),
        (625, "glasses (250 ml)", "2.5"),
        (1893, "fl oz", "64"),  # what 64 fl oz is stored as: not "64.01"
        (1900, "fl oz", "64.25"),  # 64.2 would be 1899 ml
        (1, "litres", "0"),  # less than the unit shows: the closest it can say
        (None, "ml", ""),
    ],
)
def test_water_is_shown_in_her_unit_without_needless_decimals(
    ml: int | None, unit: str, shown: str
) -> None:
    assert water_to_unit(ml, unit) == shown
    assert night_values(make_entry(NIGHT, water_ml=ml), unit)["water"] == shown


def test_water_typed_in_litres_is_stored_in_ml() -> None:
    entry, errors = read_night(NIGHT, blank_night() | {"water": "2,35"}, [], "litres")
    assert errors == {} and entry.water_ml == 2350


def test_unchanged_water_keeps_its_exact_millilitres() -> None:
    saved = make_entry(NIGHT, water_ml=1893)  # 64.01 fl oz
    values = night_values(saved, "fl oz")
    entry, _ = read_night(NIGHT, values, [], "fl oz", saved)
    assert entry.water_ml == 1893


def test_a_saved_night_fills_the_form_and_reads_back_the_same() -> None:
    saved = make_entry(
        NIGHT,
        cramps=[make_cramp(time=dt.time(2, 40), duration_min=1.5), make_cramp(time=dt.time(4))],
        red_flags=["fever"],
        magnesium_mg=300,
        magnesium_form="citrate",
        magnesium_clinician_agreed=True,
    )
    values = night_values(saved, "ml")
    cramps = [cramp_values(c) for c in saved.cramps]
    assert (cramps[0]["when"], cramps[0]["time"], cramps[0]["dur"]) == (EXACT, "02:40", "1.5")
    assert (cramps[1]["when"], cramps[1]["time"]) == ("4 am", "")
    assert cramps[0]["woke"] == "yes" and values["flag_fever"] and not values["flag_tenderness"]
    entry, errors = read_night(NIGHT, values, cramps, "ml", saved)
    assert errors == {}
    assert entry.normalised() == saved.normalised()


def test_habits_of_the_night_before() -> None:
    assert habits_of(None, "ml") is None
    assert habits_of(NightEntry(night=NIGHT), "ml") is None  # no habits recorded
    before = make_entry(NIGHT, water_ml=2000, stretch_min=10, active_min=None)
    assert habits_of(before, "litres") == {"water": "2", "stretch": "10", "active": ""}


@given(
    st.integers(min_value=0, max_value=8000),
    st.sampled_from(["ml", "litres", "fl oz", "glasses (250 ml)"]),
)
def test_water_shown_in_any_unit_reads_back_as_close_as_the_unit_can_say(ml: int, unit: str):
    shown = water_to_unit(ml, unit)
    entry, errors = read_night(NIGHT, blank_night() | {"water": shown}, [], unit)
    assert errors == {}
    assert abs(entry.water_ml - ml) <= 0.005 * WATER_UNITS[unit] + 0.5
    if WATER_UNITS[unit] < 100:  # a hundredth of a fl oz is finer than a millilitre
        assert entry.water_ml == ml


@given(st.integers(min_value=0, max_value=200), st.sampled_from(["fl oz", "glasses (250 ml)"]))
def test_a_whole_amount_she_types_is_shown_back_as_she_typed_it(amount: int, unit: str):
    entry, _ = read_night(NIGHT, blank_night() | {"water": str(amount)}, [], unit)
    assert water_to_unit(entry.water_ml, unit) == str(amount)


def test_an_unchanged_imported_duration_keeps_its_exact_minutes() -> None:
    values = cramp_values(make_cramp(duration_min=1.234))
    assert values["dur"] == "1.23"
    errors: dict[str, str] = {}
    assert read_cramp(values, "cramps.0.", errors).duration_min == 1.234
    assert read_cramp(values | {"dur": "1,5"}, "cramps.0.", errors).duration_min == 1.5
    assert read_cramp(values | {"dur": ""}, "cramps.0.", errors).duration_min is None  # cleared
    assert errors == {}
