"""Summary: one page for her appointment, with her questions, and every export of the journal.

Her questions are kept for this browser session only (persist_state="session"), not in the
journal: they belong to one appointment and go into the PDF she downloads. The PDF is in the
language she chooses for it (her own by default: the clinician's may differ).
"""

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from tracker.app import signin, web
from tracker.care import language
from tracker.care.language import N_, _
from tracker.care.safety import PAST_SIGNS_ADVICE, red_flag_label
from tracker.exchange.backup_json import export_json
from tracker.exchange.diary_csv import encode_diary, export_diary
from tracker.exchange.fhir import export_fhir
from tracker.exchange.reminder import reminder_ics
from tracker.exchange.report import appointment_pdf
from tracker.exchange.report_data import (
    PAPERS,
    QUESTIONS_MAX_CHARS,
    day_text,
    default_period,
    headline_numbers,
)
from tracker.insights.summary import summarise
from tracker.insights.wording import CAVEATS, describe, topic
from tracker.journal.models import Profile
from tracker.journal.store import get_profile, iter_nights, save_profile

web.ensure_router()

ss = st.session_state
P = "su_"  # every widget and state key on this page starts with this
today = dt.date.today()
last_night = today - dt.timedelta(days=1)
# The choices' values stay these English names (the page's state); she reads them in her
# language through format_func=_.
WEEKS = {N_("Last 4 weeks"): 4, N_("Last 8 weeks"): 8, N_("Last 12 weeks"): 12}
SINCE, CUSTOM = N_("Since my last appointment"), N_("Choose dates")
MIME = {
    ".pdf": "application/pdf",
    ".csv": "text/csv",
    ".json": "application/json",
    ".ics": "text/calendar",
}
# The app's own constant CSS for this page (never anything she typed): Streamlit draws a
# segmented control's options 1 px into each other (7 px apart; taps need 8), and the reminder's
# time field as one 44 px field like the date fields.
SUMMARY_CSS = """<style>
.st-key-su_period button, .st-key-su_paper button, .st-key-su_pdf_language button {
  margin-right: 0 !important;
}
.st-key-su_at [role="group"] { min-height: 44px; align-items: center; }
</style>"""


def keep_questions() -> None:
    """Copy her questions where the PDF, made in another thread, reads them.

    Typing does not rerun the page (on_change="ignore"): a rerun between typing and pressing
    the PDF button would revoke the button's file before it is fetched. Pressing it reruns
    the page with her text, and this runs first in that rerun while the PDF is being made;
    appointment_pdf reads the questions last, so what she just typed is in.
    """
    text = ss.get(P + "questions") or ""
    live = ss.setdefault(P + "live", {})
    # Longer than the PDF takes (pasted, or megabytes from a client): kept in the box, where
    # she is told to shorten it, and never handed to the PDF (appointment_pdf refuses it too).
    # Not the box's max_chars: Streamlit would cut her text there without a word.
    live["too_long"] = len(text) > QUESTIONS_MAX_CHARS
    live["questions"] = "" if live["too_long"] else text


def questions_too_long() -> str | None:
    """What to fix when her questions are longer than the PDF takes, else None."""
    text = ss.get(P + "questions") or ""
    if len(text) <= QUESTIONS_MAX_CHARS:
        return None
    return _(
        "Your questions are {length} characters long, and the PDF has room for {most}. Please "
        "shorten them, then make the PDF."
    ).format(length=language.count(len(text)), most=language.count(QUESTIONS_MAX_CHARS))


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
        ss[P + "appt_outcome"] = ("error", web.UNAVAILABLE)
        return
    ss[P + "period"] = SINCE if since_possible(appointment) else next(iter(WEEKS))
    said = (
        _("Last appointment saved: {day}. Settings shows the same date.").format(
            day=day_text(appointment)
        )
        if appointment
        else _("Last appointment cleared. Settings shows the same date.")
    )
    ss[P + "appt_outcome"] = ("success", said)


def outcome(key: str) -> None:
    """What happened to her last tap, right under what she tapped and as a toast (on a phone
    the top of the page is off screen by then)."""
    if result := ss.pop(P + key, None):
        kind, text = result
        icon = ":material/check_circle:" if kind == "success" else ":material/error:"
        (st.success if kind == "success" else st.error)(text, icon=icon)
        st.toast(text, icon=icon)


def choose_period(profile: Profile) -> tuple[dt.date, dt.date] | None:
    """The nights the summary covers: since the appointment by default, else 4 weeks; None
    (said beside the dates) when the chosen dates run backwards."""
    appointment = profile.last_appointment
    choices = [SINCE] * since_possible(appointment) + [*WEEKS, CUSTOM]
    choice = st.segmented_control(
        _("Nights to include"),
        choices,
        format_func=_,
        default=choices[0],
        required=True,
        key=P + "period",
    )
    if choice == SINCE:
        return appointment, last_night
    if choice in WEEKS:
        return last_night - dt.timedelta(days=7 * WEEKS[choice] - 1), last_night
    start, end = default_period(profile, last_night)
    picked = st.date_input(
        _("From - to"),
        value=(start, end),
        max_value=last_night,
        key=P + "custom",
        format="DD/MM/YYYY",
    )
    if not picked:
        return start, end
    first, last = picked[0], picked[-1]
    if first > last:  # the calendar cannot pick this, but a client can send it
        st.error(
            _(
                "These dates run backwards: {first} is after {last}. Choose the earlier date "
                "first, then the later one."
            ).format(first=day_text(first), last=day_text(last)),
            icon=":material/error:",
        )
        return None
    return first, last


def preview(start: dt.date, end: dt.date) -> None:
    """What the PDF will show: warning signs first, the numbers, the comparisons."""
    summary = summarise(session_or_engine=engine, start=start, end=end)
    st.caption(
        _("Nights {start} to {end}: {logged} logged.").format(
            start=day_text(start), end=day_text(end), logged=summary.nights_logged
        )
    )
    if summary.red_flag_nights:
        nights = "\n".join(
            f"- {day_text(r.night)}: " + "; ".join(red_flag_label(c) for c in r.flags)
            for r in summary.red_flag_nights
        )
        noted = _("Warning signs you noted (shown first in the PDF)")
        st.warning(f"**{noted}**\n\n{nights}\n\n" + _(PAST_SIGNS_ADVICE), icon=":material/warning:")
    numbers = headline_numbers(summary, start, end)
    for row in (numbers[:3], numbers[3:]):  # rows, so a phone shows them in reading order
        for col, number in zip(st.columns(3), row, strict=True):
            col.metric(number.label, number.value, help=number.detail, border=True)
    with st.expander(_("Your habits compared")):
        for item in (*summary.comparisons, *summary.before_after):
            said = [s for s in describe(item, summary.water_unit) if s not in CAVEATS]
            st.markdown(f"- **{topic(item)}.** " + " ".join(said))  # says "(whole diary)"
        st.caption(" ".join(CAVEATS))


def app_link() -> str | None:
    """The app's own address, for the reminder (None when it is not a web address)."""
    parts = urlsplit(st.context.url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else None


ICON_DONE = ":material/download_done:"


def download(
    key: str,
    label: str,
    data: Callable[[], bytes],
    name: str,
    icon: str,
    help_: str,
    primary: bool = False,
    disabled: bool = False,
) -> None:
    """A full-width button whose file is made only when she presses it.

    Only the PDF's button reruns the page (it brings her latest questions to the server: see
    keep_questions), and then says under it and as a toast which file is downloading. The
    others do not rerun: a rerun registers every button's file again, and a second download
    in one visit then sometimes never reached the browser (CI, and 2 of 8 local runs)."""
    pressed = st.download_button(
        label,
        web.hers(data, what=f"downloaded {name}"),
        file_name=name,
        mime=MIME[Path(name).suffix],
        icon=icon,
        help=help_,
        on_click="rerun" if key == "pdf" else "ignore",
        key=P + key,
        type="primary" if primary else "secondary",
        width="stretch",
        disabled=disabled,
    )
    if pressed:
        file_name = name
        said = _("Downloading {file}").format(file=file_name)  # a toast is cut short: the name
        st.success(
            _("Downloading {file}: your browser keeps it with your other downloads.").format(
                file=file_name
            ),
            icon=ICON_DONE,
        )
        st.toast(said, icon=ICON_DONE, duration="long")  # the PDF takes a few seconds


# The paper sizes as she knows them (the value stays the size's code).
PAPER_NAMES = {"A4": N_("A4"), "Letter": N_("US Letter")}


def pdf_download(period: tuple[dt.date, dt.date] | None, refused: bool) -> None:
    """The summary PDF, with her latest questions, the paper size and the language she chose;
    greyed out, with what to fix said above it, when the dates or the questions are refused."""
    live = ss[P + "live"]  # read when the PDF is made: her latest questions
    paper = st.segmented_control(
        _("Paper size"),
        PAPERS,
        default=PAPERS[0],
        format_func=lambda paper: _(PAPER_NAMES.get(paper, paper)),
        required=True,
        key=P + "paper",
        persist_state="session",
    )
    # The PDF's language, hers by default: the clinician's may differ. Each language named in
    # its own words. The file is made later, outside this run, in exactly this language.
    spoken = st.segmented_control(
        _("Language of the PDF"),
        language.languages(),
        format_func=language.name_of,
        default=language.current(),
        required=True,
        key=P + "pdf_language",
    )
    start, end = period or (last_night, last_night)

    def pdf() -> bytes:
        def questions() -> str:  # read last: a question typed just before pressing is in
            if live["too_long"]:  # pressed with too long a text: no PDF, the page says why
                raise ValueError("the questions are longer than the PDF takes")
            return live["questions"]

        return appointment_pdf(
            engine, start=start, end=end, questions=questions, paper=paper, language=spoken
        )

    suffix = "" if spoken == language.SOURCE else f"-{spoken}"  # an English and a Spanish apart
    download(
        "pdf",
        _("Summary PDF"),
        pdf,
        f"cramp-summary-{start}-to-{end}{suffix}.pdf",
        ":material/picture_as_pdf:",
        _("The page for your appointment."),
        primary=True,
        disabled=refused or period is None,
    )
    if refused or period is None:
        st.caption(_("The PDF can be made once what is marked above is fixed."))


def journal_downloads() -> None:
    """The whole journal as the diary CSV, the JSON backup and a FHIR bundle."""
    stamp = today.isoformat()

    def diary() -> bytes:
        with Session(engine) as s:
            return encode_diary(export_diary(iter_nights(session=s)))

    st.caption(_("Every night you logged, to keep, or to share if you are asked for the details."))
    download(
        "csv",
        _("Diary (CSV)"),
        diary,
        f"cramp-diary-{stamp}.csv",
        ":material/table:",
        _("Every night and cramp, one row per cramp, for a spreadsheet."),
    )
    download(
        "json",
        _("Full backup (JSON)"),
        lambda: export_json(engine).encode(),
        f"cramp-journal-{stamp}.json",
        ":material/save:",
        _("Everything, to restore later with import."),
    )
    download(
        "fhir",
        _("For clinical systems (FHIR)"),
        lambda: export_fhir(engine).encode(),
        f"cramp-journal-{stamp}.fhir.json",
        ":material/medical_information:",
        _("FHIR R4 observations, if your clinic asks for them."),
    )


def reminder_download() -> None:
    """A calendar file that reminds her every morning to log last night."""
    at = st.time_input(_("Remind me each morning at"), value=dt.time(8, 0), key=P + "at")
    link = app_link()
    download(
        "ics",
        _("Morning reminder (calendar)"),
        lambda: reminder_ics(at=at, link=link),
        "cramp-journal-reminder.ics",
        ":material/alarm:",
        _("Open it with your calendar: a reminder every morning to log last night."),
    )


# ---------------------------------------------------------------- the screen
keep_questions()  # first: the PDF being made in parallel waits for nothing else
st.html(SUMMARY_CSS)
signin.viewing_banner("Summary")  # a clinician reading: the page, by name, in her record
reading_only = signin.read_only()
st.title(_("Summary for your appointment"))
st.caption(
    _(
        "The one page she brings to her appointment: any warning signs first, then her "
        "numbers, charts and habits."
    )
    if reading_only
    else _(
        "One page for your midwife or doctor: any warning signs first, then your numbers, "
        "charts, habits and your questions."
    )
)
engine = web.engine()
profile = web.profile()

if P + "appt" not in ss:
    ss[P + "appt"] = profile.last_appointment
if reading_only:  # the PDF only: no appointment to save, no questions of hers to add
    period = choose_period(profile)
    pdf_download(period, refused=False)
    st.subheader(_("What the PDF shows"))
    if period:
        preview(*period)
    st.stop()
st.date_input(
    _("Last appointment"),
    value=None,
    max_value=today,
    key=P + "appt",
    format="DD/MM/YYYY",
    on_change=save_appointment,
)
st.caption(_("Saved as soon as you pick it, for Settings too."))
outcome("appt_outcome")
period = choose_period(profile)
st.text_area(
    _("Questions for your midwife or doctor"),
    key=P + "questions",
    persist_state="session",
    on_change="ignore",
    placeholder=_("One per line, e.g. Is it safe to keep taking magnesium?"),
)
if too_long := questions_too_long():
    st.error(too_long, icon=":material/error:")
st.caption(
    _(
        "Up to {most} characters: about a dozen short questions fit in the PDF. They stay here "
        "while the app is open but are not saved in your journal."
    ).format(most=language.count(QUESTIONS_MAX_CHARS))
)
pdf_download(period, refused=bool(too_long))

st.subheader(_("What the PDF shows"))
if period:
    preview(*period)
else:
    st.info(
        _("Choose dates that run forwards to see what the PDF will show."), icon=":material/info:"
    )
st.subheader(_("Your whole journal"))
journal_downloads()
st.subheader(_("Morning reminder"))
reminder_download()
