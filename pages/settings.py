"""Settings: her language, due date, birth date, water unit, name and last appointment; where
the journal is."""

import datetime as dt

import streamlit as st
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from tracker.app import web
from tracker.care import language
from tracker.care.language import _, ngettext
from tracker.care.pregnancy import dating
from tracker.journal.config import database_url, sqlite_path
from tracker.journal.entries import ValidationFailed
from tracker.journal.models import WATER_UNITS, Profile
from tracker.journal.store import StaleProfile, save_language, save_profile, validate_profile

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
BROWSER = "browser"  # the language choice "As my browser": none saved, st.context.locale's


def language_name(code: str) -> str:
    """A language named in its own words ("English", "Español"), so she finds hers whatever
    the page is in; "As my browser" in the page's language."""
    if code == BROWSER:
        return _("As my browser")
    return language.name_of(code)


def saved_choice(profile: Profile) -> str:
    """Her saved language as the choice shows it (As my browser when none, or no catalog)."""
    return profile.language if profile.language in language.languages() else BROWSER


def load(profile: Profile) -> None:
    """Fill the form with the saved settings before any widget is drawn."""
    for key, name in FIELDS.items():
        ss[P + key] = getattr(profile, name) or ("" if key in TEXT_FIELDS else None)
    ss[P + "version"] = profile.version
    ss[P + "language"] = ss[P + "language_saved"] = saved_choice(profile)
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
            ss[P + "outcome"] = ("success", _("Settings saved."))
            ss[P + "reload"] = True
        except ValidationFailed as exc:
            errors = exc.errors
        except StaleProfile as exc:
            ss[P + "stale"] = str(exc)
            ss[P + "outcome"] = ("error", str(exc))
        except SQLAlchemyError as exc:
            web.log.error("saving the settings failed: %s", type(exc).__name__)
            ss[P + "outcome"] = (
                "error",
                _("{unavailable} What you typed is still here.").format(
                    unavailable=_(web.UNAVAILABLE)
                ),
            )
    if errors:
        ss[P + "outcome"] = (
            "error",
            _(
                "Nothing was saved. Please fix the field marked above; "
                "everything you typed is kept."
            ),
        )
    ss[P + "errors"] = errors
    st.rerun()


def choose_language() -> None:
    """Save the language she tapped (with the version check of every settings save) and speak
    it from this rerun on; a refused save writes nothing and keeps the language she had."""
    picked = ss[P + "language"]
    if picked is None:  # she tapped the chosen one again: it stays chosen
        ss[P + "language"] = ss[P + "language_saved"]
        return
    chosen = None if picked == BROWSER else picked
    try:
        with web.session(writing=True) as s:
            stored = save_language(session=s, language=chosen, expected_version=ss[P + "version"])
    except (StaleProfile, SQLAlchemyError) as exc:
        if isinstance(exc, StaleProfile):
            ss[P + "stale"] = str(exc)
            said = str(exc)
        else:
            web.log.error("saving the language failed: %s", type(exc).__name__)
            said = _(web.UNAVAILABLE)
        ss[P + "language"] = ss[P + "language_saved"]  # the choice shows what is saved
        ss[P + "outcome"] = ("error", said)
        return
    ss[P + "version"] = stored.version  # her other settings' next save is not refused
    ss[P + "language_saved"] = picked
    if chosen is None:
        ss.pop(web.LANGUAGE, None)
    else:
        ss[web.LANGUAGE] = chosen
    # Said after the language changed: _ asks the session (this callback runs before the page).
    ss[P + "language_said"] = _("Language saved: {language}.").format(
        language=language_name(picked)
    )


def language_choice() -> None:
    """Her language: the app's words from the rerun she taps it, and in every new session."""
    st.pills(  # one tap, each choice a 44 px button (a select's menu rows are 40 px)
        _("Language"),
        [BROWSER, *language.languages()],
        key=P + "language",
        format_func=language_name,
        on_change=choose_language,
    )
    if said := ss.pop(P + "language_said", None):
        st.toast(said, icon=":material/translate:")


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
        if st.button(_("Show the newer settings (discards my changes)"), key=P + "reload_btn"):
            ss[P + "reload"] = True
            st.rerun()


def field_error(name: str, label: str) -> None:
    """The message for one field, right under it, naming the field."""
    message = ss.get(P + "errors", {}).get(name)
    if message:
        st.error(
            _("{field} {problem}").format(field=label, problem=message), icon=":material/edit:"
        )


def pregnancy_status(profile: Profile) -> None:
    """Where she is today, from the saved due date (or birth date)."""
    today = dt.date.today()
    when = dating(today, profile.due_date, profile.birth_date)
    if when.postpartum_days is not None:
        st.info(_("Today: {when}.").format(when=when.long_label), icon=":material/child_care:")
    elif when.days is not None:
        st.info(
            _(
                "Today: week {week} of pregnancy, trimester {trimester}. Due date: {due_date}."
            ).format(
                week=when.label, trimester=when.trimester, due_date=long_date(profile.due_date)
            ),
            icon=":material/calendar_month:",
        )
    elif profile.due_date:
        st.info(
            _("Due date: {due_date}.").format(due_date=long_date(profile.due_date)),
            icon=":material/calendar_month:",
        )
    else:
        st.caption(_("Add your due date to see the week of pregnancy next to every night."))


def long_date(day: dt.date) -> str:
    """'Monday 20 May 2025', 'lunes 20 de mayo de 2025'."""
    return language.date(day, _("EEEE dd MMMM yyyy"))


def settings_form() -> None:
    with st.form(P + "form", enter_to_submit=False):
        st.date_input(
            _("Due date"),
            key=P + "due",
            value=None,
            format="DD/MM/YYYY",
        )
        st.caption(_("Leave it empty if you don't know it yet."))
        field_error("due_date", _("The due date"))
        st.date_input(
            _("Birth date (once your baby is born)"),
            key=P + "birth",
            value=None,
            format="DD/MM/YYYY",
        )
        field_error("birth_date", _("The birth date"))
        st.selectbox(
            _("Water unit"), list(WATER_UNITS), key=P + "unit", filter_mode=None, format_func=_
        )  # the units are the journal's codes, and each is a message too ("litres": "litros")
        field_error("water_unit", _("The water unit"))
        st.text_input(
            _("Your name (optional)"),
            key=P + "name",
            max_chars=200,
        )
        st.caption(_("Shown on the summary for your appointment."))
        field_error("name", _("Your name"))
        st.date_input(
            _("Last appointment"),
            key=P + "appt",
            value=None,
            format="DD/MM/YYYY",
        )
        st.caption(_("The summary for your next appointment starts from this date."))
        field_error("last_appointment", _("The appointment date"))
        st.markdown("**" + _("Phone numbers for the warning cards") + "**")
        number = web.emergency_number(Profile())
        st.text_input(
            _("Emergency number"),
            key=P + "emergency",
            max_chars=20,
            placeholder=_("e.g. {number}").format(number=number),
        )
        st.caption(
            _(
                "If you leave it empty, the emergency card calls {number}, the emergency number "
                "for the region your browser is set to."
            ).format(number=number)
        )
        field_error("emergency_number", _("The emergency number"))
        st.text_input(
            _("Doctor, midwife or maternity unit phone (optional)"),
            key=P + "care",
            max_chars=30,
            placeholder=_("e.g. {number}").format(number="+44 20 7946 0000"),
        )
        field_error("care_phone", _("The phone number"))
        st.caption(_("Warning cards offer a button that calls these numbers from a phone."))
        if st.form_submit_button(_("Save settings"), type="primary", width="stretch"):
            save()


def where_it_lives() -> None:
    """Where the journal is kept, never with a password or user name."""
    from tracker.app.signin import hosted

    st.header(_("Where your journal lives"), anchor=False)
    url = database_url()
    path = sqlite_path(url)
    if path is not None:
        st.write(_("In one file on this computer. Nothing is sent anywhere."))
        st.code(str(path), language=None, wrap_lines=True)
        st.caption(
            _(
                "Before each upgrade a copy is kept in the backups folder next to it. "
                "For your own copy, use the backup button below."
            )
        )
    elif url.startswith("sqlite"):
        st.write(_("In memory only: nothing is kept once the app stops."))
    elif hosted():
        st.write(_("On your practice's server, kept apart from everyone else's journal."))
    else:
        parsed = make_url(url)
        st.text(  # the server's names as they are (never read as Markdown)
            _("On a PostgreSQL server ({host}, database {database}).").format(
                host=parsed.host, database=parsed.database
            )
            if parsed.host
            else _("On a PostgreSQL server.")
        )
        st.caption(_("The user name and password are not shown here."))


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
    said = _("Shared with {name}") if new else _("Already shared with {name}")
    st.toast(said.format(name=web.as_label(name)), icon=":material/check_circle:")


def _stop(clinician_id: int, name: str) -> None:
    from tracker.journal.sharing import stop_sharing

    with web.session(writing=True) as s:
        stop_sharing(session=s, clinician_id=clinician_id)
    st.toast(
        _("Stopped sharing with {name}").format(name=web.as_label(name)),
        icon=":material/check_circle:",
    )


def sharing() -> None:
    """On a practice's server: share her journal with a clinician of the practice (read-only
    for them), see with whom, and stop with one tap. Nothing is shared until she says so."""
    from tracker.journal.sharing import clinicians, shared_with, shown_name

    st.header(_("Share with your clinician"), anchor=False)
    with web.session() as s:
        everyone, shared = clinicians(session=s), shared_with(session=s)
    for person in shared:
        name = shown_name(person)
        st.text(
            _("Shared with {name}: they can read your journal, not change it.").format(name=name)
        )
        st.button(
            _("Stop sharing with {name}").format(name=web.as_label(name)),
            key=f"{P}unshare_{person.id}",
            icon=":material/block:",
            width="stretch",
            on_click=_stop,
            args=(person.id, name),
        )
    others = [c for c in everyone if c.id not in {p.id for p in shared}]
    if not others:
        if not everyone:
            st.caption(_("Your practice has not added a clinician yet."))
        return
    picked = st.selectbox(
        _("Clinician"),
        others,
        index=None,
        format_func=shown_name,
        placeholder=_("Choose your clinician"),
        key=P + "share_with",
    )
    st.button(
        _("Share my journal"),
        key=P + "share",
        icon=":material/share:",
        type="primary",
        width="stretch",
        disabled=picked is None,
        on_click=_share,
        args=(picked.id, shown_name(picked)) if picked is not None else (0, ""),
    )
    st.caption(
        _(
            "They see your History, Trends and appointment summary, read-only, between "
            "appointments; each look is listed below. Nothing is shared until you say so."
        )
    )


def record_of_access() -> None:
    """On a practice's server: every sign-in, download and look at her journal, newest first."""
    from tracker.app.signin import hosted
    from tracker.journal.accounts import access_record

    if not hosted():
        return
    st.header(_("Who opened your journal"), anchor=False)
    from tracker.journal.sharing import names

    with web.session() as s:
        lines = access_record(session=s, limit=50)
        who = names(session=s, ids={line.by_account for line in lines if line.by_account})
    if not lines:
        st.caption(_("Nothing yet."))
        return
    st.table(
        [
            {
                _("When"): moment(line.at),
                _("What"): access_words(
                    line.what,
                    who.get(line.by_account, _("A clinician")) if line.by_account else None,
                ),
            }
            for line in lines
        ]
    )
    st.caption(_("Your sign-ins and downloads, and any clinician's look at your journal."))


def moment(at: dt.datetime) -> str:
    """'Mon 07 Dec, 21:30', 'lun 07 dic, 21:30': a line's time where she is."""
    local = at.astimezone()
    return _("{day}, {time}").format(
        day=language.date(local.date(), _("EEE dd MMM")), time=f"{local:%H:%M}"
    )


def access_words(what: str, clinician: str | None) -> str:
    """A line of her record of access in her language (the journal keeps it in English: a
    sign-in, a download, a clinician's look at a page), by her or by a clinician."""
    from tracker.app.signin import SIGNED_IN
    from tracker.journal.sharing import LOOKED

    if what == SIGNED_IN and clinician is None:
        return _("You signed in")
    if what.startswith(LOOKED):  # a page's title, as the menu says it
        page = _(what.removeprefix(LOOKED))
        return _("{clinician} looked at your {page}").format(clinician=clinician, page=page)
    if what.startswith("downloaded "):
        file = what.removeprefix("downloaded ")
        if clinician is None:
            return _("You downloaded {file}").format(file=file)
        return _("{clinician} downloaded {file}").format(clinician=clinician, file=file)
    return f"{clinician or _('You')}: {what}"


def your_data() -> None:
    """Back up the journal, or delete all of it behind a typed confirmation."""
    from tracker.journal.erase import EraseIncomplete, erase_journal, erase_warning

    st.header(_("Your data"), anchor=False)
    if sqlite_path(database_url()) is not None:
        st.download_button(
            _("Download a backup copy of the journal"),
            data=backup_bytes,
            file_name=f"cramp-journal-backup-{dt.date.today():%Y-%m-%d}.db",
            mime="application/vnd.sqlite3",
            icon=":material/backup:",
            on_click="ignore",
            width="stretch",
        )
        st.caption(_("Safe while you keep using the app. The Summary page has CSV and JSON too."))
    with st.expander(_("Delete everything"), icon=":material/delete_forever:"):
        st.text(erase_warning(web.engine()))
        # The word she types, in her language ("borrar"); the English word works in any.
        confirm = _("erase")
        word = st.text_input(
            _('Type "{word}" to confirm').format(word=confirm), key=P + "erase_word"
        )
        typed_word = word.strip().lower()
        if st.button(_("Delete my whole journal"), key=P + "erase", type="primary",
                     disabled=typed_word not in {confirm.lower(), "erase"}):  # fmt: skip
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
            nights = erased.nights
            backups = len(erased.backups)
            ss[P + "erased"] = _("Deleted {nights}, your settings and {backups}.").format(
                nights=ngettext("{count} night", "{count} nights", nights).format(count=nights),
                backups=ngettext(
                    "{count} automatic backup", "{count} automatic backups", backups
                ).format(count=backups),
            )
            st.rerun()
    if erased_now := ss.pop(P + "erased", None):  # under the button she tapped, and a toast
        st.success(erased_now, icon=":material/check_circle:")
        st.toast(erased_now, icon=":material/check_circle:")


# ---------------------------------------------------------------- the screen
st.title(_("Settings"), anchor=False)
top = st.container()  # drawn after the location, so that still shows if the journal is down
where_it_lives()

with top:
    profile = web.profile()
    if ss.pop(P + "reload", False) or P + "unit" not in ss:
        load(profile)
    language_choice()
    pregnancy_status(profile)
    settings_form()
    outcome()
    web.keyboard("tel", P + "emergency", P + "care")
if web.hosted():
    sharing()
record_of_access()
your_data()
