"""The morning rush on a practice's server, small: deploy/try-it's deployment (PostgreSQL, the
test identity provider, two app processes, Caddy over HTTPS with its sticky cookie), 30 people
signed in for real over HTTP, saving their night through the proxy on Streamlit's websocket
protocol, first at random moments of a short window, then all at once, while a clinician
reloads Patients; then one app process killed by its PID mid-rush, then PostgreSQL stopped
mid-rush and started again. Every save that said "Saved" is in the database (read as its
owner), no night is missing a cramp, no page crashed, the killed process's people are back on
the other one still signed in, and taps while PostgreSQL was down got the page's own message.
Timing is the bench's business (`cramp-journal bench --hosted`): nothing here asserts a time."""

from __future__ import annotations

import os

import pytest

from tracker.app.web import UNAVAILABLE
from tracker.bench.hosted import HostedOptions, measure
from tracker.bench.hosted_client import REFUSED
from tracker.bench.hosted_stack import deployment, last_nights, missing

pytestmark = [pytest.mark.postgres]
PEOPLE = 30
SPREAD_S = 3.0  # the round's taps over 3 s (the bench's minute is its business)


@pytest.fixture(scope="module")
def practice():  # noqa: ANN201
    if problem := missing():
        if os.environ.get("CI"):
            pytest.fail(f"the hosted load test cannot run in CI: {problem}", pytrace=False)
        pytest.skip(problem)
    with deployment(PEOPLE, clinicians=1, seed_nights=2) as stack:
        options = HostedOptions(
            people=PEOPLE, browsers=0, clinicians=1, rounds=1, alone=0, spread_s=SPREAD_S
        )
        yield stack, measure(stack, options)


def test_the_refused_words_are_the_pages_own() -> None:
    assert REFUSED in UNAVAILABLE


def test_the_taps_are_spread_at_random_over_the_window_and_seeded() -> None:
    from random import Random

    from tracker.bench.hosted_load import arrivals

    taps = arrivals(200, 60.0, Random(1))
    assert taps == arrivals(200, 60.0, Random(1))  # the same morning again
    assert all(0 <= t <= 60 for t in taps)
    assert sum(t < 30 for t in taps) in range(70, 131)  # both halves of the minute
    assert arrivals(5, 0.0, Random(1)) == [0.0] * 5  # the burst: all at once


def test_every_confirmed_save_is_stored_whole(practice) -> None:  # noqa: ANN001
    stack, result = practice
    (first,) = result["rounds"]
    assert first["spread_s"] == SPREAD_S
    assert first["outcomes"] == {"saved": PEOPLE}  # spread over the window, none lost or refused
    assert first["patients"]["n"] >= 1  # the clinician's Patients loaded during the rush
    burst = result["burst"]
    assert burst["outcomes"] == {"saved": PEOPLE}  # all at once too
    assert burst["patients"]["n"] >= 1
    db = result["database"]
    assert db["people_confirmed"] == PEOPLE and db["nights_found"] == PEOPLE
    assert db["missing"] == [] and db["half_written"] == [] and db["said_otherwise"] == []
    assert result["crashes"] == 0
    # The check itself sees a night that lost a cramp (as the owner, one cramp removed).
    from sqlalchemy import text

    from tracker.journal.accounts import acting_as
    from tracker.journal.db import make_engine

    person = next(p for p in stack.people if p.cramps == 2)
    owner = make_engine(stack.owner_url)
    try:
        with acting_as(person.account), owner.begin() as conn:
            conn.execute(text("DELETE FROM cramp WHERE id = (SELECT min(id) FROM cramp)"))
    finally:
        owner.dispose()
    assert last_nights(stack, [person])[person.sub] == [1]


def test_a_killed_process_s_people_come_back_signed_in_and_save(practice) -> None:  # noqa: ANN001
    _, result = practice
    kill = result["kill"]
    assert kill["during"].get("gone", 0) + kill["during"].get("saved", 0) == PEOPLE
    assert kill["reconnected"] > 0  # the killed process held some of them
    assert kill["reconnected_signed_in"] == kill["reconnected"]
    assert kill["not_signed_in"] == 0  # nobody asked to sign in again
    assert kill["left_on_killed"] == 0  # all through the proxy to the other process
    assert kill["saved_after"] == PEOPLE and kill["not_saved_after"] == 0


def test_a_postgres_restart_refuses_with_a_message_then_saves_again(practice) -> None:  # noqa: ANN001
    _, result = practice
    pg = result["postgres"]
    assert pg["while_down"] > 0 and pg["refused_while_down"] == pg["while_down"]
    assert set(pg["during"]) <= {"saved", "refused", "stale"}  # never a crash or silence
    assert pg["saved_after"] == PEOPLE and pg["not_saved_after"] == 0
    assert pg["same_app_processes"]  # saving again without restarting the app
