"""The journal's summary: known answers on small journals, random journals, frames, JSON, CLI."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import beta
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.care.pregnancy import dating
from tracker.care.safety import RED_FLAG_CODES
from tracker.cli.summary import add_summary
from tracker.insights.frames import CRAMP_FIELDS, NIGHT_COLUMNS, gestational_days, load_journal
from tracker.insights.summary import (
    compute_summary,
    previous_period,
    summarise,
    summary_text,
)
from tracker.insights.wording import ASSOCIATION, SUPPLEMENTS
from tracker.journal.db import make_engine
from tracker.journal.entries import CrampEntry, NightEntry
from tracker.journal.models import Cramp, Night, Profile, RedFlag
from tracker.journal.schema import ensure_schema
from tracker.journal.store import save_night, save_profile, stage_night

TODAY = dt.date.today()
DAY0 = TODAY - dt.timedelta(days=40)
KEYS = {
    "from", "to", "nights_logged", "nights_with_cramps", "cramps", "woke_nights",
    "cramps_per_night", "cramps_per_week", "mean_severity", "median_duration_min",
    "longest_duration_min", "gestational_weeks", "red_flag_nights", "comparisons",
    "before_after", "experiments",
}  # fmt: skip
COMPARISON_KEYS = {
    "factor", "with", "without", "rate_ratio", "ci95", "enough_data", "nights_needed", "threshold",
    "adjusted",
}  # fmt: skip
BEFORE_AFTER_KEYS = {
    "factor", "first_night", "baseline", "after", "rate_ratio", "ci95", "enough_data",
    "nights_needed", "halved",
}  # fmt: skip


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def cramp(
    severity: int | None = None, minutes: float | None = None, woke: bool | None = None
) -> CrampEntry:
    return CrampEntry(severity=severity, duration_min=minutes, woke=woke)


def night(n: int, *cramps: CrampEntry, flags: tuple[str, ...] = (), **habits: int) -> NightEntry:
    return NightEntry(night=day(n), cramps=list(cramps), red_flags=list(flags), **habits)


def seed(engine: Engine, *entries: NightEntry, **profile: object) -> None:
    with Session(engine) as session:
        for entry in entries:
            save_night(session=session, entry=entry)
        if profile:
            save_profile(session=session, profile=Profile(id=1, **profile))


def both_ways(engine: Engine, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    """The summary counted in the database, checked against the one made from DataFrames."""
    summary = summarise(session_or_engine=engine, start=start, end=end)
    journal = load_journal(engine)  # everything: compute_summary filters the period itself
    assert compute_summary(journal.nights, journal.cramps, journal.profile, start, end) == summary
    as_json = summary.to_json_dict()
    assert json.loads(json.dumps(as_json, allow_nan=False)) == as_json
    return as_json


def exact_ci(k_with: int, nights_with: int, k_without: int, nights_without: int) -> list:
    n = k_with + k_without
    low = 0.0 if k_with == 0 else beta.ppf(0.025, k_with, n - k_with + 1)
    high = 1.0 if k_with == n else beta.ppf(0.975, k_with + 1, n - k_with)
    scale = nights_without / nights_with
    return [low / (1 - low) * scale, None if high == 1 else high / (1 - high) * scale]


# --- known answers ---------------------------------------------------------------------------

SMALL_JOURNAL = (
    night(0, cramp(6, 2, True), cramp(None, 5, None), water_ml=1500, stretch_min=10,
          magnesium_mg=0),
    night(1, water_ml=2000, stretch_min=0),
    night(2, cramp(8, None, False), flags=("tenderness",), magnesium_mg=300),
    # day 3 not logged: unknown, not a night without cramps
    night(4, cramp(4, 1), cramp(5, 1), cramp(6, 12), flags=("one_leg_swelling", "fever"),
          water_ml=2500, stretch_min=5, magnesium_mg=300),
)  # fmt: skip


def test_small_journal_has_the_known_numbers(engine: Engine) -> None:
    # day 0 is 30+5, so day 4 is 31+2
    seed(engine, *SMALL_JOURNAL, due_date=day(0) + dt.timedelta(days=280 - 215))
    got = both_ways(engine)
    assert set(got) == KEYS
    assert got["from"] == day(0).isoformat() and got["to"] == day(4).isoformat()
    assert (got["nights_logged"], got["nights_with_cramps"], got["cramps"]) == (4, 3, 6)
    assert got["woke_nights"] == 1
    assert got["cramps_per_night"] == 1.5 and got["cramps_per_week"] == 10.5
    assert got["mean_severity"] == pytest.approx(29 / 5)  # 6, 8, 4, 5, 6: NULL left out
    assert got["median_duration_min"] == 2.0  # of 2, 5, 1, 1, 12
    assert got["longest_duration_min"] == 12.0
    assert got["gestational_weeks"] == [30, 31]
    assert got["red_flag_nights"] == [
        {"night": day(4).isoformat(), "flags": ["fever", "one_leg_swelling"]},
        {"night": day(2).isoformat(), "flags": ["tenderness"]},
    ]


def test_comparisons_leave_out_nights_where_the_habit_was_not_recorded(engine: Engine) -> None:
    seed(engine, *SMALL_JOURNAL)
    got = {c["factor"]: c for c in both_ways(engine)["comparisons"]}
    assert list(got) == ["stretching", "magnesium", "water", "activity"]
    assert all(set(c) == COMPARISON_KEYS for c in got.values())
    stretching, magnesium, water = got["stretching"], got["magnesium"], got["water"]
    assert stretching["with"] == {"nights": 2, "cramps": 5, "cramps_per_night": 2.5}
    assert stretching["without"] == {"nights": 1, "cramps": 0, "cramps_per_night": 0.0}
    assert magnesium["with"] == {"nights": 2, "cramps": 4, "cramps_per_night": 2.0}
    assert magnesium["without"] == {"nights": 1, "cramps": 2, "cramps_per_night": 2.0}
    assert water["threshold"] == 2000.0  # median of 1500, 2000, 2500
    assert (water["with"]["nights"], water["with"]["cramps"]) == (2, 3)
    assert (water["without"]["nights"], water["without"]["cramps"]) == (1, 2)
    for c in got.values():
        assert (c["enough_data"], c["rate_ratio"], c["ci95"]) == (False, None, None)
    assert stretching["nights_needed"] == {"with": 1, "without": 2}


def test_before_and_after_split_at_the_first_night_with_the_habit(engine: Engine) -> None:
    seed(engine, *SMALL_JOURNAL)
    got = {b["factor"]: b for b in both_ways(engine)["before_after"]}
    assert list(got) == ["magnesium", "stretching"]
    assert all(set(b) == BEFORE_AFTER_KEYS for b in got.values())
    magnesium = got["magnesium"]
    assert magnesium["first_night"] == day(2).isoformat()
    assert magnesium["baseline"] == {"nights": 2, "cramps": 2, "cramps_per_night": 1.0}
    assert magnesium["after"] == {"nights": 2, "cramps": 4, "cramps_per_night": 2.0}
    assert magnesium["nights_needed"] == {"baseline": 1, "after": 1}
    assert got["stretching"]["baseline"]["nights"] == 0  # stretched on the first night
    assert got["stretching"]["halved"] is None


def test_enough_nights_give_the_exact_ratio_and_interval(engine: Engine) -> None:
    with_ = [night(i, *[cramp()] * (i % 2), stretch_min=10) for i in range(6)]  # 3 cramps
    without = [night(10 + i, *[cramp()] * 3, stretch_min=0) for i in range(4)]  # 12 cramps
    seed(engine, *with_, *without)
    stretching = both_ways(engine)["comparisons"][0]
    assert stretching["enough_data"] is True
    assert stretching["rate_ratio"] == pytest.approx((3 / 6) / (12 / 4))
    assert stretching["ci95"] == pytest.approx(exact_ci(3, 6, 12, 4))
    assert stretching["nights_needed"] == {"with": 0, "without": 0}


def test_halved_after_starting_magnesium(engine: Engine) -> None:
    before = [night(i, cramp(), cramp(), magnesium_mg=0) for i in range(4)]  # 2 a night
    after = [night(5 + i, *[cramp()] * (i % 2), magnesium_mg=250) for i in range(4)]  # 0.5
    seed(engine, *before, *after)
    magnesium = both_ways(engine)["before_after"][0]
    assert magnesium["first_night"] == day(5).isoformat()
    assert magnesium["rate_ratio"] == pytest.approx(0.25)
    assert magnesium["ci95"] == pytest.approx(exact_ci(2, 4, 8, 4))
    assert magnesium["halved"] is True


def test_nights_without_cramps_count_in_the_rate(engine: Engine) -> None:
    seed(engine, night(0, cramp(), cramp(), cramp()), night(1), night(2))
    got = both_ways(engine)
    assert (got["cramps_per_night"], got["nights_with_cramps"]) == (1.0, 1)


def test_three_nights_are_too_few_for_a_weekly_rate(engine: Engine) -> None:
    """Not "4.7 a week" from three nights: JSON null, and the text says why (issue 21)."""
    seed(engine, night(0, cramp()), night(1), night(2, cramp()))
    got = both_ways(engine)
    assert got["cramps_per_night"] == pytest.approx(2 / 3) and got["cramps_per_week"] is None
    text = summary_text(summarise(session_or_engine=engine))
    assert (
        "Cramps: 2 (0.7 a night, too few nights to tell a weekly rate, which needs at least 4)"
        in text
    )


def test_no_cramps_leaves_severity_and_duration_unknown(engine: Engine) -> None:
    seed(engine, night(0, water_ml=1000), night(1))
    got = both_ways(engine)
    assert (got["cramps"], got["cramps_per_night"], got["woke_nights"]) == (0, 0.0, 0)
    assert got["mean_severity"] is None
    assert got["median_duration_min"] is None and got["longest_duration_min"] is None


def test_cramps_with_nothing_recorded_leave_severity_and_duration_unknown(engine: Engine) -> None:
    seed(engine, night(0, cramp(), cramp()))
    got = both_ways(engine)
    assert got["cramps"] == 2
    assert (got["mean_severity"], got["median_duration_min"]) == (None, None)


def test_empty_journal(engine: Engine) -> None:
    got = both_ways(engine)
    assert (got["from"], got["to"], got["nights_logged"], got["cramps"]) == (None, None, 0, 0)
    assert got["cramps_per_night"] is None and got["cramps_per_week"] is None
    assert got["red_flag_nights"] == [] and got["gestational_weeks"] is None
    assert all(c["enough_data"] is False for c in got["comparisons"] + got["before_after"])
    assert summary_text(summarise(session_or_engine=engine)) == (
        "No nights are logged in this period."
    )


def test_period_keeps_only_its_own_nights(engine: Engine) -> None:
    seed(
        engine,
        night(0, cramp(9, 30), flags=("fever",), magnesium_mg=100),
        night(2, cramp(3, 1)),
        night(3),
        night(5, cramp(5, 3), cramp(7, 2), flags=("tenderness",)),
        night(9, cramp(10, 60), flags=("fever",), magnesium_mg=100),
    )
    got = both_ways(engine, start=day(1), end=day(8))
    assert (got["from"], got["to"]) == (day(2).isoformat(), day(5).isoformat())
    assert (got["nights_logged"], got["cramps"]) == (3, 3)
    assert got["mean_severity"] == 5.0 and got["longest_duration_min"] == 3.0
    assert got["red_flag_nights"] == [{"night": day(5).isoformat(), "flags": ["tenderness"]}]
    # Before/after splits the whole journal up to the period's end: magnesium began on day 0.
    assert got["before_after"][0]["first_night"] == day(0).isoformat()
    assert got["before_after"][0]["baseline"]["nights"] == 0
    assert both_ways(engine, start=day(5))["nights_logged"] == 2
    assert both_ways(engine, end=day(0))["nights_logged"] == 1
    assert both_ways(engine, start=day(6), end=day(8))["nights_logged"] == 0


def test_gestational_weeks_need_a_due_date_and_a_pregnant_night(engine: Engine) -> None:
    seed(engine, night(0), night(20))
    assert both_ways(engine)["gestational_weeks"] is None
    with Session(engine) as session:  # born on day 10: night 20 is postpartum
        save_profile(session=session, profile=Profile(id=1, due_date=day(12), birth_date=day(10)))
    assert both_ways(engine)["gestational_weeks"] == [38, 38]
    assert both_ways(engine, start=day(15))["gestational_weeks"] is None


def test_previous_period_is_the_same_length_just_before() -> None:
    march = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
    assert previous_period(*march) == (dt.date(2026, 1, 29), dt.date(2026, 2, 28))
    assert previous_period(dt.date(2026, 3, 1), dt.date(2026, 3, 1)) == (
        dt.date(2026, 2, 28),
        dt.date(2026, 2, 28),
    )
    with pytest.raises(ValueError):
        previous_period(dt.date(2026, 3, 2), dt.date(2026, 3, 1))


def test_frames_hold_one_row_per_night_and_per_cramp(engine: Engine) -> None:
    seed(engine, *SMALL_JOURNAL, due_date=day(30), birth_date=day(3))
    journal = load_journal(engine)
    nights, cramps = journal.nights, journal.cramps
    assert tuple(nights.columns) == NIGHT_COLUMNS
    assert tuple(cramps.columns) == ("night_id", *CRAMP_FIELDS)
    assert list(nights["night"].dt.date) == [day(0), day(1), day(2), day(4)]
    assert list(nights["cramps"]) == [2, 0, 1, 3]
    assert list(nights["woke"]) == [True, False, False, False]
    assert nights["stretch_min"].isna().tolist() == [False, False, True, False]
    assert list(nights["flags"]) == [(), (), ("tenderness",), ("fever", "one_leg_swelling")]
    expected = [dating(d, day(30), day(3)).days for d in nights["night"].dt.date]
    got = [None if x is pd.NA else x for x in nights["gestational_days"].astype(object)]
    assert got == expected
    assert len(cramps) == 6 and cramps["severity"].isna().sum() == 1
    assert set(cramps["night_id"]) == set(nights["id"]) - {int(nights["id"][1])}


@given(st.lists(st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)), max_size=40))
def test_vectorised_gestational_days_match_pregnancy_dating(dates: list[dt.date]) -> None:
    series = pd.Series(pd.to_datetime(dates), dtype="datetime64[ns]")
    for due, birth in [(dt.date(2025, 6, 1), None), (dt.date(2025, 6, 1), dt.date(2025, 5, 20)),
                       (None, None)]:  # fmt: skip
        got = gestational_days(series, due, birth).astype(object).tolist()
        expected = [dating(d, due, birth).days for d in dates]
        assert [None if x is pd.NA else x for x in got] == expected


# --- random journals against a plain Python count ---------------------------------------------


def plain_summary(
    entries: list[NightEntry], profile: Profile, start: dt.date | None, end: dt.date | None
) -> dict:
    """The summary counted the straightforward way, night by night."""
    kept = sorted((e for e in entries if (start is None or e.night >= start)
                   and (end is None or e.night <= end)), key=lambda e: e.night)  # fmt: skip
    cramps = [c for e in kept for c in e.cramps]
    severities = [c.severity for c in cramps if c.severity is not None]
    durations = [c.duration_min for c in cramps if c.duration_min is not None]
    weeks = [dating(e.night, profile.due_date, profile.birth_date).week for e in kept]
    weeks = [w for w in weeks if w is not None]

    def side(nights: list[NightEntry]) -> dict:
        k = sum(len(e.cramps) for e in nights)
        return {"nights": len(nights), "cramps": k, "cramps_per_night": k / len(nights)
                if nights else None}  # fmt: skip

    waters = [e.water_ml for e in kept if e.water_ml is not None]
    middle = statistics.median(waters) if waters else None
    active = [e.active_min for e in kept if e.active_min is not None]
    active_middle = statistics.median(active) if active else None
    splits = {
        "activity": [(e, e.active_min >= active_middle) for e in kept if e.active_min is not None],
        "stretching": [(e, e.stretch_min > 0) for e in kept if e.stretch_min is not None],
        "magnesium": [(e, e.magnesium_mg > 0) for e in kept if e.magnesium_mg is not None],
        "water": [(e, e.water_ml >= middle) for e in kept if e.water_ml is not None],
    }
    before_after = {}
    # Before/after splits every night up to the period's end, whatever its start.
    upto = sorted((e for e in entries if end is None or e.night <= end), key=lambda e: e.night)
    for name, attr in (("magnesium", "magnesium_mg"), ("stretching", "stretch_min")):
        first = min((e.night for e in upto if (getattr(e, attr) or 0) > 0), default=None)
        before_after[name] = (
            first, side([e for e in upto if first is None or e.night < first]),
            side([e for e in upto if first is not None and e.night >= first]),
        )  # fmt: skip
    return {
        "from": kept[0].night.isoformat() if kept else None,
        "to": kept[-1].night.isoformat() if kept else None,
        "nights_logged": len(kept),
        "nights_with_cramps": sum(1 for e in kept if e.cramps),
        "cramps": len(cramps),
        "woke_nights": sum(1 for e in kept if any(c.woke for c in e.cramps)),
        "cramps_per_night": len(cramps) / len(kept) if kept else None,
        "mean_severity": statistics.mean(severities) if severities else None,
        "median_duration_min": statistics.median(durations) if durations else None,
        "longest_duration_min": max(durations) if durations else None,
        "gestational_weeks": [min(weeks), max(weeks)] if weeks else None,
        "red_flag_nights": [
            {"night": e.night.isoformat(), "flags": sorted(set(e.red_flags))}
            for e in reversed(kept)
            if e.red_flags
        ],  # fmt: skip
        "sides": {
            name: (side([e for e, yes in pairs if yes]), side([e for e, yes in pairs if not yes]))
            for name, pairs in splits.items()
        },  # fmt: skip
        "water_median": middle,
        "before_after": before_after,
    }


def same_side(got: dict, plain: dict) -> None:
    assert (got["nights"], got["cramps"]) == (plain["nights"], plain["cramps"])
    rate = plain["cramps_per_night"]
    assert got["cramps_per_night"] == (None if rate is None else pytest.approx(rate))


def check_against_plain(got: dict, plain: dict) -> None:
    for key in ("from", "to", "nights_logged", "nights_with_cramps", "cramps", "woke_nights",
                "gestational_weeks", "red_flag_nights", "longest_duration_min"):  # fmt: skip
        assert got[key] == plain[key], key
    for key in ("cramps_per_night", "mean_severity", "median_duration_min"):
        assert got[key] == (None if plain[key] is None else pytest.approx(plain[key])), key
    for comparison in got["comparisons"]:
        with_, without = plain["sides"][comparison["factor"]]
        same_side(comparison["with"], with_)
        same_side(comparison["without"], without)
        enough = with_["nights"] >= 3 and without["nights"] >= 3
        assert comparison["enough_data"] is enough
        if enough and without["cramps"]:
            ratio = with_["cramps_per_night"] / without["cramps_per_night"]
            assert comparison["rate_ratio"] == pytest.approx(ratio)
            assert comparison["ci95"] == pytest.approx(
                exact_ci(with_["cramps"], with_["nights"], without["cramps"], without["nights"])
            )
    assert got["comparisons"][2]["threshold"] == plain["water_median"]
    for item in got["before_after"]:
        first, baseline, after = plain["before_after"][item["factor"]]
        assert item["first_night"] == (first.isoformat() if first else None)
        same_side(item["baseline"], baseline)
        same_side(item["after"], after)


maybe = st.none() | st.integers(0, 3)
cramps = st.builds(
    CrampEntry,
    severity=st.none() | st.integers(0, 10),
    duration_min=st.none() | st.sampled_from([0.5, 1.0, 2.0, 2.5, 5.0, 12.0]),
    woke=st.none() | st.booleans(),
)
journals = st.dictionaries(
    st.integers(0, 30),
    st.fixed_dictionaries({
        "cramps": st.lists(cramps, max_size=4),
        "red_flags": st.lists(st.sampled_from(RED_FLAG_CODES[:4]), max_size=2, unique=True),
        "water_ml": st.none() | st.sampled_from([0, 1000, 1500, 2250]),
        "stretch_min": st.none() | st.sampled_from([0, 0, 10]),
        "magnesium_mg": st.none() | st.sampled_from([0, 300]),
    }),
    max_size=14,
)  # fmt: skip
periods = st.tuples(st.none() | st.integers(-2, 32), st.none() | st.integers(-2, 32))


@pytest.fixture(scope="module")
def shared_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('random')}/j.db")
    ensure_schema(engine)
    yield engine
    engine.dispose()


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(journals, periods, st.none() | st.integers(-20, 60), st.none() | st.integers(5, 25))
def test_random_journals_match_a_plain_count(
    shared_engine: Engine, journal: dict, period: tuple, due: int | None, born: int | None
) -> None:
    entries = [NightEntry(night=day(n), **fields) for n, fields in journal.items()]
    profile = Profile(id=1, due_date=day(due) if due is not None else None,
                      birth_date=day(born) if born is not None and born < 40 else None)  # fmt: skip
    with Session(shared_engine, expire_on_commit=False) as session:
        for table in (RedFlag, Cramp, Night, Profile):
            session.execute(delete(table))
        for entry in entries:
            stage_night(session=session, entry=entry)
        session.add(profile)
        session.commit()
    start, end = (None if n is None else day(n) for n in period)
    got = both_ways(shared_engine, start, end)
    check_against_plain(got, plain_summary(entries, profile, start, end))


# --- the command -------------------------------------------------------------------------------


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="cramp-journal")
    add_summary(parser.add_subparsers(), argparse.ArgumentParser(add_help=False))
    return parser.parse_args(["summary", *argv])


def test_command_prints_the_summary_as_json(
    sqlite_engine: Engine, capsys: pytest.CaptureFixture
) -> None:
    seed(sqlite_engine, *SMALL_JOURNAL)
    args = parse("--from", day(1).isoformat(), "--to", day(4).isoformat(), "--json")
    assert args.run(args, sqlite_engine) == 0
    printed = json.loads(capsys.readouterr().out)
    assert (
        printed
        == summarise(session_or_engine=sqlite_engine, start=day(1), end=day(4)).to_json_dict()
    )
    assert printed["nights_logged"] == 3


def test_command_prints_plain_text(sqlite_engine: Engine, capsys: pytest.CaptureFixture) -> None:
    seed(sqlite_engine, *SMALL_JOURNAL, water_unit="litres")
    args = parse()
    assert args.run(args, sqlite_engine) == 0
    out = capsys.readouterr().out
    assert "Cramps: 6 (1.5 a night, 10.5 a week)" in out
    assert f"Warning signs noted on {day(4)}: Fever; Swelling in one leg" in out
    assert "at least 2 litres" in out
    assert out.count(ASSOCIATION) == 1 and out.count(SUPPLEMENTS) == 1  # said once, at the end
    assert out.rstrip().endswith(SUPPLEMENTS)
    for word in ("caused", "diagnos", "you have", "safe dose", "nothing to worry"):
        assert word not in out.lower()


def test_command_refuses_bad_dates(sqlite_engine: Engine, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exc:
        parse("--from", "1st of March")
    assert exc.value.code == 2
    assert "is not a date: write it like 2026-03-01" in capsys.readouterr().err
    args = parse("--from", "2026-03-02", "--to", "2026-03-01")
    assert args.run(args, sqlite_engine) == 2
    assert "--from must be on or before --to" in capsys.readouterr().err


def test_the_summary_reads_the_nights_once_with_or_without_a_period(engine: Engine) -> None:
    """One read of the nights serves the period and the experiments; a period's before/after
    (her whole journal) is counted in the database, never read night by night."""
    from sqlalchemy import event

    from tracker.journal.demo import fill_demo
    from tracker.journal.plan_store import save_plan
    from tracker.journal.plans import Plan

    with Session(engine) as session:
        fill_demo(session=session, seed=3)
    today = dt.date.today()
    with engine.begin() as conn:
        save_plan(conn, Plan(habit="stretching", start=today - dt.timedelta(days=30), seed=2))
    read: list[str] = []

    def note(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        read.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        for start in (None, today - dt.timedelta(days=20)):
            read.clear()
            summary = summarise(session_or_engine=engine, start=start)
            assert summary.experiments and summary.nights_logged
            nights_read = [s for s in read if "count(cramp.id)" in s]
            assert len(nights_read) == 1
            assert (start is None) is ("night.night >=" not in nights_read[0])  # from a start
            assert sum("sum(cramp.severity)" in s for s in read) == 1
    finally:
        event.remove(engine, "before_cursor_execute", note)
