"""Settings: due date, birth date, water unit, name and last appointment; where the journal is."""

import datetime as dt

import streamlit as st
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from tracker.app import web
from tracker.care.pregnancy import dating
from tracker.journal.config import database_url, sqlite_path
from tracker.journal.entries import ValidationFailed
from tracker.journal.models import WATER_UNITS, Profile
from tracker.journal.store import StaleProfile, save_profile, validate_profile

web.ensure_router()

ss = st.session_state
P = "se_"  # every widget and state key on this page starts with this
FIELDS = {
    "due": "due_date",
    "birth": "birth_date",
    "unit": "water_unit",
    "name": "name",
    "appt": "last_appointment",
    "emergency": "emergency_number",
    "care": "care_phone",
}
TEXT_FIELDS = ("name", "emergency", "care")


def load(profile: Profile) -> None:
    """Fill the form with the saved settings before any widget is drawn."""
    for key, name in FIELDS.items():
        ss[P + key] = getattr(profile, name) or ("" if key in TEXT_FIELDS else None)
    ss[P + "version"] = profile.version
    ss[P + "errors"] = {}
    ss.pop(P + "stale", None)


def typed() -> Profile:
    """The settings as the form says them now."""
    values = {name: ss[P + key] for key, name in FIELDS.items()}
    for key in TEXT_FIELDS:
        values[FIELDS[key]] = values[FIELDS[key]].strip() or None
    return Profile(id=1, **values)


def save() -> None:
    """Save only what passes the checks; on a problem keep everything she typed."""
    profile = typed()
    errors = validate_profile(profile)
    if not errors:
        try:
            with web.session(writing=True) as s:
                save_profile(session=s, profile=profile, expected_version=ss[P + "version"])
            ss[P + "outcome"] = ("success", "Settings saved.")
            ss[P + "reload"] = True
        except ValidationFailed as exc:
            errors = exc.errors
        except StaleProfile as exc:
            ss[P + "stale"] = str(exc)
            ss[P + "outcome"] = ("error", str(exc))
        except SQLAlchemyError as exc:
            web.log.error("saving the settings failed: %s", type(exc).__name__)
            ss[P + "outcome"] = ("error", web.UNAVAILABLE + " What you typed is still here.")
    if errors:
        ss[P + "outcome"] = (
            "error",
            "Nothing was saved. Please fix the field marked above; everything you typed is kept.",
        )
    ss[P + "errors"] = errors
    st.rerun()


def outcome() -> None:
    """What happened to her last tap on Save settings, right under it and as a toast (the
    button is at the bottom of a long form on a phone: the top is off screen). Settings
    changed elsewhere stay said, with the way to see them, until she reloads them."""
    result = ss.pop(P + "outcome", None)
    if result:
        kind, text = result
        icon = ":material/check_circle:" if kind == "success" else ":material/error:"
        (st.success if kind == "success" else st.error)(text, icon=icon)
        st.toast(text, icon=icon)
    if stale := ss.get(P + "stale"):
        if not result:
            st.error(stale, icon=":material/sync_problem:")
        if st.button("Show the newer settings (discards my changes)", key=P + "reload_btn"):
            ss[P + "reload"] = True
            st.rerun()


def field_error(name: str, label: str) -> None:
    """The message for one field, right under it, naming the field."""
    message = ss.get(P + "errors", {}).get(name)
    if message:
        st.error(f"{label} {message}", icon=":material/edit:")


def pregnancy_status(profile: Profile) -> None:
    """Where she is today, from the saved due date (or birth date)."""
    today = dt.date.today()
    when = dating(today, profile.due_date, profile.birth_date)
    if when.postpartum_days is not None:
        st.info(f"Today: {when.long_label}.", icon=":material/child_care:")
    elif when.days is not None:
        st.info(
            f"Today: week {when.label} of pregnancy, trimester {when.trimester}. "
            f"Due date: {profile.due_date:%A %d %B %Y}.",
            icon=":material/calendar_month:",
        )
    elif profile.due_date:
        st.info(f"Due date: {profile.due_date:%A %d %B %Y}.", icon=":material/calendar_month:")
    else:
        st.caption("Add your due date to see the week of pregnancy next to every night.")


def settings_form() -> None:
    with st.form(P + "form", enter_to_submit=False):
        st.date_input(
            "Due date",
            key=P + "due",
            value=None,
            format="DD/MM/YYYY",
        )
        st.caption("Leave it empty if you don't know it yet.")
        field_error("due_date", "The due date")
        st.date_input(
            "Birth date (once your baby is born)", key=P + "birth", value=None, format="DD/MM/YYYY"
        )
        field_error("birth_date", "The birth date")
        st.selectbox("Water unit", list(WATER_UNITS), key=P + "unit", filter_mode=None)
        field_error("water_unit", "The water unit")
        st.text_input(
            "Your name (optional)",
            key=P + "name",
            max_chars=200,
        )
        st.caption("Shown on the summary for your appointment.")
        field_error("name", "Your name")
        st.date_input(
            "Last appointment",
            key=P + "appt",
            value=None,
            format="DD/MM/YYYY",
        )
        st.caption("The summary for your next appointment starts from this date.")
        field_error("last_appointment", "The appointment date")
        st.markdown("**Phone numbers for the warning cards**")
        st.text_input(
            "Emergency number",
            key=P + "emergency",
            max_chars=20,
            placeholder=f"e.g. {web.emergency_number(Profile())}",
        )
        st.caption(
            f"If you leave it empty, the emergency card calls {web.emergency_number(Profile())}, "
            "the emergency number for the region your browser is set to."
        )
        field_error("emergency_number", "The emergency number")
        st.text_input(
            "Doctor, midwife or maternity unit phone (optional)",
            key=P + "care",
            max_chars=30,
            placeholder="e.g. +44 20 7946 0000",
        )
        field_error("care_phone", "The phone number")
        st.caption("Warning cards offer a button that calls these numbers from a phone.")
        if st.form_submit_button("Save settings", type="primary", width="stretch"):
            save()


def where_it_lives() -> None:
    """Where the journal is kept, never with a password or user name."""
    from tracker.app.signin import hosted

    st.header("Where your journal lives", anchor=False)
    url = database_url()
    path = sqlite_path(url)
    if path is not None:
        st.write("In one file on this computer. Nothing is sent anywhere.")
        st.code(str(path), language=None, wrap_lines=True)
        st.caption(
            "Before each upgrade a copy is kept in the backups folder next to it. "
            "For your own copy, use the backup button below."
        )
    elif url.startswith("sqlite"):
        st.write("In memory only: nothing is kept once the app stops.")
    elif hosted():
        st.write("On your practice's server, kept apart from everyone else's journal.")
    else:
        parsed = make_url(url)
        st.write(
            "On a PostgreSQL server"
            + (f" ({parsed.host}, database {parsed.database})." if parsed.host else ".")
        )
        st.caption("The user name and password are not shown here.")


def backup_bytes() -> bytes:
    """A consistent copy of the live journal file (SQLite's online backup API)."""
    import tempfile
    from pathlib import Path

    from tracker.journal.schema import backup_sqlite

    with tempfile.TemporaryDirectory() as folder:
        copy = backup_sqlite(sqlite_path(database_url()), Path(folder) / "journal-backup.db")
        return copy.read_bytes()


def _share(clinician_id: int, name: str) -> None:
    from tracker.journal.sharing import share_with

    with web.session(writing=True) as s:
        new = share_with(session=s, clinician_id=clinician_id)
    said = f"Shared with {name}" if new else f"Already shared with {name}"
    st.toast(web.as_label(said), icon=":material/check_circle:")


def _stop(clinician_id: int, name: str) -> None:
    from tracker.journal.sharing import stop_sharing

    with web.session(writing=True) as s:
        stop_sharing(session=s, clinician_id=clinician_id)
    st.toast(web.as_label(f"Stopped sharing with {name}"), icon=":material/check_circle:")


def sharing() -> None:
    """On a practice's server: share her journal with a clinician of the practice (read-only
    for them), see with whom, and stop with one tap. Nothing is shared until she says so."""
    from tracker.journal.sharing import clinicians, shared_with, shown_name

    st.header("Share with your clinician", anchor=False)
    with web.session() as s:
        everyone, shared = clinicians(session=s), shared_with(session=s)
    for person in shared:
        name = shown_name(person)
        st.text(f"Shared with {name}: they can read your journal, not change it.")
        st.button(
            f"Stop sharing with {web.as_label(name)}",
            key=f"{P}unshare_{person.id}",
            icon=":material/block:",
            width="stretch",
            on_click=_stop,
            args=(person.id, name),
        )
    others = [c for c in everyone if c.id not in {p.id for p in shared}]
    if not others:
        if not everyone:
            st.caption("Your practice has not added a clinician yet.")
        return
    picked = st.selectbox(
        "Clinician",
        others,
        index=None,
        format_func=shown_name,
        placeholder="Choose your clinician",
        key=P + "share_with",
    )
    st.button(
        "Share my journal",
        key=P + "share",
        icon=":material/share:",
        type="primary",
        width="stretch",
        disabled=picked is None,
        on_click=_share,
        args=(picked.id, shown_name(picked)) if picked is not None else (0, ""),
    )
    st.caption(
        "They see your History, Trends and appointment summary, read-only, between "
        "appointments; each look is listed below. Nothing is shared until you say so."
    )


def record_of_access() -> None:
    """On a practice's server: every sign-in, download and look at her journal, newest first."""
    from tracker.app.signin import hosted
    from tracker.journal.accounts import access_record

    if not hosted():
        return
    st.header("Who opened your journal", anchor=False)
    from tracker.journal.sharing import names

    with web.session() as s:
        lines = access_record(session=s, limit=50)
        who = names(session=s, ids={line.by_account for line in lines if line.by_account})
    if not lines:
        st.caption("Nothing yet.")
        return
    st.table(
        [
            {
                "When": f"{line.at.astimezone():%a %d %b, %H:%M}",
                "What": (
                    f"{who.get(line.by_account, 'A clinician')} {line.what}"
                    if line.by_account
                    else f"You {line.what}"
                ),
            }
            for line in lines
        ]
    )
    st.caption("Your sign-ins and downloads, and any clinician's look at your journal.")


def your_data() -> None:
    """Back up the journal, or delete all of it behind a typed confirmation."""
    from tracker.journal.erase import EraseIncomplete, erase_journal, erase_warning

    st.header("Your data", anchor=False)
    if sqlite_path(database_url()) is not None:
        st.download_button(
            "Download a backup copy of the journal",
            data=backup_bytes,
            file_name=f"cramp-journal-backup-{dt.date.today():%Y-%m-%d}.db",
            mime="application/vnd.sqlite3",
            icon=":material/backup:",
            on_click="ignore",
            width="stretch",
        )
        st.caption("Safe while you keep using the app. The Summary page has CSV and JSON too.")
    with st.expander("Delete everything", icon=":material/delete_forever:"):
        st.text(erase_warning(web.engine()))
        word = st.text_input('Type "erase" to confirm', key=P + "erase_word")
        if st.button("Delete my whole journal", key=P + "erase", type="primary",
                     disabled=word.strip().lower() != "erase"):  # fmt: skip
            try:
                erased = erase_journal(web.engine())
            except EraseIncomplete as exc:
                st.warning(str(exc), icon=":material/warning:")
                st.toast(str(exc), icon=":material/warning:")
                return
            finally:
                web.forget_journal()  # no copy of what she erased stays cached
            for key in [k for k in ss if str(k).startswith(("ln_", "su_", P))]:
                del ss[key]
            ss[P + "erased"] = (
                f"Deleted {erased.nights} night{'s' * (erased.nights != 1)}, your settings and "
                f"{len(erased.backups)} automatic backup{'s' * (len(erased.backups) != 1)}."
            )
            st.rerun()
    if erased_now := ss.pop(P + "erased", None):  # under the button she tapped, and a toast
        st.success(erased_now, icon=":material/check_circle:")
        st.toast(erased_now, icon=":material/check_circle:")


# ---------------------------------------------------------------- the screen
st.title("Settings", anchor=False)
top = st.container()  # drawn after the location, so that still shows if the journal is down
where_it_lives()

with top:
    profile = web.profile()
    if ss.pop(P + "reload", False) or P + "unit" not in ss:
        load(profile)
    pregnancy_status(profile)
    settings_form()
    outcome()
    web.keyboard("tel", P + "emergency", P + "care")
if web.hosted():
    sharing()
record_of_access()
your_data()
