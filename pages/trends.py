"""Trends: how cramps change over the weeks, and what her own data says about habits."""

import datetime as dt

import streamlit as st

from tracker.app import signin, web
from tracker.care import language
from tracker.care.language import N_, _, ngettext
from tracker.care.pregnancy import TERM_DAYS
from tracker.care.safety import PAST_SIGNS_ADVICE, red_flag_label
from tracker.insights.trends import (
    CHART_GROUPS,
    DEFAULT_PERIOD,
    EMPTY_GROUP,
    PERIODS,
    SHOW_BY,
    headline,
    period_of,
)
from tracker.insights.wording import CAVEATS, describe, explain, topic

web.ensure_router()

ss = st.session_state
profile = web.profile()
last_night = dt.date.today() - dt.timedelta(days=1)

signin.viewing_banner(_("Trends"))  # a clinician reading a shared journal: read-only
st.title(_("Trends"))

stamp, overall = web.journal_overall()
if overall.nights_logged == 0:
    st.info(
        _(
            "Nothing to show yet. Log each morning, including nights with no cramps: after a "
            "week or two your trends and comparisons appear here."
        ),
        icon=":material/bedtime:",
    )
    if not signin.read_only() and st.button(
        _("Log last night"), type="primary", icon=":material/edit_note:"
    ):
        st.switch_page("pages/last_night.py")
    st.stop()

choice = st.segmented_control(
    _("Period"),
    list(PERIODS),  # the codes; she reads each in her language
    format_func=_,
    default=DEFAULT_PERIOD,
    required=True,
    key="tr_period",
    persist_state="session",
)
custom = None
if choice == "Custom":
    custom = st.date_input(
        _("From - to"),
        value=(last_night - dt.timedelta(days=27), last_night),
        max_value=last_night,
        key="tr_custom",
        persist_state="session",
        format="DD/MM/YYYY",
    )
has_weeks = profile.due_date is not None
by = st.segmented_control(
    _("Show by"),
    SHOW_BY,
    format_func=_,
    default=SHOW_BY[0],
    required=True,
    key="tr_by",
    persist_state="session",
    disabled=not has_weeks,
    help=None if has_weeks else _("Set your due date in Settings to see weeks of pregnancy."),
)
shown = period_of(choice, by, custom, profile, overall.first_night, last_night)
start, end, axis = shown.start, shown.end, shown.axis

view = web.trends_view(stamp, start, end, compare_before=shown.compare_before)
summary, before = view.summary, view.before

day = _("dd MMM yyyy")  # a CLDR date pattern, for the translator: 07 Dec 2026
st.caption(
    _("{start} to {end}").format(start=language.date(start, day), end=language.date(end, day))
    if start
    else _("Every night you logged")
)
if summary.nights_logged == 0:
    st.info(_("No nights logged in this period. Try a longer one."), icon=":material/event_busy:")
    st.stop()

# ---------------------------------------------------------------- headline numbers
numbers = headline(summary, before, start, end, overall.first_night)
for row in (numbers[:2], numbers[2:]):  # rows, so a phone shows them in reading order
    for col, metric in zip(st.columns(2), row, strict=True):
        col.metric(
            metric.label,
            metric.value,
            metric.delta,
            delta_color=metric.color,  # fewer cramps green, more red, no change grey
            delta_arrow=metric.arrow,
            help=metric.help,
            border=True,
        )

if summary.red_flag_nights:
    lines = "\n".join(
        f"- {language.date(r.night, _('EEE dd MMM'))}: "
        + ", ".join(red_flag_label(c) for c in r.flags)
        for r in summary.red_flag_nights
    )
    flagged = len(summary.red_flag_nights)
    noted = ngettext(
        "You noted warning signs on {n} night in this period.",
        "You noted warning signs on {n} nights in this period.",
        flagged,
    ).format(n=flagged)
    st.warning(f"**{noted}**\n\n{lines}\n\n{_(PAST_SIGNS_ADVICE)}", icon=":material/warning:")

# ---------------------------------------------------------------- insights
st.subheader(_("What your own data says"))
# Before/after splits her whole journal at the first night with the habit, whatever the period.
insights = (*summary.comparisons, *overall.before_after)
for item in insights:
    said = [s for s in describe(item, profile.water_unit) if s not in CAVEATS]
    st.markdown(f"**{topic(item)}.** " + " ".join(said))
# The exact and adjusted figures of each, in one place, drawn only when she opens it: one
# expander under each paragraph was a long scroll on a phone and a tenth of the page's time.
how = st.expander(_("How these are worked out"), key="tr_how", on_change="rerun")
if how.open:
    with how:
        for item in insights:
            st.markdown(f"**{topic(item)}.** " + " ".join(explain(item, profile.water_unit)))
st.caption(" ".join(CAVEATS))

# ---------------------------------------------------------------- charts
st.subheader(_("Charts"))
# A tab a group: only the open one is built and drawn (on_change="rerun" makes .open known).
for group, tab in zip(
    CHART_GROUPS,
    st.tabs([_(g) for g in CHART_GROUPS], key="tr_charts", on_change="rerun"),
    strict=True,
):
    if not tab.open:
        continue
    with tab:
        specs = web.trends_charts(stamp, start, end, axis, group)
        if not specs:
            st.info(_(EMPTY_GROUP.get(group, N_("Nothing to draw for this period."))))
        for spec in specs:
            st.vega_lite_chart(spec, width="stretch")
            if spec.get("description"):  # the chart in words, for screen readers and everyone
                st.caption(spec["description"])
st.caption(
    _(
        "Grey marks nights that were not logged: they are unknown, not zero. Week of pregnancy "
        "counts from {days} days ({weeks} weeks) before your due date."
    ).format(days=TERM_DAYS, weeks=TERM_DAYS // 7)
)
