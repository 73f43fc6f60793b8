"""Warning signs: the most urgent card first, and never a diagnosis or a reassurance."""

from __future__ import annotations

import pytest

from tracker.care.safety import (
    CHECK,
    EMERGENCY,
    LONG_CRAMP_MIN,
    RED_FLAG_CODES,
    RED_FLAGS,
    RIGHT_AWAY,
    STRAIGHT_AWAY,
    advice_for,
    flags_by_level,
    needs_attention,
    red_flag_label,
)

FORBIDDEN = ("you have", "diagnos", "nothing to worry", "safe dose")


def test_breathlessness_comes_first_as_an_emergency() -> None:
    cards = advice_for(["fever", "one_leg_swelling", "breathless_or_chest_pain"], 25)
    assert [card.level for card in cards] == [EMERGENCY, STRAIGHT_AWAY, RIGHT_AWAY, CHECK]
    assert "emergency number" in cards[0].title.lower()
    assert cards[0].reasons == ("Breathlessness or chest pain",)


def test_clot_signs_ask_to_call_straight_away_even_after_birth() -> None:
    (card,) = advice_for(["one_leg_swelling", "tenderness"])
    assert card.level == STRAIGHT_AWAY
    assert len(card.reasons) == 2
    assert "after the birth" in card.action


@pytest.mark.parametrize("code", RED_FLAG_CODES)
def test_every_warning_sign_gets_a_card_naming_it(code: str) -> None:
    (card,) = advice_for([code])
    assert card.level == RED_FLAGS[code][1]
    assert card.reasons == (red_flag_label(code),)


def test_a_cramp_longer_than_ten_minutes_asks_to_check() -> None:
    (card,) = advice_for([], longest_cramp_min=LONG_CRAMP_MIN + 0.5)
    assert card.level == CHECK
    assert "10.5 minutes" in card.reasons[0]
    assert needs_attention([], 12)


@pytest.mark.parametrize("longest", [None, 0.5, LONG_CRAMP_MIN])
def test_ordinary_nights_get_no_card(longest: float | None) -> None:
    assert advice_for([], longest) == []
    assert not needs_attention([], longest)


def test_unknown_codes_are_ignored_but_labelled_as_themselves() -> None:
    assert advice_for(["not_a_flag"]) == []
    assert red_flag_label("not_a_flag") == "not_a_flag"


def every_text_shown() -> list[str]:
    cards = advice_for(list(RED_FLAG_CODES), longest_cramp_min=45)
    texts = [label for label, _level in RED_FLAGS.values()]
    for card in cards:
        texts += [card.title, card.action, *card.reasons]
    return texts


def test_all_four_levels_are_checked_for_wording() -> None:
    assert {card.level for card in advice_for(list(RED_FLAG_CODES), 45)} == {
        EMERGENCY,
        STRAIGHT_AWAY,
        RIGHT_AWAY,
        CHECK,
    }


@pytest.mark.parametrize("phrase", FORBIDDEN)
def test_no_advice_diagnoses_or_reassures(phrase: str) -> None:
    offending = [text for text in every_text_shown() if phrase in text.lower()]
    assert offending == []


def test_flags_by_level_groups_every_sign_once_most_urgent_first() -> None:
    groups = flags_by_level()
    assert [RED_FLAGS[group[0]][1] for group in groups] == [EMERGENCY, STRAIGHT_AWAY, RIGHT_AWAY]
    assert groups[0] == ("breathless_or_chest_pain",)
    assert sorted(code for group in groups for code in group) == sorted(RED_FLAG_CODES)
    for group in groups:
        assert len({RED_FLAGS[code][1] for code in group}) == 1  # one level per group
