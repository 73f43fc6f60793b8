"""Medical-safety wording: no page, PDF or CLI text diagnoses or reassures, and the red-flag
guidance appears wherever a warning sign was noted, in pregnancy and after the birth.

Every page is rendered through AppTest on the sample pregnancy (with its two red-flag nights),
on the same journal after a birth date, and on an empty journal; every string the page sends
to the browser is collected (markdown, captions, alerts, titles, labels, help, options,
metrics, toasts, chart titles) after revealing what only shows on input (ticked warning signs,
a long cramp, a flagged night opened, other periods).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from google.protobuf.message import Message
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from tests.test_report import require_poppler
from tracker.care.safety import RED_FLAGS
from tracker.cli import main
from tracker.exchange.report import appointment_pdf
from tracker.exchange.report_data import day_text
from tracker.exchange.report_sections import FLAG_ADVICE
from tracker.journal.demo import fill_demo
from tracker.journal.store import get_profile, save_profile

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
TODAY = dt.date.today()
LAST_NIGHT = TODAY - dt.timedelta(days=1)
BIRTH = TODAY - dt.timedelta(days=12)  # the sample's later red-flag night (9 days ago) is after it
PAGES = (
    "last_night",
    "history",
    "trends",
    "experiments",
    "summary",
    "red_flags",
    "settings",
    "guide",
)
BANNED = (
    "you have",
    "diagnos",
    "nothing to worry",
    "safe dose",
    "no need to worry",
    "is normal",
    "don't worry",
)
STRAIGHT_AWAY = "Contact your doctor or maternity unit straight away"
AFTER_BIRTH_TOO = "about six weeks after the birth too"
TRENDS_ADVICE = "contact your doctor or maternity unit straight away"
TEXT_KEYS = {"title", "subtitle", "text", "description"}  # the words a Vega-Lite spec shows


@dataclass(frozen=True)
class Journal:
    """The journal a test renders: which scenario, and its nights with warning signs."""

    scenario: str
    engine: object
    flagged: tuple[dt.date, ...]  # oldest first


@pytest.fixture
def journal(request: pytest.FixtureRequest, sqlite_engine) -> Journal:  # noqa: ANN001
    """The sample pregnancy ("pregnant"), after a birth ("postpartum"), or empty ("new")."""
    scenario = request.param
    flagged: tuple[dt.date, ...] = ()
    if scenario != "new":
        with Session(sqlite_engine) as s:
            demo = fill_demo(session=s)
        flagged = tuple(n.night for n in demo.nights if n.red_flags)
        assert len(flagged) == 2
    if scenario == "postpartum":
        with Session(sqlite_engine) as s:
            profile = get_profile(session=s)
            profile.birth_date = BIRTH
            save_profile(session=s, profile=profile)
        assert flagged[-1] > BIRTH  # a red-flag night after the birth
    return Journal(scenario, sqlite_engine, flagged)


both = pytest.mark.parametrize("journal", ["pregnant", "postpartum"], indirect=True)


# ---------------------------------------------------------------- collecting and scanning


def proto_strings(message: Message) -> Iterator[str]:
    """Every string in a protobuf message, nested messages included."""
    for field, value in message.ListFields():
        for item in value if field.is_repeated else [value]:
            if isinstance(item, Message):
                yield from proto_strings(item)
            elif isinstance(item, str):
                yield item


def spec_words(spec: object, shown: bool = False) -> Iterator[str]:
    """The titles and texts of a Vega-Lite spec (not its field names or data)."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            yield from spec_words(value, shown or key in TEXT_KEYS)
    elif isinstance(spec, list):
        for item in spec:
            yield from spec_words(item, shown)
    elif isinstance(spec, str) and shown:
        yield spec


def page_text(at: AppTest) -> list[str]:
    """All text the page shows: every element's strings, table cells and chart titles."""
    texts: list[str] = []
    for node in at._tree:  # every element and block, the sidebar and toasts included
        proto = getattr(node, "proto", None)
        if node.type == "vega_lite_chart":
            texts += spec_words(json.loads(proto.spec))
        elif node.type == "dataframe":
            texts += node.value.astype(str).to_numpy().ravel().tolist()
        elif isinstance(proto, Message):
            texts += proto_strings(proto)
    return texts


def banned_in(texts: list[str]) -> list[tuple[str, str]]:
    """(phrase, text) for each text that diagnoses or reassures."""
    found = []
    for text in texts:
        plain = re.sub(r"\s+", " ", text.replace("’", "'")).lower()
        found += [(phrase, text) for phrase in BANNED if phrase in plain]
    return found


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception
    return at


# ---------------------------------------------------------------- revealing conditional text


def long_cramp_and_every_sign(at: AppTest, _: Journal) -> None:
    at.button(key="ln_add").click().run()
    cid = at.session_state["ln_cramp_ids"][-1]
    at.button(key=f"ln_c{cid}_more_btn").click().run()
    at.text_input(key=f"ln_c{cid}_dur").input("15")
    for code in RED_FLAGS:
        at.checkbox(key=f"ln_flag_{code}").check()
    at.run()


def a_bad_value_saved(at: AppTest, _: Journal) -> None:
    at.text_input(key="ln_water").input("-5")
    at.button(key="ln_save").click().run()


def each_flagged_night(at: AppTest, journal: Journal) -> list[str]:
    texts = []
    for night in journal.flagged:  # a tap opens the night, with its cards, on Last night
        at.switch_page("pages/history.py").run()
        at.button(key=f"hi_flag_{night:%Y%m%d}").click().run()
        assert at.date_input(key="ln_night").value == night
        texts += page_text(at)
    return texts


def whole_pregnancy_by_week(at: AppTest, _: Journal) -> None:
    at.button_group(key="tr_period").set_value("Whole pregnancy").run()
    at.button_group(key="tr_by").set_value("week of pregnancy").run()


def every_chart_tab(at: AppTest, _: Journal) -> list[str]:
    """Each Trends chart tab in turn: only the open one's charts are drawn."""
    from tracker.insights.trends import CHART_GROUPS

    texts = []
    for group in CHART_GROUPS:
        at.session_state["tr_charts"] = group
        at.run()
        texts += page_text(at)
    return texts


def everything_ticked(at: AppTest, _: Journal) -> None:
    for checkbox in at.checkbox:
        checkbox.check()
    at.run()


REVEAL: dict[str, tuple[Callable[[AppTest, Journal], list[str] | None], ...]] = {
    "last_night": (long_cramp_and_every_sign, a_bad_value_saved),
    "history": (each_flagged_night,),
    "trends": (every_chart_tab, whole_pregnancy_by_week, every_chart_tab),
    "red_flags": (everything_ticked,),
}


@pytest.mark.parametrize("journal", ["pregnant", "postpartum", "new"], indirect=True)
@pytest.mark.parametrize("page", PAGES)
def test_no_page_diagnoses_or_reassures(journal: Journal, page: str) -> None:
    at = open_page(page)
    texts = page_text(at)
    for reveal in REVEAL.get(page, ()) if journal.scenario != "new" else ():
        texts += reveal(at, journal) or page_text(at)
        assert not at.exception
    assert at.title, "the page has no title: it did not render"
    assert len(texts) > 5
    # Settings shows where the journal and its backups are: under a folder named after the test.
    folder = str(Path(journal.engine.url.database).parent.parent)
    assert banned_in([text.replace(folder, "<test folder>") for text in texts]) == []


def test_the_scan_sees_labels_chart_titles_and_metrics_and_catches_bad_wording(
    sqlite_engine,  # noqa: ANN001
) -> None:
    with Session(sqlite_engine) as s:
        fill_demo(session=s)
    trends = every_chart_tab(open_page("trends"), None)
    for expected in ("Period", "When cramps start", "Cramps per week", "Trends"):
        assert expected in trends
    assert "Tenderness in the leg" in page_text(open_page("red_flags"))
    planted = ["Don’t worry, this\nis normal.", "You have a DVT", "Take the safe dose."]
    assert [phrase for phrase, _ in banned_in(planted)] == [
        "is normal",
        "don't worry",
        "you have",
        "safe dose",
    ]


def pdf_text(journal: Journal, tmp_path: Path, start: dt.date) -> str:
    require_poppler()
    path = tmp_path / "summary.pdf"
    path.write_bytes(appointment_pdf(journal.engine, start=start, end=LAST_NIGHT))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", " ", text)


@both
def test_the_pdf_and_the_cli_summary_neither_diagnose_nor_reassure(
    journal: Journal, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = pdf_text(journal, tmp_path, LAST_NIGHT - dt.timedelta(days=83))
    assert banned_in([text]) == []
    assert main(["summary"]) == 0
    printed = capsys.readouterr().out
    assert "Warning signs noted on" in printed
    assert banned_in(printed.splitlines()) == []


# ---------------------------------------------------------------- red-flag guidance


def cards(at: AppTest) -> list[str]:
    return [alert.value for alert in (*at.warning, *at.error)]


@both
def test_last_night_shows_who_to_contact_when_a_sign_is_ticked(journal: Journal) -> None:
    at = open_page("last_night")
    assert not any(STRAIGHT_AWAY in card for card in cards(at))
    at.checkbox(key="ln_flag_tenderness").check().run()
    card = next(card for card in cards(at) if STRAIGHT_AWAY in card)
    assert AFTER_BIRTH_TOO in card and "Tenderness in the leg" in card
    if journal.scenario == "postpartum":  # last night came after the birth
        assert any("after birth" in expander.label for expander in at.expander)


def tap_night(at: AppTest, kind: str, night: dt.date) -> None:
    """On History, tap a night's row: it opens on Last night."""
    at.switch_page("pages/history.py").run()
    at.button(key=f"hi_{kind}_{night:%Y%m%d}").click().run()
    assert not at.exception
    assert at.date_input(key="ln_night").value == night


@both
def test_history_shows_who_to_contact_for_a_flagged_night(journal: Journal) -> None:
    at = open_page("history")
    for night in journal.flagged:
        at.switch_page("pages/history.py").run()
        row = at.button(key=f"hi_flag_{night:%Y%m%d}")
        assert "warning signs" in row.label and "⚠" not in row.label  # the icon marks it once
        tap_night(at, "flag", night)
        assert any(STRAIGHT_AWAY in card for card in cards(at)), night
    clean = LAST_NIGHT if LAST_NIGHT not in journal.flagged else LAST_NIGHT - dt.timedelta(1)
    tap_night(at, "night", clean)
    assert not any(STRAIGHT_AWAY in card for card in cards(at))
    if journal.scenario == "postpartum":  # the later flagged night came after the birth
        at.switch_page("pages/history.py").run()
        assert "postpartum" in at.button(key=f"hi_flag_{journal.flagged[-1]:%Y%m%d}").label
        tap_night(at, "flag", journal.flagged[-1])
        assert any("after birth" in e.label for e in at.expander)
        assert any(STRAIGHT_AWAY in card and AFTER_BIRTH_TOO in card for card in cards(at))


@both
def test_trends_warns_only_when_the_period_has_a_flagged_night(journal: Journal) -> None:
    at = open_page("trends")  # the last 4 weeks hold both red-flag nights
    warning = next(w.value for w in at.warning if TRENDS_ADVICE in w.value)
    for night in journal.flagged:
        assert f"{night:%a %d %b}" in warning
    after = journal.flagged[-1] + dt.timedelta(days=1)
    at.button_group(key="tr_period").set_value("Custom").run()
    at.date_input(key="tr_custom").set_value((after, LAST_NIGHT)).run()
    assert not at.exception
    assert any(c.value.startswith(f"{after:%d %b %Y} to") for c in at.caption)
    assert not any(TRENDS_ADVICE in w.value for w in at.warning)


@both
def test_the_pdf_lists_the_signs_first_and_says_who_to_contact(
    journal: Journal, tmp_path: Path
) -> None:
    text = pdf_text(journal, tmp_path, LAST_NIGHT - dt.timedelta(days=27))
    assert "Warning signs noted on 2 nights" in text
    assert FLAG_ADVICE in text
    assert text.index("Warning signs noted on") < text.index("Cramps per week")
    for night in journal.flagged:
        assert day_text(night) in text
    if journal.scenario == "postpartum":
        assert f"{day_text(journal.flagged[-1])} (postpartum" in text
