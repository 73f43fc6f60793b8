"""Settings: saving and reloading, validation next to the field, where the journal lives."""

import datetime as dt
import itertools
from pathlib import Path

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from tracker.care.pregnancy import dating
from tracker.journal.models import Profile
from tracker.journal.store import get_profile, save_profile

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
TODAY = dt.date.today()
DUE = TODAY + dt.timedelta(days=70)


def open_settings() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    at.switch_page("pages/settings.py").run()
    assert not at.exception
    return at


def press_save(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label == "Save settings").click().run()
    assert not at.exception
    return at


def said_beside_save(at: AppTest) -> tuple[str, str, list[str]]:
    """(kind, words) of the message right under "Save settings", and the toasts: on a phone
    the button is at the bottom of a long form, so the top of the page is off screen."""
    nodes = list(at.main)
    button = next(i for i, n in enumerate(nodes) if getattr(n, "label", None) == "Save settings")
    message = nodes[button + 1]
    assert message.type in ("success", "error"), f"nothing said under the button: {message}"
    return message.type, message.value, [t.value for t in at.toast]


def stored(engine) -> Profile | None:
    with Session(engine) as s:
        return s.get(Profile, 1)


def test_save_then_a_fresh_visit_shows_the_saved_values(sqlite_engine):
    at = open_settings()
    assert "Add your due date" in at.caption[0].value
    appointment = TODAY - dt.timedelta(days=20)
    at.date_input(key="se_due").set_value(DUE)
    at.selectbox(key="se_unit").select("litres")
    at.text_input(key="se_name").input("  Sam  ")
    at.date_input(key="se_appt").set_value(appointment)
    press_save(at)
    assert said_beside_save(at) == ("success", "Settings saved.", ["Settings saved."])
    assert [m.value for m in at.success] == ["Settings saved."]  # not also at the top
    saved = stored(sqlite_engine)
    assert (
        saved.due_date,
        saved.birth_date,
        saved.water_unit,
        saved.name,
        saved.last_appointment,
    ) == (DUE, None, "litres", "Sam", appointment)

    again = open_settings()
    assert again.date_input(key="se_due").value == DUE
    assert again.date_input(key="se_birth").value is None
    assert again.selectbox(key="se_unit").value == "litres"
    assert again.text_input(key="se_name").value == "Sam"
    assert again.date_input(key="se_appt").value == appointment
    when = dating(TODAY, DUE)
    status = again.info[0].value
    assert f"week {when.label}" in status and f"trimester {when.trimester}" in status
    assert f"{DUE:%d %B %Y}" in status


def test_a_future_birth_date_is_explained_next_to_it_and_nothing_is_saved(sqlite_engine):
    at = open_settings()
    future = TODAY + dt.timedelta(days=5)
    at.date_input(key="se_due").set_value(DUE)
    at.date_input(key="se_birth").set_value(future)
    at.text_input(key="se_name").input("Alex")
    press_save(at)
    assert stored(sqlite_engine) is None
    kind, words, toasts = said_beside_save(at)
    assert kind == "error" and words.startswith("Nothing was saved") and toasts == [words]
    nodes = list(at.main)
    birth = nodes.index(at.date_input(key="se_birth"))
    assert nodes[birth + 1].type == "error"  # the message sits right under the field
    assert "can't be in the future" in nodes[birth + 1].value
    assert at.date_input(key="se_birth").value == future
    assert at.date_input(key="se_due").value == DUE
    assert at.text_input(key="se_name").value == "Alex"
    assert not at.success


def test_the_due_date_can_be_cleared(sqlite_engine):
    with Session(sqlite_engine) as s:
        save_profile(session=s, profile=Profile(id=1, due_date=DUE, water_unit="ml"))
    at = open_settings()
    assert at.date_input(key="se_due").value == DUE
    at.date_input(key="se_due").set_value(None)
    press_save(at)
    with Session(sqlite_engine) as s:
        assert get_profile(session=s).due_date is None
    assert at.date_input(key="se_due").value is None
    assert not at.info  # no week to show without a due date


def test_after_the_birth_it_counts_weeks_since(sqlite_engine):
    born = TODAY - dt.timedelta(days=10)
    with Session(sqlite_engine) as s:
        save_profile(session=s, profile=Profile(id=1, due_date=born, birth_date=born))
    at = open_settings()
    assert "1 week 3 days after birth" in at.info[0].value


def test_it_shows_which_file_holds_the_journal(sqlite_url):
    at = open_settings()
    assert at.code[0].value == sqlite_url.removeprefix("sqlite:///")
    assert "Nothing is sent anywhere" in " ".join(m.value for m in at.markdown)


def test_a_postgres_journal_is_named_without_credentials(monkeypatch):
    # Nothing listens on port 1: the journal can't be reached, and the page must say so.
    monkeypatch.setenv(
        "DATABASE_URL", "postgresql+psycopg://alice:s3cret-pw@127.0.0.1:1/cramps?connect_timeout=2"
    )
    at = open_settings()
    text = " ".join(str(node.proto) for node in at.main if hasattr(node, "proto"))
    assert "PostgreSQL server (127.0.0.1, database cramps)" in text
    assert "s3cret" not in text and "alice" not in text
    assert "could not be reached" in at.error[0].value


def journals_in_memory() -> int:
    """How many copies of a journal read as frames are alive in this process."""
    import gc

    from tracker.insights.frames import Journal

    gc.collect()
    return sum(isinstance(o, Journal) for o in gc.get_objects())


def test_settings_offers_a_backup_and_erases_everything_only_after_the_word(
    sqlite_engine, sqlite_url
) -> None:
    from sqlmodel import Session

    from tests.factories import count_rows, make_entry, make_profile
    from tracker.journal.store import NEW, save_night, save_profile

    with Session(sqlite_engine) as s:
        save_profile(session=s, profile=make_profile(name="CANARY-NAME"))
        save_night(session=s, entry=make_entry(notes="CANARY-NOTE"), expected_version=NEW)
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page("pages/settings.py").run()
    assert not at.exception
    assert any("backup" in str(b.proto.label).lower() for b in at.get("download_button"))
    assert at.button(key="se_erase").disabled
    at.switch_page("pages/trends.py").run()  # her nights, now cached as frames
    at.switch_page("pages/settings.py").run()
    assert journals_in_memory() > 0
    at.text_input(key="se_erase_word").input("delete").run()
    assert at.button(key="se_erase").disabled
    assert count_rows(sqlite_engine, "night") == 1
    at.text_input(key="se_erase_word").input("erase").run()
    at.button(key="se_erase").click().run()
    assert not at.exception
    said = "Deleted 1 night, your settings and 0 automatic backups."
    assert [m.value for m in at.success] == [said] and [t.value for t in at.toast] == [said]
    nodes = list(at.main)  # right under the button she tapped, at the bottom of the page
    assert nodes[nodes.index(at.button(key="se_erase")) + 1].value == said
    assert count_rows(sqlite_engine, "night") == 0 and count_rows(sqlite_engine, "profile") == 0
    assert journals_in_memory() == 0  # no cached copy of the erased journal is left
    path = sqlite_url.split("///", 1)[1]
    for suffix in ("", "-wal"):
        try:
            raw = Path(path + suffix).read_bytes()
        except FileNotFoundError:
            continue
        assert b"CANARY-NOTE" not in raw and b"CANARY-NAME" not in raw


# ------------------------------------------------------------------ phones, names, two tabs


def error_under(at: AppTest, key: str) -> str:
    """The message under a field: after it (and its caption), before the next field."""
    nodes = list(at.main)
    after = nodes[nodes.index(at.text_input(key=key)) + 1 :]
    under = itertools.takewhile(lambda n: n.type in ("caption", "error"), after)
    errors = [n.value for n in under if n.type == "error"]
    assert errors, f"no message under {key}"
    return errors[0]


def test_phone_numbers_are_saved_and_shown_again(sqlite_engine):
    at = open_settings()
    assert at.text_input(key="se_emergency").value == ""
    at.text_input(key="se_emergency").input(" 999 ")
    at.text_input(key="se_care").input("+44 20 7946 0000")
    press_save(at)
    assert at.success[0].value == "Settings saved."
    saved = stored(sqlite_engine)
    assert (saved.emergency_number, saved.care_phone) == ("999", "+44 20 7946 0000")
    again = open_settings()
    assert again.text_input(key="se_emergency").value == "999"
    assert again.text_input(key="se_care").value == "+44 20 7946 0000"


def test_clearing_a_phone_number_stores_none(sqlite_engine):
    with Session(sqlite_engine) as s:
        save_profile(session=s, profile=Profile(id=1, care_phone="020 7946 0000"))
    at = open_settings()
    at.text_input(key="se_care").input("   ")
    press_save(at)
    assert stored(sqlite_engine).care_phone is None


def test_bad_phone_numbers_are_explained_under_them_and_nothing_is_saved(sqlite_engine):
    with Session(sqlite_engine) as s:
        save_profile(session=s, profile=Profile(id=1, name="Sam", emergency_number="112"))
    at = open_settings()
    at.text_input(key="se_emergency").input("call 911")
    at.text_input(key="se_care").input("1")
    at.text_input(key="se_name").input("Alex")
    press_save(at)
    assert said_beside_save(at)[1].startswith("Nothing was saved")
    assert error_under(at, "se_emergency").startswith("The emergency number may only have digits")
    assert error_under(at, "se_care") == "The phone number needs at least 2 digits"
    assert at.text_input(key="se_emergency").value == "call 911"  # her typing is kept
    assert at.text_input(key="se_name").value == "Alex"
    saved = stored(sqlite_engine)
    assert (saved.name, saved.emergency_number, saved.care_phone, saved.version) == (
        "Sam",
        "112",
        None,
        1,
    )
    assert not at.success


@pytest.mark.parametrize("name", ["Sa\x00m", "Sam\x1b[31m", "Sam\x7f", "Sam\nSmith"])
def test_a_control_character_in_the_name_is_refused(sqlite_engine, name: str):
    with Session(sqlite_engine) as s:
        save_profile(session=s, profile=Profile(id=1, name="Sam", due_date=DUE))
    at = open_settings()
    at.text_input(key="se_name").input(name)
    press_save(at)
    assert not at.exception
    assert said_beside_save(at)[1].startswith("Nothing was saved")
    assert error_under(at, "se_name") == (
        "Your name contains an invisible control character; remove it"
    )
    saved = stored(sqlite_engine)
    assert (saved.name, saved.due_date, saved.version) == ("Sam", DUE, 1)
    assert at.text_input(key="se_name").value == name


def test_a_stale_save_is_refused_and_the_newer_settings_kept(sqlite_engine):
    with Session(sqlite_engine) as s:
        save_profile(session=s, profile=Profile(id=1, name="Sam", water_unit="ml"))
    at = open_settings()  # this tab opened version 1
    with Session(sqlite_engine) as s:  # another tab saves meanwhile
        save_profile(session=s, profile=Profile(id=1, name="Sam B", water_unit="litres"))
    at.text_input(key="se_name").input("Alex")
    press_save(at)
    kind, words, toasts = said_beside_save(at)
    assert kind == "error" and "changed elsewhere" in words and toasts == [words]
    assert not at.success
    saved = stored(sqlite_engine)
    assert (saved.name, saved.water_unit, saved.version) == ("Sam B", "litres", 2)
    assert at.text_input(key="se_name").value == "Alex"  # her typing is kept
    at.button(key="se_reload_btn").click().run()
    assert not at.exception
    assert at.text_input(key="se_name").value == "Sam B"
    assert at.selectbox(key="se_unit").value == "litres"
    assert not any("changed elsewhere" in e.value for e in at.error)
    at.text_input(key="se_name").input("Alex")
    press_save(at)  # based on the newer version now: saved
    assert said_beside_save(at)[:2] == ("success", "Settings saved.")
    assert (stored(sqlite_engine).name, stored(sqlite_engine).version) == ("Alex", 3)


def test_the_emergency_number_placeholder_follows_her_locale(sqlite_engine):
    at = AppTest.from_file(APP, default_timeout=30)
    at.context = {"locale": "en-GB"}
    at.run()
    at.switch_page("pages/settings.py").run()
    field = at.text_input(key="se_emergency")
    assert field.placeholder == "e.g. 999"  # a plain example, not "(from your browser's...)"
    nodes = list(at.main)
    assert "the emergency card calls 999" in nodes[nodes.index(field) + 1].value
