"""Charts of the journal: each a function of DataFrames (frames) returning an Altair chart.

Nights that were not logged are gaps (shaded or missing), never zeros. Colours come from the
Okabe-Ito palette and a single-hue blue ramp (0 cramps the palest), both readable with
colour-blindness. Each chart carries a one-line text alternative as its Vega-Lite
"description" (chart_words; Trends and the PDF show it as text).
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from tracker.care import language
from tracker.care.language import N_, _
from tracker.insights import chart_words
from tracker.insights.stats import MIN_NIGHTS_FOR_RATE

# A long Custom period draws every cramp: 10 years is about 11,000 cramp rows, past Altair's
# 5,000-row guard, which stopped the whole Trends page. (Nights are drawn week by week or month
# by month for long periods: see bucket_for.)
alt.data_transformers.disable_max_rows()

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
BLUE, ORANGE, GREEN, PINK = OKABE_ITO[:4]
GAP = "#d9d9d9"
# Each cramp's severity: a dark wine (Paul Tol's, readable with colour-blindness) with a solid
# outline, so that every dot still shows on a black-and-white printout (the pink it replaces
# printed as a pale grey). Overlapping dots stay told apart by their fill's transparency.
SEVERITY_DOT, SEVERITY_FILL_OPACITY = "#882255", 0.8
# The calendar: 0 cramps the palest, calmest blue, more cramps darker (one hue, no bright end).
CALENDAR_RAMP = ["#f4f8fc", "#08306b"]
CALENDAR_EDGE = "#c6d4e1"  # so a pale square still shows on a white page
HEIGHT = 200
WEEK_TITLE = N_("Week of pregnancy")  # every chart's words are said in her language: _()
TITLE_ABOVE_BANDS = 18


def vega_locale() -> dict | None:
    """Vega's number and time words in her language (d3's locale format: month and day names
    on the axes and tooltips, the decimal mark), from Babel's data; None in English, which
    Vega speaks already."""
    from babel import Locale
    from babel.numbers import get_decimal_symbol

    code = language.current()
    if code == language.SOURCE:
        return None
    cldr = Locale.parse(code)
    days, months = cldr.days["format"], cldr.months["format"]
    sunday_first = [6, 0, 1, 2, 3, 4, 5]  # Babel counts from Monday, d3 from Sunday
    decimal = get_decimal_symbol(code)
    return {
        "number": {
            "decimal": decimal,
            "thousands": "." if decimal == "," else ",",
            "grouping": [3],
            "currency": ["", ""],
        },
        "time": {
            "dateTime": "%x %X",
            "date": "%d/%m/%Y",
            "time": "%H:%M:%S",
            "periods": ["AM", "PM"],
            "days": [days["wide"][i] for i in sunday_first],
            "shortDays": [days["abbreviated"][i] for i in sunday_first],
            "months": [months["wide"][i] for i in range(1, 13)],
            "shortMonths": [months["abbreviated"][i] for i in range(1, 13)],
        },
    }


def _fit(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Stretch to the page's width, keeping the height (Streamlit squashes "fit" charts)."""
    return chart.properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


def _base(data: pd.DataFrame) -> alt.Chart:
    return alt.Chart(data).properties(width="container", height=HEIGHT)


def daily(nights: pd.DataFrame, start=None, end=None) -> pd.DataFrame:  # noqa: ANN001
    """One row per calendar day from start to end; days not logged have logged=False."""
    nights = nights.copy()
    nights["night"] = pd.to_datetime(nights["night"])
    first = pd.Timestamp(start) if start is not None else nights["night"].min()
    last = pd.Timestamp(end) if end is not None else nights["night"].max()
    if pd.isna(first) or pd.isna(last):
        return nights.assign(logged=pd.Series(dtype=bool))
    days = pd.DataFrame({"night": pd.date_range(first, last, freq="D")})
    wanted = ["night", "cramps", "gestational_days", *HABIT_COLUMNS]
    frame = days.merge(nights[[c for c in wanted if c in nights]], on="night", how="left")
    frame["logged"] = frame["cramps"].notna()
    return frame


HABIT_COLUMNS = ("water_ml", "stretch_min", "active_min", "magnesium_mg")

# A period longer than this is drawn week by week (longer than MONTHS_FROM: month by month):
# a point per night for years is thousands of marks no one can tell apart, and slow to draw.
WEEKS_FROM, MONTHS_FROM = 366, 5 * 366


def bucket_for(days: int) -> str | None:
    """None (night by night), "W" (weeks) or "MS" (months) for a period of that many days."""
    return None if days <= WEEKS_FROM else "W" if days <= MONTHS_FROM else "MS"


def buckets(frame: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Days of daily() grouped into weeks (from Monday) or months: each bucket's start and end,
    cramps and habits as the average of the nights logged in it (missing when none were)."""
    period = frame["night"].dt.to_period("W-SUN" if freq == "W" else "M")
    grouped = frame.assign(bucket=period.dt.start_time).groupby("bucket", sort=True)
    columns = ["cramps", *[c for c in HABIT_COLUMNS if c in frame]]
    out = grouped[columns].mean().reset_index().rename(columns={"bucket": "night"})
    out["nights_logged"] = grouped["logged"].sum().to_numpy()
    out["until"] = (period.dt.end_time.groupby(period.dt.start_time).max().dt.normalize()
                    + pd.Timedelta(days=1)).to_numpy()  # fmt: skip
    out["night"] = out["night"].clip(lower=frame["night"].min())  # the period's first day
    out["logged"] = out["nights_logged"] > 0
    return out


def _x(by: str, bucket: str | None = None) -> alt.X:
    if by == "week":
        # Whole weeks only: "32.4" is not a week anyone counts in.
        return (
            alt.X("week:Q").title(_(WEEK_TITLE)).scale(zero=False).axis(tickMinStep=1, format="d")
        )
    # Over more than a year a date needs its year ("01 Jan" would come round again).
    return alt.X("night:T").title(None).axis(format="%b %Y" if bucket else "%d %b")


def week_ticks(first: float, last: float, most: int = 12) -> list[int]:
    """Whole weeks of pregnancy covering first to last, for an axis: every week, or every 2nd,
    3rd... when there would be more than `most` ticks (a tick at each half week printed as
    "28 29 29 30 30")."""
    low, high = math.floor(first), max(math.ceil(last), math.floor(first) + 1)
    step = math.ceil((high - low) / most)
    ticks = list(range(low, high + 1, step))
    return ticks if ticks[-1] >= high else [*ticks, ticks[-1] + step]


def _on_whole_weeks(x: alt.X, first: float, last: float) -> alt.X:
    """The week axis x from the start of week `first` to the end of week `last`, ticked at
    whole weeks only: each week's marks sit between its own tick and the next."""
    ticks = week_ticks(first, math.floor(last) + 1)
    return x.scale(domain=[ticks[0], ticks[-1]], nice=False, zero=False).axis(
        values=ticks, format="d"
    )


def _on_whole_days(x: alt.X, first: pd.Timestamp, last: pd.Timestamp) -> alt.X:
    """The date axis x from half a day before the first night to half a day after the last,
    a tick under each night's marks when there are few ("04 Dec 04 Dec 05 Dec" otherwise)."""
    half = pd.Timedelta(hours=12)
    daily = (last - first).days < DAY_TICKS_UNTIL
    return x.scale(domain=[(first - half).isoformat(), (last + half).isoformat()]).axis(
        format="%d %b", **({"tickCount": {"interval": "day", "step": 1}} if daily else {})
    )


def _with_week(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the week of pregnancy, also for unlogged days (it moves in step with the date)."""
    frame = frame.copy()
    days = frame["gestational_days"].astype("Float64")
    epoch = (pd.to_datetime(frame["night"]) - pd.Timestamp("2000-01-01")).dt.days
    offset = (days - epoch).dropna()
    if not offset.empty:  # fill only between known pregnant nights, never past the birth
        filled = (epoch + offset.iloc[0]).astype("Float64")
        inside = filled.between(days.min(), days.max())
        days = days.fillna(filled.where(inside))
    frame["week"] = days / 7
    return frame


def _trimester_layers(first_week: float, last_week: float) -> tuple[alt.Chart, alt.Chart]:
    """Shaded trimester bands, and their labels just above the plot (where no mark can hide
    them; the chart's title needs TITLE_ABOVE_BANDS of offset to leave them room)."""
    names = [_("1st trimester"), _("2nd trimester"), _("3rd trimester")]
    bands = pd.DataFrame({"start": [0, 14, 28], "end": [14, 28, 43], "trimester": names})
    bands["start"] = bands["start"].clip(lower=first_week)
    bands["end"] = bands["end"].clip(upper=last_week)
    bands = bands[bands["start"] < bands["end"]]
    rect = (
        alt.Chart(bands)
        .mark_rect(opacity=0.08)
        .encode(
            alt.X("start:Q"),
            alt.X2("end"),
            color=alt.Color("trimester:N").scale(range=[GREEN, ORANGE, PINK]).legend(None),
        )
    )
    label = (
        alt.Chart(bands)
        .mark_text(align="left", baseline="bottom", dx=3, dy=-3, color="#666", fontSize=11)
        .encode(alt.X("start:Q"), alt.YValue(0), alt.Text("trimester:N"))
    )
    return rect, label


def trimester_bands(first_week: float, last_week: float) -> alt.Chart:
    """Shaded 2nd/3rd trimester bands with labels, for a week-of-pregnancy axis."""
    rect, label = _trimester_layers(first_week, last_week)
    return rect + label


DAY_TICKS_UNTIL = 14  # nights drawn with a tick each; more are ticked as Vega-Lite sees fit


def _rolling_segments(frame: pd.DataFrame) -> pd.DataFrame:
    """A 7-day rolling mean of logged nights (of MIN_NIGHTS_FOR_RATE or more of the 7), split
    into segments where data is missing."""
    frame = frame.copy()
    rolling = frame["cramps"].astype("Float64").rolling(7, min_periods=MIN_NIGHTS_FOR_RATE)
    frame["rolling"] = rolling.mean()
    missing = frame["rolling"].isna()
    frame["segment"] = missing.cumsum()
    return frame[~missing]


def _timeline(days: pd.DataFrame, by: str, bucket: str | None) -> pd.DataFrame:
    """The rows a time chart draws from daily(): by week of pregnancy, by week or month
    (bucket), or night by night, each with where it ends on a date axis ("until")."""
    if by == "week":
        return _with_week(days).dropna(subset=["week"])
    if bucket:
        return buckets(days, bucket)
    return days.assign(until=days["night"] + pd.Timedelta(days=1))


# The per-night chart's words, night by night or for a week's or a month's average night.
_TIMELINE_WORDS = {
    "night": {
        "from": N_("Night"),
        "average": N_("7-night average"),
        "title": N_("Cramps per night"),
        "subtitle": N_("Orange: 7-night average"),
    },
    "week": {
        "from": N_("Week from"),
        "average": N_("7-week average"),
        "title": N_("Cramps per night, week by week"),
        "subtitle": N_("Orange: 7-week average"),
    },
    "month": {
        "from": N_("Month from"),
        "average": N_("7-month average"),
        "title": N_("Cramps per night, month by month"),
        "subtitle": N_("Orange: 7-month average"),
    },
}


def cramps_per_night(
    nights: pd.DataFrame,
    by: str = "date",
    start=None,  # noqa: ANN001
    end=None,  # noqa: ANN001
    bucket: str | None = None,
) -> alt.Chart:
    """Cramps each logged night, a 7-night rolling mean, and unlogged nights shaded; with a
    bucket ("W", "MS"; by date only), the average night of each week or month instead."""
    days = daily(nights, start, end)
    said = chart_words.cramps_per_night(days)  # said of the nights themselves
    frame = _timeline(days, by, bucket)
    frame["status"] = frame["logged"].map({True: _("logged"), False: _("not logged")})
    x = _x(by, bucket)
    unit = {"W": "week", "MS": "month"}.get(bucket or "", "night")
    words = _TIMELINE_WORDS[unit]
    tooltip = [
        alt.Tooltip("night:T", title=_(words["from"]), format="%a %d %b %Y"),
        alt.Tooltip("cramps:Q", title=_("Cramps") if unit == "night" else _("Cramps a night"),
                    format="" if unit == "night" else ".1f"),
        alt.Tooltip("status:N", title=_("Status")),
    ]  # fmt: skip
    gap_frame = frame[~frame["logged"]].assign(
        until=lambda f: f["night"] + pd.Timedelta(days=1) if by == "week" else f["until"],
        week_end=lambda f: f["week"] + 1 / 7 if by == "week" else None,
    )
    gap_x, gap_x2, extent = x, alt.X2("week_end" if by == "week" else "until"), None
    if by == "date" and not bucket and not frame.empty:
        # Night by night, a night is the day centred on its date's tick (as its grey when not
        # logged), the axis from half a day before the first to half a day after the last: a
        # few nights fill the chart, none sits on its edge, and "04 Dec" is under 4 Dec's point.
        half = pd.Timedelta(hours=12)
        first, last = frame["night"].min(), frame["night"].max()
        daily_ticks = {"tickCount": {"interval": "day", "step": 1}}  # not "04 Dec 04 Dec"
        axis = alt.Axis(format="%d %b", **(daily_ticks if len(frame) <= DAY_TICKS_UNTIL else {}))
        gap_frame = gap_frame.assign(
            left=gap_frame["night"] - half, right=gap_frame["until"] - half
        )
        # The axis's extent is an unseen day-span of its own (an explicit scale domain in the
        # layers was merged by Vega-Lite into a broken one, with warnings).
        span = pd.DataFrame({"left": [first - half], "right": [last + half]})
        extent = _base(span).mark_rect(opacity=0).encode(alt.X("left:T"), alt.X2("right"))
        gap_x, gap_x2 = alt.X("left:T", title=None, axis=axis), alt.X2("right")
        x = alt.X("night:T", title=None, axis=axis)
    gaps = (
        _base(gap_frame)
        .mark_rect(color=GAP, opacity=0.7)
        .encode(gap_x, gap_x2, alt.YValue(0), alt.Y2Value(HEIGHT), tooltip=tooltip)
    )
    points = (
        _base(frame[frame["logged"]])
        .mark_circle(size=40, color=BLUE, opacity=0.7)
        .encode(
            x, alt.Y("cramps:Q").title(_("Cramps per night")).axis(tickMinStep=1), tooltip=tooltip
        )
    )
    rolling = _rolling_segments(frame)
    line = (
        _base(rolling)
        .mark_line(color=ORANGE, strokeWidth=2.5)
        .encode(
            x,
            alt.Y("rolling:Q"),
            alt.Detail("segment:N"),
            tooltip=[
                alt.Tooltip("night:T", title=_("Night"), format="%d %b %Y"),
                alt.Tooltip("rolling:Q", title=_(words["average"]), format=".1f"),
            ],
        )
    )
    layers = [gaps, points, line] if extent is None else [extent, gaps, points, line]
    if by == "week" and not frame.empty:
        rect, label = _trimester_layers(frame["week"].min(), frame["week"].max())
        layers = [rect, *layers, label]
    # The title names the orange line only when there is one: it needs 4 of 7 nights logged.
    # The orange line is named on a line of its own (in a longer language the title in one line
    # was cut short on a phone).
    title = alt.TitleParams(
        _(words["title"]),
        **({} if rolling.empty else {"subtitle": _(words["subtitle"])}),
        **({"offset": TITLE_ABOVE_BANDS} if by == "week" else {}),
    )
    return _fit(alt.layer(*layers).properties(title=title, description=said))


def weekly_rates(nights: pd.DataFrame) -> pd.DataFrame:
    """Cramps per week for each gestational week, scaled by the nights actually logged."""
    frame = nights.dropna(subset=["gestational_days"]).copy()
    frame["week"] = (frame["gestational_days"] // 7).astype(int)
    weekly = frame.groupby("week").agg(nights=("cramps", "size"), cramps=("cramps", "sum"))
    weekly["per_week"] = weekly["cramps"] / weekly["nights"] * 7
    return weekly.reset_index()


def cramps_per_week(nights: pd.DataFrame) -> alt.Chart:
    """Cramps per week by gestational week, with trimester bands."""
    weekly = weekly_rates(nights)
    # Week 32 is the nights 32+0 to 32+6: its bar spans that stretch of the axis, as the
    # nights do on the cramps-per-night chart.
    weekly = weekly.assign(left=weekly["week"] + 0.1, right=weekly["week"] + 0.9)
    # A week with fewer nights logged than a rate needs is only outlined: one night's cramps
    # times seven is not a week anyone had, and a full bar would look as certain as the rest.
    weekly["few"] = weekly["nights"] < MIN_NIGHTS_FOR_RATE
    x = alt.X("left:Q").title(_(WEEK_TITLE)).scale(zero=False).axis(tickMinStep=1, format="d")
    if not weekly.empty:
        x = _on_whole_weeks(x, weekly["week"].min(), weekly["week"].max())
    bars = (
        alt.Chart(weekly)
        .mark_bar(color=BLUE, stroke=BLUE, strokeWidth=1.5)
        .encode(
            x,
            alt.X2("right:Q"),
            alt.Y("per_week:Q").title(_("Cramps per week")),
            alt.Y2Datum(0),  # ranged bars need their base said explicitly
            fillOpacity=alt.condition("datum.few", alt.value(0), alt.value(1)),
            tooltip=[
                alt.Tooltip("week:Q", title=_("Week")),
                alt.Tooltip("nights:Q", title=_("Nights logged")),
                alt.Tooltip("cramps:Q", title=_("Cramps")),
                alt.Tooltip("per_week:Q", title=_("Cramps per week"), format=".1f"),
            ],
        )
    )
    layers = [bars]
    if not weekly.empty:
        rect, label = _trimester_layers(weekly["week"].min(), weekly["week"].max() + 1)
        layers = [rect, bars, label]
    return _fit(
        alt.layer(*layers)
        .properties(width="container", height=HEIGHT)
        .properties(
            title=alt.TitleParams(
                _("Cramps per week"),
                subtitle=_("Per 7 nights logged"),
                offset=TITLE_ABOVE_BANDS,
            ),
            description=chart_words.cramps_per_week(weekly),
        )
    )


def severity_and_duration(
    cramps: pd.DataFrame, nights: pd.DataFrame, by: str = "date"
) -> alt.Chart:
    """Each cramp's severity and duration over time."""
    frame = cramps[["night", "severity", "duration_min"]].copy()
    frame["night"] = pd.to_datetime(frame["night"])
    if by == "week":
        days = nights[["night", "gestational_days"]].copy()
        days["night"] = pd.to_datetime(days["night"])
        frame = _with_week(frame.merge(days, on="night", how="left")).dropna(subset=["week"])
    tooltip = [
        alt.Tooltip("night:T", title=_("Night"), format="%a %d %b %Y"),
        alt.Tooltip("severity:Q", title=_("Severity (0-10)")),
        alt.Tooltip("duration_min:Q", title=_("Minutes"), format=".1f"),
    ]
    x = _x(by)
    if by == "week" and not frame.empty:
        x = _on_whole_weeks(x, frame["week"].min(), frame["week"].max())
    elif not frame.empty:
        x = _on_whole_days(x, frame["night"].min(), frame["night"].max())
    severity = (
        _base(frame.dropna(subset=["severity"]))
        .mark_circle(
            color=SEVERITY_DOT,
            fillOpacity=SEVERITY_FILL_OPACITY,
            stroke=SEVERITY_DOT,
            strokeWidth=1,
            strokeOpacity=1,
        )
        .encode(
            x,
            alt.Y("severity:Q").title(_("Severity (0-10)")).scale(domain=[0, 10]),
            tooltip=tooltip,
        )
        .properties(title=_("How bad each cramp was"), height=160)
    )
    duration = (
        _base(frame.dropna(subset=["duration_min"]))
        .mark_circle(color=GREEN, opacity=0.6)
        .encode(x, alt.Y("duration_min:Q").title(_("Minutes")), tooltip=tooltip)
        .properties(title=_("How long each cramp lasted"), height=160)
    )
    return alt.vconcat(severity, duration).properties(
        description=chart_words.severity_and_duration(frame)
    )


def night_hour(times: pd.Series) -> pd.Series:
    """The hour of each cramp counted from 6 pm, so a night reads left to right."""
    hours = pd.Series(
        [t.hour if t is not None and not pd.isna(t) else None for t in times],
        index=times.index,
        dtype="Float64",
    )
    return (hours - 18) % 24


HOUR_LABELS = [f"{(h + 18) % 24:02d}:00" for h in range(24)]


def time_of_night(cramps: pd.DataFrame) -> alt.Chart:
    """How many cramps started in each hour of the night."""
    frame = cramps.assign(slot=night_hour(cramps["time"])).dropna(subset=["slot"])
    counts = frame.groupby("slot").size().rename("cramps").reset_index()
    counts["hour"] = counts["slot"].astype(int).map(lambda s: HOUR_LABELS[s])
    return _fit(
        alt.Chart(counts)
        .mark_bar(color=BLUE)
        .encode(
            alt.X("hour:O").sort(HOUR_LABELS).title(_("Time of night")).axis(labelAngle=-45),
            alt.Y("cramps:Q").title(_("Cramps")).axis(tickMinStep=1),
            tooltip=[
                alt.Tooltip("hour:O", title=_("Hour")),
                alt.Tooltip("cramps:Q", title=_("Cramps")),
            ],
        )
        .properties(
            width="container",
            height=HEIGHT,
            title=_("When cramps start"),
            description=chart_words.time_of_night(counts),
        )
    )


# The journal's codes for where a cramp was, as she reads them (the Last night page's words).
LEG_WORDS = {"left": N_("left"), "right": N_("right"), "both": N_("both")}
MUSCLE_WORDS = {"calf": N_("calf"), "foot": N_("foot"), "thigh": N_("thigh"), "shin": N_("shin")}
MUSCLE_WORDS["other"] = N_("other")


def _said(code: str) -> str:
    """A leg or muscle code in her words (anything else as it is)."""
    words = LEG_WORDS.get(code) or MUSCLE_WORDS.get(code)
    return _(words) if words else code


def where(cramps: pd.DataFrame) -> alt.Chart:
    """Cramps by muscle, split by leg."""
    unknown = _("not recorded")
    frame = pd.DataFrame(
        {  # the journal's codes in her words (a muscle or leg she typed herself stays as typed)
            "muscle": cramps["muscle"].map(_said, na_action="ignore").fillna(unknown),
            "leg": cramps["leg"].map(_said, na_action="ignore").fillna(unknown),
        }
    )
    counts = frame.groupby(["muscle", "leg"]).size().rename("cramps").reset_index()
    # Each leg keeps its colour; the legend names only those drawn (four were cut on a phone).
    named = [*(_(words) for words in LEG_WORDS.values()), unknown]
    drawn = set(counts["leg"])
    legs = {
        leg: c for leg, c in zip(named, [BLUE, ORANGE, GREEN, GAP], strict=True) if leg in drawn
    }
    return _fit(
        alt.Chart(counts)
        .mark_bar()
        .encode(
            alt.Y("muscle:N").title(None).sort("-x"),
            alt.X("cramps:Q").title(_("Cramps")).axis(tickMinStep=1),
            alt.Color("leg:N")
            .title(_("Leg"))
            .scale(domain=list(legs), range=list(legs.values()))
            .legend(orient="bottom", columns=2 if len(legs) > 3 else len(legs) or 1),  # noqa: PLR2004
            tooltip=[
                alt.Tooltip("muscle:N", title=_("Muscle")),
                alt.Tooltip("leg:N", title=_("Leg")),
                alt.Tooltip("cramps:Q", title=_("Cramps")),
            ],
        )
        .properties(
            width="container",
            height=160,
            title=_("Where: muscle and leg"),
            description=chart_words.where(counts),
        )
    )


HABIT_LABELS = {  # said as _(label)
    "cramps": N_("Cramps"),
    "water_ml": N_("Water (ml)"),
    "stretch_min": N_("Stretching (min)"),
    "active_min": N_("Activity (min)"),
    "magnesium_mg": N_("Magnesium (mg)"),
}


HABIT_COLOURS = (BLUE, OKABE_ITO[4], GREEN, ORANGE, PINK)
HABIT_ROW_HEIGHT, HABIT_GAP = 70, 30  # the gap keeps each title nearer its own row


def habits(
    nights: pd.DataFrame,
    by: str = "date",
    start=None,  # noqa: ANN001
    end=None,  # noqa: ANN001
    bucket: str | None = None,
) -> alt.Chart:
    """Cramps lined up with the day before's water, stretching and magnesium; with a bucket
    ("W", "MS"; by date only), each week's or month's average instead of each night."""
    frame = _timeline(daily(nights, start, end), by, bucket)
    key = "week" if by == "week" else "night"
    long = frame.melt(
        id_vars=[key, "night"] if key == "week" else ["night", "until"],
        value_vars=[column for column in HABIT_LABELS if column in frame],
        var_name="measure",
        value_name="value",
    )
    long = long.dropna(subset=["value"])  # not recorded: no bar, never zero
    labels = {key: _(label) for key, label in HABIT_LABELS.items()}
    long["measure"] = long["measure"].map(labels)
    long["value"] = long["value"].astype(float)
    # Each bar spans its day (or week, or month), so bars keep their width on either axis.
    if by == "week":
        long["until"] = long["night"] + pd.Timedelta(days=1)
        long["week_end"] = long["week"] + 1 / 7
    tooltip = [
        alt.Tooltip("night:T", title=_("Night"), format="%a %d %b %Y"),
        alt.Tooltip("measure:N", title=_("What")),
        alt.Tooltip("value:Q", title=_("Value")),
    ]
    # One stretched row per measure (a facet cannot stretch to the page's width). The data is
    # given once, to the whole chart; channels are built once (Altair's builders are slow).
    x, x2 = _x(by, bucket), alt.X2("week_end" if by == "week" else "until")
    hidden_x = _x(by).axis(None)  # only the bottom row shows the dates or weeks
    y = alt.Y("value:Q").title(None).axis(tickCount=3)
    # Each row's title sits just above its own plot (offset 2) with a wide gap above it, so
    # it reads as that row's label, not as a caption of the row before.
    last_row = len(labels) - 1
    rows = [
        alt.Chart()
        .transform_filter(alt.datum.measure == label)
        .mark_bar(color=colour)
        .encode(x if i == last_row else hidden_x, x2, y, alt.Y2Datum(0), tooltip=tooltip)
        .properties(
            width="container",
            height=HABIT_ROW_HEIGHT,
            title=alt.TitleParams(
                label, fontSize=11, fontWeight="bold", anchor="start", offset=2, frame="group"
            ),
        )
        for i, (label, colour) in enumerate(zip(labels.values(), HABIT_COLOURS, strict=True))
    ]
    return (
        alt.vconcat(*rows, data=long, spacing=HABIT_GAP)
        .resolve_scale(x="shared")
        .properties(
            title=alt.TitleParams(_("Habits the day before, and cramps"), offset=8),
            description=chart_words.habits(long, labels),
        )
    )


def week_days() -> list[str]:
    """Monday to Sunday, short, in her language: Mon ... Sun, lun ... dom."""
    import datetime as dt

    monday = dt.date(2024, 1, 1)
    return [language.date(monday + dt.timedelta(days=i), "EEE") for i in range(7)]


def calendar(nights: pd.DataFrame, start=None, end=None) -> alt.Chart:  # noqa: ANN001
    """A calendar of nights: one square a night, darker for more cramps, grey when not logged."""
    frame = daily(nights, start, end)
    frame["week_of"] = frame["night"] - pd.to_timedelta(frame["night"].dt.day_of_week, unit="D")
    days = week_days()
    frame["day"] = frame["night"].dt.day_of_week.map(lambda i: days[i])
    frame["status"] = frame["logged"].map({True: _("logged"), False: _("not logged")})
    tooltip = [
        alt.Tooltip("night:T", title=_("Night"), format="%a %d %b %Y"),
        alt.Tooltip("cramps:Q", title=_("Cramps")),
        alt.Tooltip("status:N", title=_("Status")),
    ]
    x = alt.X("yearmonthdate(week_of):O").title(None).axis(format="%d %b", labelAngle=-45)
    y = alt.Y("day:O").sort(days).title(None)
    empty = (
        _base(frame[~frame["logged"]])
        .mark_rect(color=GAP, stroke="white")
        .encode(x, y, tooltip=tooltip)
    )
    logged = (
        _base(frame[frame["logged"]])
        .mark_rect(stroke=CALENDAR_EDGE, strokeWidth=1)
        .encode(
            x,
            y,
            alt.Color("cramps:Q")
            .title(_("Cramps"))
            .scale(range=CALENDAR_RAMP, domainMin=0, interpolate="hcl"),
            tooltip=tooltip,
        )
    )
    return _fit(
        alt.layer(empty, logged).properties(
            height=180,
            title=_("Every night (grey: not logged)"),
            description=chart_words.calendar(frame),
        )
    )
