"""Personal experiments: the seeded, balanced schedule, what may be tried, and a replayed
simulated experiment with a known effect checked against the report."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from tests.readability import too_hard
from tracker.insights.experiments import describe_result, evaluate, randomisation_test
from tracker.journal.plans import (
    MAX_BLOCK,
    MIN_BLOCK,
    OFF,
    ON,
    Plan,
    assignment,
    nightly,
    problems,
    schedule,
    stop_night,
    tonight,
)

START = dt.date(2026, 9, 1)


def plan(**changes) -> Plan:  # noqa: ANN003
    return Plan(**{"habit": "stretching", "start": START, "seed": 7, **changes})


def test_the_schedule_is_seeded_balanced_and_contiguous() -> None:
    blocks = schedule(plan())
    assert blocks == schedule(plan())  # the same plan, the same schedule
    assert blocks != schedule(plan(seed=8))
    assert len(blocks) == 12 and [b.arm for b in blocks].count(ON) == 6
    # Counterbalanced: every pair of blocks has one on and one off, so both spread over time.
    assert all({a.arm, b.arm} == {ON, OFF} for a, b in zip(blocks[::2], blocks[1::2], strict=True))
    assert all(MIN_BLOCK <= b.nights <= MAX_BLOCK for b in blocks)
    assert blocks[0].start == START
    for before, after in zip(blocks, blocks[1:], strict=False):
        assert after.start == before.end + dt.timedelta(days=1)  # no gaps, no overlaps
    assert assignment(blocks, START) == blocks[0].arm
    assert assignment(blocks, blocks[-1].end) == blocks[-1].arm
    assert assignment(blocks, START - dt.timedelta(days=1)) is None
    assert assignment(blocks, blocks[-1].end + dt.timedelta(days=1)) is None


def test_every_seed_gives_balanced_pairs_and_all_four_orders_happen() -> None:
    orders = set()
    for seed in range(200):
        blocks = schedule(plan(seed=seed, blocks=4))
        assert [b.arm for b in blocks].count(ON) == 2
        orders.add(tuple(b.arm for b in blocks))
    assert orders == {
        (ON, OFF, ON, OFF),
        (ON, OFF, OFF, ON),
        (OFF, ON, ON, OFF),
        (OFF, ON, OFF, ON),
    }


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"habit": "magnesium"}, "discussed it with your clinician"),
        ({"habit": "extra salt at dinner"}, "salt is not advised"),
        ({"habit": "Salt", "clinician_agreed": True}, "salt is not advised"),
        ({"habit": "water"}, "how much water"),
        ({"blocks": 5}, "even number of blocks"),
        ({"habit": "  "}, "Name the habit"),
    ],
)
def test_what_cannot_be_an_experiment_is_refused(changes: dict, said: str) -> None:
    refused = plan(**changes)
    assert any(said in problem for problem in problems(refused))
    with pytest.raises(ValueError):
        schedule(refused)


def test_magnesium_once_discussed_and_a_habit_she_names_are_allowed() -> None:
    assert problems(plan(habit="magnesium", clinician_agreed=True)) == []
    assert problems(plan(habit="legs up the wall for 10 minutes")) == []
    assert problems(plan(habit="water", target=2000)) == []


def simulated_nights(p: Plan, ratio: float, rng: np.random.Generator, kept: float = 0.9):  # noqa: ANN201
    """Her journal over the experiment: cramps rising with the weeks, fewer on kept 'on' nights."""
    days = nightly(schedule(p))
    on = (days["arm"] == ON).to_numpy()
    follows = rng.random(len(days)) < kept
    stretched = np.where(on, follows, ~follows)
    trend = np.exp(np.linspace(0, 0.6, len(days)))
    cramps = rng.poisson(1.5 * trend * np.where(stretched, ratio, 1.0))
    nights = pd.DataFrame(
        {
            "night": days["night"],
            "cramps": cramps,
            "stretch_min": pd.array(np.where(stretched, 10, 0), dtype="Int64"),
        }
    )
    return nights.drop(index=[3, 11]).reset_index(drop=True)  # two nights not logged


def test_a_replayed_experiment_with_a_known_effect_is_reported() -> None:
    p = plan(seed=3, blocks=16)
    nights = simulated_nights(p, ratio=0.35, rng=np.random.default_rng(11))
    result = evaluate(p, nights, today=schedule(p)[-1].end + dt.timedelta(days=1))
    assert result.finished and result.not_logged == 2
    assert result.on.nights + result.off.nights == len(nights)
    on_nights = nights.merge(nightly(schedule(p)), on="night").query("arm == 'on'")
    assert result.on.cramps == on_nights["cramps"].sum()
    kept, noted = result.kept_on
    assert noted == result.on.nights and kept == int((on_nights["stretch_min"] > 0).sum())
    assert result.schedules == 2**8
    assert result.p_value <= 0.05
    assert result.ratio.high < 1 and result.adjusted.fitted and result.adjusted.high < 1
    said = describe_result(result)
    text = " ".join(said)
    assert "In your experiment" in text and "unlikely to explain it, in your experiment" in text
    assert f"in {round(result.p_value * 256)} of 256 ways" in text
    for word in ("prove", "cure", "caused", "diagnos"):
        assert word not in text.lower()
    assert too_hard(said) == []
    as_json = json.loads(json.dumps(result.to_json_dict(), allow_nan=False))
    assert as_json["permutation_p"] == pytest.approx(result.p_value)
    assert as_json["adjusted"]["rate_ratio"] == pytest.approx(result.adjusted.rate_ratio)
    assert len(as_json["blocks"]) == 16 and as_json["adherence"]["on"]["noted"] == noted


def test_without_an_effect_the_randomisation_test_is_rarely_small() -> None:
    rng = np.random.default_rng(5)
    small = 0
    for seed in range(150):
        p = plan(seed=seed)
        result = evaluate(p, simulated_nights(p, ratio=1.0, rng=rng))
        small += result.p_value <= 0.05
    assert small / 150 <= 0.09  # a valid test: about 5 in 100 or fewer by chance


def test_the_randomisation_test_counts_every_possible_schedule() -> None:
    # 4 blocks (2 pairs), one night each: 4 orders; only the observed one and its mirror give
    # a difference as large as 3 - 0 (the other two give 0).
    cramps = np.array([3.0, 0.0, 3.0, 0.0])
    p, count = randomisation_test(cramps, np.arange(4), np.array([1, 0, 1, 0], bool), 4, 0)
    assert (p, count) == (2 / 4, 4)


def test_an_experiment_just_begun_says_there_is_too_little_yet() -> None:
    p = plan(habit="legs up the wall")
    first = schedule(p)[0]
    nights = pd.DataFrame({"night": [pd.Timestamp(first.start)], "cramps": [2]})
    result = evaluate(p, nights, today=first.start)
    said = describe_result(result)
    assert not result.finished and result.p_value is None
    assert result.not_logged == 0  # the nights still to come are not "not logged"
    later = evaluate(p, nights, today=first.start + dt.timedelta(days=3))
    assert later.not_logged == 2
    assert "does not show whether the plan was kept" in said[1]
    assert said[-1] == "There are too few nights on each side to compare yet."


def test_tonight_says_what_the_schedule_asks() -> None:
    p = plan(habit="water", target=2000)
    blocks = schedule(p)
    first = tonight(p, blocks[0].start)
    expected = (
        "drink at least 2000 ml today" if blocks[0].arm == ON else "as you usually do"
    )  # as the form takes it
    assert first.startswith("Your experiment, block 1 of 12") and expected in first
    assert tonight(p, blocks[-1].end + dt.timedelta(days=1)) is None
    own = plan(habit="legs up the wall")
    said = {tonight(own, b.start) for b in schedule(own)}
    assert any(s.endswith(": legs up the wall.") for s in said)
    assert any(s.endswith(": no legs up the wall tonight.") for s in said)


def test_summary_json_and_the_pdf_carry_her_experiment(sqlite_engine, capsys, tmp_path) -> None:
    from sqlmodel import Session

    from tests.test_report import read_pdf
    from tests.test_summary import parse
    from tracker.exchange.report import appointment_pdf
    from tracker.insights.frames import load_journal
    from tracker.journal.demo import fill_demo
    from tracker.journal.plan_store import save_plan

    with Session(sqlite_engine) as session:
        fill_demo(session=session)
    last = dt.date.today() - dt.timedelta(days=1)
    tried = Plan(habit="stretching", start=last - dt.timedelta(days=60), seed=21)
    with sqlite_engine.begin() as conn:
        save_plan(conn, tried)
    args = parse("--json")
    assert args.run(args, sqlite_engine) == 0
    (got,) = json.loads(capsys.readouterr().out)["experiments"]
    expected = evaluate(tried, load_journal(sqlite_engine).nights, today=dt.date.today())
    assert got == json.loads(json.dumps(expected.to_json_dict()))
    assert got["schedules"] == 64 and got["adjusted"]["ci95"] is not None
    plain = parse()
    assert plain.run(plain, sqlite_engine) == 0
    assert "Experiment: stretching\nIn your experiment:" in capsys.readouterr().out
    # A period that ends before the experiment starts leaves it out.
    early = parse("--to", (tried.start - dt.timedelta(days=1)).isoformat(), "--json")
    assert early.run(early, sqlite_engine) == 0
    assert json.loads(capsys.readouterr().out)["experiments"] == []
    pdf = appointment_pdf(sqlite_engine, start=last - dt.timedelta(days=27), end=last)
    text = " ".join(read_pdf(pdf, tmp_path)[0].split())
    assert "Her personal experiment" in text and "In her experiment:" in text
    assert f"over {got['schedules']} possible schedules" in text


def test_a_named_habit_is_kept_as_she_said_and_a_stopped_experiment_ends_there() -> None:
    p = plan(habit="legs up the wall", seed=3, blocks=16)
    blocks = schedule(p)
    rng = np.random.default_rng(4)
    nights = simulated_nights(p, ratio=0.5, rng=rng).drop(columns="stretch_min")
    said_kept = pd.array(rng.random(len(nights)) < 0.8, dtype="boolean")
    said_kept[::5] = pd.NA  # mornings she did not answer
    nights["plan_kept"] = said_kept
    stop = blocks[7].end  # she stops it after 8 of 16 blocks, the next morning
    stopped = replace(p, stopped=stop_night(p, stop + dt.timedelta(days=1)))
    assert stopped.stopped == stop
    assert tonight(stopped, stop) == tonight(p, stop)
    assert tonight(stopped, stop + dt.timedelta(days=1)) is None
    assert tonight(p, stop + dt.timedelta(days=1)) is not None
    result = evaluate(stopped, nights, today=stop + dt.timedelta(days=1))
    inside = nights[nights["night"] <= pd.Timestamp(stop)].merge(nightly(blocks), on="night")
    assert result.finished and result.stopped_early
    assert result.on.nights + result.off.nights == len(inside)
    assert result.on.cramps + result.off.cramps == inside["cramps"].sum()
    assert result.not_logged == 2  # the two unlogged nights fall before the stop
    on = inside[inside["arm"] == ON]["plan_kept"]
    assert result.kept_on == (int(on.sum()), int(on.notna().sum()))
    assert 0 < result.kept_on[1] < result.on.nights  # from her answers; unanswered not counted
    planned = sum(b.nights for b in blocks)
    assert (result.nights_run, result.planned_nights) == ((stop - START).days + 1, planned)
    text = " ".join(describe_result(result))
    assert f"Stopped early after {result.nights_run} of {planned} nights." in text
    assert f"The plan was kept on {result.kept_on[0]} of {result.kept_on[1]} 'on' nights" in text
    as_json = result.to_json_dict()
    assert as_json["stopped"] == stop.isoformat() and as_json["nights_run"] == result.nights_run
    assert as_json["adherence"]["off"] == dict(zip(("kept", "noted"), result.kept_off, strict=True))
    whole = evaluate(p, nights, today=blocks[-1].end + dt.timedelta(days=1))
    assert not whole.stopped_early and whole.to_json_dict()["stopped"] is None
    assert whole.on.nights + whole.off.nights == len(nights)


# --- A plan kept in the journal that cannot run (an older version let 2,000,000 blocks in) ----


def test_a_stored_plan_that_cannot_run_is_named_on_both_pages_and_can_be_removed(
    sqlite_engine, monkeypatch
) -> None:
    from pathlib import Path

    from sqlalchemy import text
    from sqlmodel import Session
    from streamlit.testing.v1 import AppTest

    from tests.factories import count_rows, days_ago, make_entry, make_profile
    from tracker.journal.plan_store import save_plan
    from tracker.journal.store import save_night, save_profile

    monkeypatch.setenv("DATABASE_URL", str(sqlite_engine.url))
    with Session(sqlite_engine) as s:
        save_profile(session=s, profile=make_profile())
        save_night(session=s, entry=make_entry(days_ago(2)))
    with sqlite_engine.begin() as conn:
        save_plan(conn, plan(habit="legs up the wall", start=days_ago(5)))
        conn.execute(text("UPDATE experiment SET blocks = 2000000"))
    said = "can't be used: Use an even number of blocks, from 4 to 16 (this plan has 2,000,000)."
    app = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
    at = AppTest.from_file(app, default_timeout=30).run()
    assert not at.exception
    (warning,) = [w.value for w in at.warning if said in w.value]
    assert "Remove it on the Experiments page." in warning
    assert at.button(key="ln_save")  # the form is there: she can log her night
    at.switch_page("pages/experiments.py").run()
    assert not at.exception
    assert any(said in w.value for w in at.warning)
    (remove,) = [b for b in at.button if b.label == "Remove this experiment"]
    remove.click().run()
    at.button(key="ex_remove_yes").click().run()
    assert not at.exception
    assert any("removed" in s.value for s in at.success)
    assert count_rows(sqlite_engine, "experiment") == 0 and count_rows(sqlite_engine, "night") == 1
    assert not [w for w in at.warning if said in w.value]
