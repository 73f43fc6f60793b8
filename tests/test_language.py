"""Her language: the catalogs are complete and keep every placeholder, and the language is each
session's own (never the first visitor's for everyone)."""

from __future__ import annotations

import string
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from tracker.care import language
from tracker.care.language import LOCALE_DIR, _, ngettext, speaking
from tracker.care.safety import RED_FLAGS
from tracker.journal.log_form import TIME_CHOICES
from tracker.journal.models import RELIEF_LABELS, Leg, Muscle
from tracker.journal.numbers import parse_amount

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = LOCALE_DIR / "cramp_journal.pot"
CATALOGS = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/cramp_journal.po"))


def placeholders(text: str) -> set[str]:
    """The {names} a message fills in (what .format() needs)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def catalog_problems(template: Catalog, catalog: Catalog) -> list[str]:
    """Every message of the template that the catalog misses, leaves unchecked (fuzzy) or
    translates with other placeholders than the English; and messages no longer in the code."""
    problems = []
    for message in template:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        found = catalog.get(message.id)
        strings = found.string if found else None
        strings = strings if isinstance(strings, tuple) else (strings,)
        if found is None or not all(strings):
            problems.append(f"missing: {key!r}")
            continue
        if found.fuzzy:
            problems.append(f"fuzzy (not checked yet): {key!r}")
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set().union(*map(placeholders, english))
        for translated in strings:
            if placeholders(translated) != wanted:
                problems.append(f"placeholders differ: {key!r} -> {translated!r}")
    for message in catalog:
        if message.id and template.get(message.id) is None:
            problems.append(f"no longer in the code: {message.id!r}")
    return problems


def read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Catalog:
    """The messages as the code has them now (pybabel extract, as docs/translating.md says)."""
    out = tmp_path_factory.mktemp("pot") / "now.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg"]
        + ["-k", "N_", "--no-location", "-o", str(out), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return read(out)


def test_spanish_is_a_catalog_the_app_speaks() -> None:
    assert [p.parent.parent.name for p in CATALOGS] == ["es"]
    assert language.languages() == ("en", "es")


def test_the_committed_template_has_every_message_of_the_code(template) -> None:
    committed = {m.id for m in read(TEMPLATE) if m.id}
    assert committed == {m.id for m in template if m.id}, "run pybabel extract (translating.md)"


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_every_catalog_has_every_message_with_the_same_placeholders(template, path) -> None:
    assert catalog_problems(template, read(path)) == []


def test_the_check_catches_a_missing_message_and_a_changed_placeholder() -> None:
    english = Catalog(locale="en")
    english.add("Call {number} now")
    english.add("Save")
    english.add(("{count} cramp", "{count} cramps"))
    spanish = Catalog(locale="es")
    spanish.add("Call {number} now", "Llamar al {numero} ahora")  # a renamed placeholder
    spanish.add(("{count} cramp", "{count} cramps"), ("{count} calambre", "", "calambres"))
    spanish.add("Gone", "Ya no está")
    assert sorted(catalog_problems(english, spanish)) == [
        "missing: 'Save'",
        "missing: '{count} cramp'",
        "no longer in the code: 'Gone'",
        "placeholders differ: 'Call {number} now' -> 'Llamar al {numero} ahora'",
    ]


def test_every_choice_she_sees_on_last_night_has_a_spanish_word() -> None:
    """The choices' values are codes from other modules: each is said in Spanish."""
    spanish = read(LOCALE_DIR / "es/LC_MESSAGES/cramp_journal.po")
    shown = [*TIME_CHOICES, *(leg.value for leg in Leg), *(m.value for m in Muscle)]
    shown += [*RELIEF_LABELS.values(), *(label for label, _level in RED_FLAGS.values())]
    assert [word for word in shown if not (spanish.get(word) and spanish[word].string)] == []


def test_the_browser_language_picks_a_catalog_or_english() -> None:
    assert [language.language_of(t) for t in ("es-ES", "es-MX", "es", "ES_es")] == ["es"] * 4
    assert [language.language_of(t) for t in ("en-GB", "de-DE", "", None)] == ["en"] * 4


def test_spanish_words_plurals_numbers_and_dates() -> None:
    import datetime as dt

    with speaking("es"):
        assert _("Save") == "Guardar"
        assert [ngettext("{count} cramp", "{count} cramps", n).format(count=n) for n in (1, 3)] == [
            "1 calambre",
            "3 calambres",
        ]
        assert language.decimal(1.5) == "1,5"
        assert language.decimal(1500) == "1500"  # as she types it: no thousands separator
        assert language.date(dt.date(2026, 12, 7), _("EEEE dd MMMM")) == "lunes 7 de diciembre"
    assert _("Save") == "Save" and language.decimal(1.5) == "1.5"  # English again outside
    assert language.date(dt.date(2026, 12, 7), "EEEE dd MMMM") == "Monday 07 December"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_her_typed_one_comma_five_means_one_and_a_half_in_every_language(lang) -> None:
    with speaking(lang):
        assert parse_amount("1,5") == parse_amount("1.5") == 1.5


def test_two_people_at_once_each_read_their_own_language() -> None:
    """Two sessions' runs at the same moment (threads, as Streamlit runs them)."""
    ready, seen = threading.Barrier(2), {}

    def visit(lang: str) -> None:
        language.use(lang)  # as the app does at the start of a run
        ready.wait()  # both have set theirs before either reads
        seen[lang] = _("Last night")

    runs = [threading.Thread(target=visit, args=(lang,)) for lang in ("es", "en")]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert seen == {"es": "Anoche", "en": "Last night"}
    assert language.current() == "en"  # and this thread never took either's


# ---------------------------------------------------------------- words outside gettext
# The files whose every drawn word goes through gettext (more join as they are translated).
SCANNED = ("pages/last_night.py", "tracker/app/navigation.py")
SCANNED += ("pages/summary.py",)  # the PDF's modules: tests/test_language_pdf.py scans them
SCANNED += ("pages/settings.py", "pages/history.py", "pages/guide.py", "pages/red_flags.py")
SCANNED += ("tracker/app/signin.py", "tracker/app/whois.py")  # sign-in, the viewing banner
SCANNED += ("pages/experiments.py", "pages/patients.py")  # and the words they draw:
# tracker/insights/{experiments,plan_words,adherence,patients}.py, tracker/journal/plans.py
SCANNED += ("pages/trends.py", "tracker/insights/charts.py")  # Trends; charts' .title() too
SCANNED += ("tracker/app/web.py", "streamlit_app.py")  # the passphrase page, cards, the frame
# Streamlit calls that draw words: their first argument and these keywords are what she reads.
DRAWERS = {
    "title", "header", "subheader", "markdown", "caption", "write", "button", "link_button",
    "page_link", "checkbox", "toggle", "text_input", "text_area", "number_input", "date_input",
    "time_input", "pills", "segmented_control", "radio", "selectbox", "multiselect", "expander",
    "popover", "error", "warning", "info", "success", "toast", "form_submit_button",
    "download_button", "metric", "Page",
}  # fmt: skip
WORD_KEYWORDS = ("label", "placeholder", "help", "title", "yes", "no")


def literal_words(node) -> bool:  # noqa: ANN001
    """True when an expression puts English words on screen as they are written in the code
    (a string literal, or one glued into an f-string or a +), not through _()."""
    import ast

    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and any(ch.isalpha() for ch in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(literal_words(part) for part in node.values)
    if isinstance(node, ast.BinOp):
        return literal_words(node.left) or literal_words(node.right)
    if isinstance(node, ast.IfExp):
        return literal_words(node.body) or literal_words(node.orelse)
    return False  # a call (_("..."), a helper), a name: said through the catalog


def words_outside_gettext(source: str, name: str = "<made up>") -> list[str]:
    """Each drawing call in source that writes words without _(), as 'file:line'."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in DRAWERS and node.func.attr != "confirm":
            continue
        receiver = node.func.value
        if getattr(receiver, "attr", getattr(receiver, "id", "")) in ("log", "logger", "logging"):
            continue  # a line for the server's log, in English: not on her screen
        said = node.args[:1] + [k.value for k in node.keywords if k.arg in WORD_KEYWORDS]
        if any(literal_words(arg) for arg in said):
            found.append(f"{name}:{node.lineno}")
    return found


@pytest.mark.parametrize("path", SCANNED)
def test_every_word_these_files_draw_goes_through_gettext(path: str) -> None:
    assert words_outside_gettext((ROOT / path).read_text(), path) == []


def test_the_scan_catches_words_written_outside_gettext() -> None:
    source = """
st.title("Last night")
st.button(f"Cramp {n}", key="a")
cols[0].text_input(_("Water"), placeholder="e.g. 1500")
st.markdown("**" + _("Cramp") + "**")
st.info(f"Already logged: {count}" if saved else _("No cramps"))
web.confirm(_("Delete?"), yes="Yes, delete it", no=_("Keep it"))
st.caption(_("Fine"))
st.text_input(_("Water ({unit})").format(unit=unit), placeholder="—")
web.log.error("saving a night failed: %s", kind)
"""
    assert words_outside_gettext(source) == [f"<made up>:{n}" for n in (2, 3, 4, 6, 7)]
