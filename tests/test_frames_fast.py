"""The frames read through the driver are exactly those SQLAlchemy's rows gave, on both engines.

frames.load_nights and load_cramps read the driver's tuples and convert a column at a time;
REFERENCE below is the previous reading, a Row for each row, kept here as the reference. Each
frame must match it value for value, dtype for dtype and type for type (SQLite gives ISO text
for dates and times, PostgreSQL date and time objects), and a small journal gives fixed frames.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from tracker.insights import frames
from tracker.insights.frames import CRAMP_FIELDS, connection, load_journal
from tracker.journal.demo import fill_demo
from tracker.journal.entries import CrampEntry, NightEntry
from tracker.journal.models import Night, Profile
from tracker.journal.store import save_night, save_profile

DAY0 = dt.date(2026, 3, 1)


# --- the previous reading, verbatim: the reference ---------------------------------------------


def _old_columns(conn: Connection, statement, params: dict) -> dict[str, tuple]:  # noqa: ANN001
    result = conn.execute(statement, params)
    names = list(result.keys())
    rows = result.all()
    values = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return dict(zip(names, values, strict=True))


def _old_dates(values: Sequence) -> np.ndarray:
    if values and isinstance(values[0], str):
        return pd.to_datetime(pd.Index(values), format="%Y-%m-%d").to_numpy("datetime64[ns]")
    return pd.to_datetime(pd.Index(list(values), dtype=object)).to_numpy("datetime64[ns]")


def _old_numbers(values: Sequence, dtype: str) -> pd.Series:
    return pd.Series(pd.array(np.array(values, dtype="float64"), dtype=dtype))


def _old_gestational_days(nights: pd.Series, due, birth) -> pd.Series:  # noqa: ANN001
    window = frames.pregnancy_window(due, birth)
    if window is None or nights.empty:
        return pd.Series(pd.NA, index=nights.index, dtype="Int64")
    days = frames.TERM_DAYS - (pd.Timestamp(due) - nights).dt.days
    pregnant = nights.between(pd.Timestamp(window[0]), pd.Timestamp(window[1]))
    return days.astype("Int64").where(pregnant, pd.NA)


def old_load_nights(conn: Connection, start, end, profile) -> pd.DataFrame:  # noqa: ANN001
    statement = frames._nights_statement(start is not None, end is not None)
    cols = _old_columns(conn, statement, frames.period_params(start, end))
    frame = pd.DataFrame(
        {
            "id": np.asarray(cols["id"], dtype="int64"),
            "night": _old_dates(cols["night"]),
            **{name: _old_numbers(cols[name], "Int64") for name in frames.HABITS},
            "cramps": np.asarray(cols["cramps"], dtype="int64"),
            "woke": np.asarray(cols["woke"], dtype="int64") > 0,
            "worst_severity": _old_numbers(cols["worst_severity"], "Int64"),
            "longest_duration_min": _old_numbers(cols["longest_duration_min"], "Float64"),
        }
    )
    flags = {i: codes for i, _, codes in frames.red_flag_rows(conn, start, end)}
    frame["flags"] = frames._flag_column(frame["id"].to_numpy(), flags)
    due, birth = (profile.due_date, profile.birth_date) if profile else (None, None)
    frame["gestational_days"] = _old_gestational_days(frame["night"], due, birth)
    frame["plan_kept"] = pd.array(
        [None if v is None else bool(v) for v in cols["plan_kept"]], dtype="boolean"
    )
    return frame.sort_values("night", ignore_index=True)


def old_load_cramps(conn: Connection, start, end, columns=CRAMP_FIELDS) -> pd.DataFrame:  # noqa: ANN001
    statement = frames._cramps_statement(tuple(columns), start is not None, end is not None)
    cols = _old_columns(conn, statement, frames.period_params(start, end))
    frame = pd.DataFrame({"night_id": np.asarray(cols["night_id"], dtype="int64")})
    for name in columns:
        values = cols[name]
        if name == "night":
            frame[name] = _old_dates(values)
        elif name in frames._CRAMP_KINDS:
            frame[name] = _old_numbers(values, frames._CRAMP_KINDS[name])
        else:
            frame[name] = pd.Series(list(values), dtype=object if name == "time" else None)
    return frame


def identical(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Same columns, dtypes, index and values, and in object columns the same Python types."""
    assert list(got.columns) == list(expected.columns)
    assert list(got.dtypes) == list(expected.dtypes)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    for column in [name for name in got.columns if got[name].dtype is np.dtype(object)]:
        for a, b in zip(got[column], expected[column], strict=True):
            assert type(a) is type(b) and a == b, (column, a, b)


# --- journals ----------------------------------------------------------------------------------


def night(n: int, *cramps: CrampEntry, flags: tuple[str, ...] = (), **habits) -> NightEntry:  # noqa: ANN003
    return NightEntry(
        night=DAY0 + dt.timedelta(days=n), cramps=list(cramps), red_flags=list(flags), **habits
    )


SMALL = (
    night(0, CrampEntry(time=dt.time(23, 40), duration_min=1.5, severity=6, leg="left",
                        muscle="calf", woke=True, relief="stretch", relieved=True),
          CrampEntry(severity=None, woke=False), water_ml=1800, stretch_min=10, soreness=2),
    night(1),  # no cramps
    night(2, CrampEntry(time=dt.time(3, 5, 30), duration_min=12.0, severity=10, relieved=False),
          flags=("tenderness", "fever"), magnesium_mg=300, active_min=0),
    night(4, CrampEntry(time=dt.time(1, 0)), water_ml=0, stretch_min=0),
)  # fmt: skip


def seed_small(engine: Engine) -> None:
    with Session(engine) as session:
        for entry in reversed(SMALL):  # saved newest first: ids do not follow the nights
            save_night(session=session, entry=entry)
        save_profile(session=session, profile=Profile(id=1, due_date=DAY0 + dt.timedelta(days=60)))
    with Session(engine) as session:
        kept = session.get(Night, 1)
        kept.plan_kept = True
        session.commit()


def periods(nights: pd.DataFrame) -> list[tuple[dt.date | None, dt.date | None]]:
    first, last = nights["night"].min().date(), nights["night"].max().date()
    middle = first + (last - first) / 2
    return [(None, None), (middle, None), (None, middle), (first + dt.timedelta(days=1), middle),
            (last + dt.timedelta(days=1), None)]  # fmt: skip


@pytest.mark.parametrize("journal", ["small", "demo"])
def test_frames_are_those_of_sqlalchemys_rows(engine: Engine, journal: str) -> None:
    if journal == "small":
        seed_small(engine)
    else:
        with Session(engine) as session:
            fill_demo(session=session, seed=4, today=dt.date(2026, 6, 1))
    whole = load_journal(engine)
    for start, end in periods(whole.nights):
        got = load_journal(engine, start, end)
        with connection(engine) as conn:
            identical(got.nights, old_load_nights(conn, start, end, got.profile))
            identical(got.cramps, old_load_cramps(conn, start, end))
            columns = ("time", "night", "severity", "relieved")
            identical(frames.load_cramps(conn, start, end, columns), old_load_cramps(
                conn, start, end, columns))  # fmt: skip
            identical(frames.load_nights(conn, start, end), old_load_nights(conn, start, end, None))


def test_a_small_journal_gives_these_frames(engine: Engine) -> None:
    seed_small(engine)
    journal = load_journal(engine)
    nights = journal.nights.drop(columns="id")
    stamp = [pd.Timestamp(DAY0 + dt.timedelta(days=n)) for n in (0, 1, 2, 4)]
    expected = pd.DataFrame(
        {
            "night": pd.Series(stamp, dtype="datetime64[ns]"),
            "water_ml": pd.array([1800, None, None, 0], dtype="Int64"),
            "stretch_min": pd.array([10, None, None, 0], dtype="Int64"),
            "active_min": pd.array([None, None, 0, None], dtype="Int64"),
            "magnesium_mg": pd.array([None, None, 300, None], dtype="Int64"),
            "soreness": pd.array([2, None, None, None], dtype="Int64"),
            "cramps": np.array([2, 0, 1, 1], dtype="int64"),
            "woke": np.array([True, False, False, False]),
            "worst_severity": pd.array([6, None, 10, None], dtype="Int64"),
            "longest_duration_min": pd.array([1.5, None, 12.0, None], dtype="Float64"),
            "flags": pd.Series([(), (), ("fever", "tenderness"), ()], dtype=object),
            # due 60 days after DAY0: DAY0 is day 220 of pregnancy
            "gestational_days": pd.array([220, 221, 222, 224], dtype="Int64"),
            "plan_kept": pd.array([None, None, None, True], dtype="boolean"),
        }
    )
    identical(nights, expected)
    cramps = journal.cramps.sort_values(["night", "position"], ignore_index=True)
    night_of = dict(zip(journal.nights["id"], nights["night"], strict=True))
    assert list(cramps["night_id"].map(night_of)) == list(cramps["night"])
    expected_cramps = pd.DataFrame(
        {
            "night": pd.Series([stamp[0], stamp[0], stamp[2], stamp[3]], dtype="datetime64[ns]"),
            "position": pd.array([0, 1, 0, 0], dtype="Int64"),
            "time": pd.Series(
                [dt.time(23, 40), None, dt.time(3, 5, 30), dt.time(1, 0)], dtype=object
            ),  # fmt: skip
            "duration_min": pd.array([1.5, None, 12.0, None], dtype="Float64"),
            "severity": pd.array([6, None, 10, None], dtype="Int64"),
            "leg": pd.Series(["left", None, None, None]),
            "muscle": pd.Series(["calf", None, None, None]),
            "woke": pd.array([True, False, None, None], dtype="boolean"),
            "relief": pd.Series(["stretch", None, None, None]),
            "relieved": pd.array([True, None, False, None], dtype="boolean"),
        }
    )
    identical(cramps.drop(columns="night_id"), expected_cramps)
