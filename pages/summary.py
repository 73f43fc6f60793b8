"""Summary: one page for her appointment, with her questions, and every export of the journal.

Her questions are kept for this browser session only (persist_state="session"), not in the
journal: they belong to one appointment and go into the PDF she downloads.
"""

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from tracker.app import web
from tracker.care.safety import PAST_SIGNS_ADVICE, red_flag_label
from tracker.exchange.backup_json import export_json
from tracker.exchange.diary_csv import encode_diary, export_diary
from tracker.exchange.fhir import export_fhir
from tracker.exchange.reminder import reminder_ics
from tracker.exchange.report import appointment_pdf
from tracker.exchange.report_data import PAPERS, day_text, default_period, headline_numbers
from tracker.insights.summary import summarise
from tracker.insights.wording import CAVEATS, describe, topic
from tracker.journal.models import Profile
from tracker.journal.store import get_profile, iter_nights, save_profile

web.ensure_router()

ss = st.session_state
P = "su_"  # every widget and state key on this page starts with this
today = dt.date.today()
last_night = today - dt.timedelta(days=1)
WEEKS = {"Last 4 weeks": 4, "Last 8 weeks": 8, "Last 12 weeks": 12}
SINCE, CUSTOM = "Since my last appointment", "Choose dates"
MIME = {
    ".pdf": "application/pdf",
    ".csv": "text/csv",
    ".json": "application/json",
    ".ics": "text/calendar",
}


def keep_questions() -> None:
    """Copy her questions where the PDF, made in another thread, reads them.

    Typing does not rerun the page (on_change="ignore"): a rerun between typing and pressing
    the PDF button would revoke the button's file before it is fetched. Pressing it reruns
    the page with her text, and this runs first in that rerun while the PDF is being made;
    appointment_pdf reads the questions last, so what she just typed is in.
    """
    ss.setdefault(P + "live", {})["questions"] = ss.get(P + "questions") or ""


def since_possible(appointment: dt.date | None) -> bool:
    """Whether "since my last appointment" covers any night yet."""
    return appointment is not None and appointment <= last_night


def save_appointment() -> None:
    """Store the appointment date she picked (Settings shows the same date) and use it."""
    appointment = ss[P + "appt"]
    try:
        with web.session(writing=True) as s:
            profile = get_profile(session=s)
            profile.last_appointment = appointment
            save_profile(session=s, profile=profile)
    except SQLAlchemyError as exc:
        web.log.error("saving the appointment date failed: %s", type(exc).__name__)
        ss[P + "problem"] = web.UNAVAILABLE
        return
    ss[P + "period"] = SINCE if since_possible(appointment) else next(iter(WEEKS))


def choose_period(profile: Profile) -> tuple[dt.date, dt.date]:
    """The nights the summary covers: since the appointment by default, else 4 weeks."""
    appointment = profile.last_appointment
    choices = [SINCE] * since_possible(appointment) + [*WEEKS, CUSTOM]
    choice = st.segmented_control(
        "Nights to include", choices, default=choices[0], required=True, key=P + "period"
    )
    if choice == SINCE:
        return appointment, last_night
    if choice in WEEKS:
        return last_night - dt.timedelta(days=7 * WEEKS[choice] - 1), last_night
    start, end = default_period(profile, last_night)
    picked = st.date_input(
        "From - to", value=(start, end), max_value=last_night, key=P + "custom", format="DD/MM/YYYY"
    )
    return (picked[0], picked[-1]) if picked else (start, end)


def preview(start: dt.date, end: dt.date) -> None:
    """What the PDF will show: warning signs first, the numbers, the comparisons."""
    summary = summarise(session_or_engine=engine, start=start, end=end)
    st.caption(f"Nights {day_text(start)} to {day_text(end)}: {summary.nights_logged} logged.")
    if summary.red_flag_nights:
        nights = "\n".join(
            f"- {day_text(r.night)}: " + "; ".join(red_flag_label(c) for c in r.flags)
            for r in summary.red_flag_nights
        )
        st.warning(
            f"**Warning signs you noted (shown first in the PDF)**\n\n{nights}\n\n"
            + PAST_SIGNS_ADVICE,
            icon=":material/warning:",
        )
    numbers = headline_numbers(summary, start, end)
    for row in (numbers[:3], numbers[3:]):  # rows, so a phone shows them in reading order
        for col, number in zip(st.columns(3), row, strict=True):
            col.metric(number.label, number.value, help=number.detail, border=True)
    with st.expander("Your habits compared"):
        for item in (*summary.comparisons, *summary.before_after):
            said = [s for s in describe(item, summary.water_unit) if s not in CAVEATS]
            st.markdown(f"- **{topic(item)}.** " + " ".join(said))  # says "(whole diary)"
        st.caption(" ".join(CAVEATS))


def app_link() -> str | None:
    """The app's own address, for the reminder (None when it is not a web address)."""
    parts = urlsplit(st.context.url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else None


def download(
    key: str,
    label: str,
    data: Callable[[], bytes],
    name: str,
    icon: str,
    help_: str,
    primary: bool = False,
    rerun: bool = False,
) -> None:
    """A full-width button whose file is made only when she presses it."""
    st.download_button(
        label,
        data,
        file_name=name,
        mime=MIME[Path(name).suffix],
        icon=icon,
        help=help_,
        on_click="rerun" if rerun else "ignore",
        key=P + key,
        type="primary" if primary else "secondary",
        width="stretch",
    )


def pdf_download(start: dt.date, end: dt.date) -> None:
    """The summary PDF, with her latest questions and the paper size she chose."""
    live = ss[P + "live"]  # read when the PDF is made: her latest questions
    paper = st.segmented_control(
        "Paper size",
        PAPERS,
        default=PAPERS[0],
        required=True,
        key=P + "paper",
        persist_state="session",
    )

    def pdf() -> bytes:
        def questions() -> str:  # read last: a question typed just before pressing is in
            return live["questions"]

        return appointment_pdf(engine, start=start, end=end, questions=questions, paper=paper)

    download(
        "pdf",
        "Summary PDF",
        pdf,
        f"cramp-summary-{start}-to-{end}.pdf",
        ":material/picture_as_pdf:",
        "The page for your appointment.",
        primary=True,
        rerun=True,  # brings her latest questions to the server (see keep_questions)
    )


def journal_downloads() -> None:
    """The whole journal as the diary CSV, the JSON backup and a FHIR bundle."""
    stamp = today.isoformat()

    def diary() -> bytes:
        with Session(engine) as s:
            return encode_diary(export_diary(iter_nights(session=s)))

    st.caption("Every night you logged, to keep, or to share if you are asked for the details.")
    download(
        "csv",
        "Diary (CSV)",
        diary,
        f"cramp-diary-{stamp}.csv",
        ":material/table:",
        "Every night and cramp, one row per cramp, for a spreadsheet.",
    )
    download(
        "json",
        "Full backup (JSON)",
        lambda: export_json(engine).encode(),
        f"cramp-journal-{stamp}.json",
        ":material/save:",
        "Everything, to restore later with import.",
    )
    download(
        "fhir",
        "For clinical systems (FHIR)",
        lambda: export_fhir(engine).encode(),
        f"cramp-journal-{stamp}.fhir.json",
        ":material/medical_information:",
        "FHIR R4 observations, if your clinic asks for them.",
    )


def reminder_download() -> None:
    """A calendar file that reminds her every morning to log last night."""
    at = st.time_input("Remind me each morning at", value=dt.time(8, 0), key=P + "at")
    link = app_link()
    download(
        "ics",
        "Morning reminder (calendar)",
        lambda: reminder_ics(at=at, link=link),
        "cramp-journal-reminder.ics",
        ":material/alarm:",
        "Open it with your calendar: a reminder every morning to log last night.",
    )


# ---------------------------------------------------------------- the screen
keep_questions()  # first: the PDF being made in parallel waits for nothing else
st.title("Summary for your appointment")
st.caption(
    "One page for your midwife or doctor: any warning signs first, then your numbers, charts, "
    "habits and your questions."
)
engine = web.engine()
if problem := ss.pop(P + "problem", None):
    st.error(problem, icon=":material/error:")
profile = web.profile()

if P + "appt" not in ss:
    ss[P + "appt"] = profile.last_appointment
st.date_input(
    "Last appointment",
    value=None,
    max_value=today,
    key=P + "appt",
    format="DD/MM/YYYY",
    on_change=save_appointment,
    help="Saved straight away; Settings shows the same date.",
)
start, end = choose_period(profile)
st.text_area(
    "Questions for your midwife or doctor",
    key=P + "questions",
    persist_state="session",
    on_change="ignore",
    max_chars=1500,
    placeholder="One per line, e.g. Is it safe to keep taking magnesium?",
    help="They go into the PDF (about a dozen short questions fit). They stay here while the "
    "app is open but are not saved in your journal.",
)

pdf_download(start, end)

st.subheader("What the PDF shows")
preview(start, end)
st.subheader("Your whole journal")
journal_downloads()
st.subheader("Morning reminder")
reminder_download()
