"""Each chart checked through its Vega-Lite spec (chart.to_dict()), without any UI."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tracker.insights import charts


def journal(days: int = 20, skip: tuple[int, ...] = (5, 6), due_in: int = 70):
    """A small journal: a night a day with cramps = day % 3, some nights not logged."""
    start = dt.date(2026, 9, 1)
    due = start + dt.timedelta(days=due_in)
    rows, cramp_rows = [], []
    for day in range(days):
        if day in skip:
            continue
        night = pd.Timestamp(start + dt.timedelta(days=day))
        count = day % 3
        rows.append(
            {
                "id": day + 1,
                "night": night,
                "cramps": count,
                "water_ml": 1500 + day if day % 4 else None,
                "stretch_min": 10 if day % 2 else 0,
                "magnesium_mg": 300 if day > 10 else None,
                "gestational_days": 280 - (due - night.date()).days,
                "flags": (),
            }
        )
        for i in range(count):
            cramp_rows.append(
                {
                    "night": night,
                    "time": dt.time((1 + i) % 24, 30),
                    "severity": 3 + i,
                    "duration_min": 1.5 + i,
                    "leg": "left" if i else None,
                    "muscle": "calf",
                }
            )
    nights = pd.DataFrame(rows)
    nights["gestational_days"] = nights["gestational_days"].astype("Int64")
    nights["water_ml"] = nights["water_ml"].astype("Int64")
    nights["magnesium_mg"] = nights["magnesium_mg"].astype("Int64")
    return nights, pd.DataFrame(cramp_rows)


def datasets(spec: dict) -> list[list[dict]]:
    return list(spec.get("datasets", {}).values())


def rows_with(spec: dict, key: str) -> list[dict]:
    return [row for data in datasets(spec) for row in data if key in row]


def test_cramps_per_night_shows_gaps_not_zeros() -> None:
    nights, _ = journal()
    spec = charts.cramps_per_night(nights).to_dict()
    statuses = {(row["night"][:10], row["status"]) for row in rows_with(spec, "status")}
    assert ("2026-09-06", "not logged") in statuses and ("2026-09-07", "not logged") in statuses
    logged = {row["night"] for row in rows_with(spec, "status") if row["status"] == "logged"}
    assert len(logged) == 18
    unlogged = [row for row in rows_with(spec, "status") if row["status"] == "not logged"]
    assert all(row["cramps"] is None for row in unlogged)
    assert any("tooltip" in layer.get("encoding", {}) for layer in spec["layer"])


def test_rolling_mean_breaks_at_gaps_and_uses_logged_nights() -> None:
    nights, _ = journal(days=30, skip=tuple(range(10, 20)))
    spec = charts.cramps_per_night(nights).to_dict()
    rolling = rows_with(spec, "rolling")
    assert len({row["segment"] for row in rolling}) == 2
    first = next(row for row in rolling)
    assert first["rolling"] == pytest.approx(nights["cramps"].iloc[:4].mean())


def test_by_week_adds_trimester_bands_and_weeks_for_gaps() -> None:
    nights, _ = journal()
    spec = charts.cramps_per_night(nights, by="week").to_dict()
    text = str(spec)
    assert "Week of pregnancy" in text and "trimester" in text
    gaps = [row for row in rows_with(spec, "status") if row["status"] == "not logged"]
    assert gaps and all(row["week"] is not None for row in gaps)


def test_weekly_rates_scale_by_nights_logged() -> None:
    nights, _ = journal(days=14, skip=(0,))
    weekly = charts.weekly_rates(nights)
    for _, row in weekly.iterrows():
        subset = nights[nights["gestational_days"] // 7 == row["week"]]
        assert row["nights"] == len(subset)
        assert row["per_week"] == pytest.approx(subset["cramps"].sum() / len(subset) * 7)
    spec = charts.cramps_per_week(nights).to_dict()
    assert "Cramps per week" in str(spec)


def test_severity_duration_time_and_where_charts() -> None:
    nights, cramps = journal()
    sev = charts.severity_and_duration(cramps, nights).to_dict()
    assert len(sev["vconcat"]) == 2 and len(rows_with(sev, "severity")) == len(cramps)
    tod = charts.time_of_night(cramps).to_dict()
    hours = {row["hour"]: row["cramps"] for row in rows_with(tod, "hour")}
    assert hours == {
        "01:00": (cramps["time"] == dt.time(1, 30)).sum(),
        "02:00": (cramps["time"] == dt.time(2, 30)).sum(),
    }
    assert tod["encoding"]["x"]["sort"][0] == "18:00"
    where = charts.where(cramps).to_dict()
    legs = {row["leg"] for row in rows_with(where, "leg")}
    assert legs == {"left", "not recorded"}


def test_habits_never_turn_missing_into_zero() -> None:
    nights, _ = journal()
    spec = charts.habits(nights).to_dict()
    water = [row for row in rows_with(spec, "measure") if row["measure"] == "Water (ml)"]
    assert len(water) == nights["water_ml"].notna().sum()
    stretch = [row for row in rows_with(spec, "measure") if row["measure"] == "Stretching (min)"]
    assert any(row["value"] == 0 for row in stretch)  # a recorded zero stays a zero


def test_calendar_marks_unlogged_nights() -> None:
    nights, _ = journal()
    spec = charts.calendar(nights).to_dict()
    rows = list({row["night"]: row for row in rows_with(spec, "status")}.values())
    assert len(rows) == 20 and sum(row["status"] == "not logged" for row in rows) == 2
    assert {row["day"] for row in rows} <= {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}


def luminance(colour: str) -> float:
    """Relative luminance of a #rrggbb colour (WCAG)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_palette_is_colour_blind_safe_and_no_cramps_is_the_calmest_colour() -> None:
    nights, cramps = journal()
    assert "#0072B2" in str(charts.where(cramps).to_dict())
    spec = charts.calendar(nights).to_dict()
    scale = next(layer["encoding"]["color"]["scale"] for layer in spec["layer"] if "color" in
                 layer.get("encoding", {}))  # fmt: skip
    assert scale["domainMin"] == 0 and not scale.get("reverse") and "scheme" not in scale
    ramp = scale["range"]
    # 0 cramps is the start of the ramp: the palest colour, and every step gets darker.
    assert luminance(ramp[0]) > 0.9 and luminance(ramp[0]) > luminance(ramp[-1]) + 0.7
    # Not logged stays a grey that a pale "no cramps" square cannot be mistaken for.
    assert abs(luminance(charts.GAP) - luminance(ramp[0])) > 0.2


def test_each_habit_title_sits_with_its_own_row() -> None:
    nights, _ = journal()
    spec = charts.habits(nights).to_dict()
    rows = spec["vconcat"]
    assert [row["title"]["text"] for row in rows] == list(charts.HABIT_LABELS.values())
    assert "Activity (min)" in charts.HABIT_LABELS.values()
    for row in rows:
        title = row["title"]
        # A title closer to its own plot than to the row above it (the gap between rows).
        assert title["offset"] + title["fontSize"] < spec["spacing"] - title["offset"]
        assert title["frame"] == "group" and title["anchor"] == "start"
    assert sum("axis" in row["encoding"]["x"] and row["encoding"]["x"]["axis"] is None
               for row in rows) == len(rows) - 1  # fmt: skip


def test_every_chart_has_a_one_line_text_alternative_from_its_data() -> None:
    nights, cramps = journal()
    described = {
        "per night": charts.cramps_per_night(nights),
        "per week": charts.cramps_per_week(nights),
        "severity": charts.severity_and_duration(cramps, nights),
        "clock": charts.time_of_night(cramps),
        "where": charts.where(cramps),
        "habits": charts.habits(nights),
        "calendar": charts.calendar(nights),
    }
    words = {name: chart.to_dict()["description"] for name, chart in described.items()}
    for name, text in words.items():
        assert "\n" not in text and 20 < len(text) < 260, name
    logged = nights.dropna(subset=["cramps"])
    assert f"{len(logged)} of 20 nights logged" in words["per night"]
    assert (
        f"{int(logged['cramps'].min())} to {int(logged['cramps'].max())} cramps"
        in words["per night"]
    )
    calm = int((logged["cramps"] == 0).sum())
    assert f"{len(logged)} logged, {calm} with no cramps" in words["calendar"]
    assert f"of {len(cramps)}" in words["where"]


def test_empty_journal_charts_do_not_fail() -> None:
    nights = pd.DataFrame(
        columns=[
            "id",
            "night",
            "cramps",
            "water_ml",
            "stretch_min",
            "magnesium_mg",
            "gestational_days",
            "flags",
        ]
    )
    cramps = pd.DataFrame(columns=["night", "time", "severity", "duration_min", "leg", "muscle"])
    for chart in (
        charts.cramps_per_night(nights),
        charts.cramps_per_week(nights),
        charts.severity_and_duration(cramps, nights),
        charts.time_of_night(cramps),
        charts.where(cramps),
        charts.habits(nights),
        charts.calendar(nights),
    ):
        assert chart.to_dict()


def test_a_period_over_a_year_is_drawn_week_by_week_and_over_five_years_month_by_month() -> None:
    from tracker.insights.charts import bucket_for, buckets, daily

    assert [bucket_for(d) for d in (28, 366, 367, 5 * 366, 5 * 366 + 1)] == [
        None, None, "W", "W", "MS",
    ]  # fmt: skip
    days = pd.date_range("2024-01-03", periods=19, freq="D")  # Wednesday to a Sunday, 3 weeks
    nights = pd.DataFrame({"night": days, "cramps": [2.0] * 5 + [4.0] * 2 + [0.0] * 12})
    nights = nights[nights["night"] < "2024-01-15"]  # the last week not logged at all
    weeks = buckets(daily(nights, days[0].date(), days[-1].date()), "W")
    assert list(weeks["night"].dt.strftime("%d")) == ["03", "08", "15"]  # from the first day
    assert list(weeks["nights_logged"]) == [5, 7, 0]
    assert weeks["cramps"].iloc[0] == 2.0 and abs(weeks["cramps"].iloc[1] - 8 / 7) < 1e-9
    assert weeks["cramps"].isna().iloc[2] and not weeks["logged"].iloc[2]  # unknown, not zero


def test_the_long_view_has_no_calendar_and_a_point_a_week(tmp_path) -> None:
    import datetime as dt

    from tracker.bench.measure import build_journal
    from tracker.insights.frames import load_journal
    from tracker.insights.trends import charts_of
    from tracker.journal.db import make_engine

    built = build_journal(tmp_path / "two-years.db", 730)
    engine = make_engine(built.url)
    end = dt.date.today() - dt.timedelta(days=1)
    try:
        journal = load_journal(engine)
    finally:
        engine.dispose()
    start = end - dt.timedelta(days=729)
    assert charts_of(journal, start, end, "date", "Calendar") == ()
    first = charts_of(journal, start, end, "date", "Over time")[0]
    assert "week by week" in str(first["title"])
    rows = max(len(v) for v in first["datasets"].values())
    assert 100 <= rows <= 110  # about 105 weeks, not 730 nights
    assert "730 of 730 nights" in first["description"]  # the words still count every night
