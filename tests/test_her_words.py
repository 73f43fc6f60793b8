"""Her words are data everywhere: braces and format specs, Markdown and HTML in every text she
types (night notes, side effects, magnesium form, her name, a habit she names, the Summary's
questions) are shown exactly as typed on every page and in the PDF, and never run as a Python
format template nor rendered as Markdown (no link, image, colour or HTML from her text).

A habit named "legs up on the wall {pillow}" raised KeyError (tonight() ran her words through
str.format): Experiments failed before "Stop this experiment", Last night showed only an error.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from tests.browser_support import (
    DESKTOP,
    PHONE,
    Guard,
    require_chromium,
    running_app,
    screenshot,
    wait_for_app,
)
from tests.factories import make_cramp, make_entry, make_profile
from tests.test_report import poppler, require_poppler
from tracker.exchange.report import appointment_pdf
from tracker.journal import plans
from tracker.journal.db import make_engine
from tracker.journal.plan_store import save_plan
from tracker.journal.plans import ON, Plan, schedule, tonight
from tracker.journal.schema import ensure_schema
from tracker.journal.store import save_night, save_profile

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
LAST_NIGHT = dt.date.today() - dt.timedelta(days=1)
LINK, IMAGE = "[link](http://example.invalid)", "![img](http://example.invalid/x.png)"
HTML = "<img src=x onerror=alert(1)>"
# Long text (notes, side effects, her name, the questions): everything at once.
WORDS = f"legs {{pillow}} {{target:>99999}} :red[x] {IMAGE} {LINK} **b** {HTML} :material/home: $x$"
# A habit and a magnesium form hold 100 characters: the pieces in turn.
HABITS = [
    "legs up on the wall {pillow}",
    "wall {target:>99999} :red[x] **b** " + LINK,
    IMAGE + " " + HTML,
]
FORM = "{0} " + IMAGE + " " + HTML
# What a piece of her text would look like had it been rendered as Markdown or a template.
RAW_MARKDOWN = ("](http://example.invalid", ":red[x]", "**b**", "<img src", ":material/home:")
PAGES = ["last_night", "experiments", "history", "trends", "summary", "settings", "red_flags",
         "guide"]  # fmt: skip
MARKDOWN_ELEMENTS = ("markdown", "caption", "info", "success", "warning", "error", "title",
                     "header", "subheader", "toast", "latex")  # fmt: skip


def unescaped(markdown: str) -> str:
    """What Markdown shows for escaped text: each backslash escape is its character."""  # noqa: D401
    return re.sub(r"\\(.)", r"\1", markdown)


@pytest.fixture(params=HABITS, ids=["braces", "markdown", "html"])
def journal(request: pytest.FixtureRequest, sqlite_url: str):
    """A journal whose every free-text field holds Markdown, HTML, braces and format specs, with
    an experiment of a habit she named running last night and today."""
    habit = request.param
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    with Session(engine) as s:
        save_profile(session=s, profile=make_profile(name=WORDS))
        for days in range(1, 15):
            save_night(
                session=s,
                entry=make_entry(
                    dt.date.today() - dt.timedelta(days=days),
                    cramps=[make_cramp()],
                    notes=WORDS,
                    side_effects=WORDS if days == 1 else None,
                    magnesium_mg=300,
                    magnesium_form=FORM,
                    magnesium_clinician_agreed=True,
                    red_flags=["tenderness"] if days == 2 else [],
                ),
            )
    plan = Plan(habit=habit, start=LAST_NIGHT - dt.timedelta(days=10), seed=5, blocks=16)
    with engine.begin() as conn:
        save_plan(conn, plan)
    yield engine, plan
    engine.dispose()


def test_a_named_habit_is_never_a_format_template() -> None:
    for habit in [*HABITS, "{target:>150000000}", "{0}", "{", "}}{{", "{target!r}"]:
        plan = Plan(habit=habit, start=LAST_NIGHT, seed=5)
        for block in schedule(plan):
            said = tonight(plan, block.start)
            words = habit if block.arm == ON else f"no {habit} tonight"
            assert said.endswith(f": {words}.")  # verbatim, and short: no 150 MB string
            assert len(said) < 200


def shown(at: AppTest) -> tuple[list[str], list[str]]:
    """(Markdown sources, plain texts) of everything on the page: alerts, captions, headings,
    st.text, widgets' values and labels, tables' cells."""
    markdown = [str(e.value) for kind in MARKDOWN_ELEMENTS for e in at.get(kind)]
    markdown += [e.label for kind in ("expander", "tab", "button") for e in at.get(kind)]
    markdown += [w.label for kind in ("text_input", "text_area", "checkbox") for w in at.get(kind)]
    plain = [str(e.value) for e in at.get("text")]
    for kind in ("text_input", "text_area", "date_input", "selectbox", "radio"):
        plain += [str(w.value) for w in at.get(kind)]
    for table in at.get("arrow_data_frame"):
        plain += [str(v) for v in table.value.to_numpy().ravel()]
    return markdown, plain


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_her_words_as_typed(journal, page: str) -> None:
    engine, plan = journal
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    if page != "last_night":
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    markdown, plain = shown(at)
    for source in markdown:  # nothing of hers is Markdown, HTML or a template there
        for raw in RAW_MARKDOWN:  # unless escaped (a backslash before it shows it as typed)
            assert not re.search(r"(?<!\\)" + re.escape(raw), source), (page, source)
        # Not even escaped: Markdown makes a link of a web address whatever the escapes.
        assert not re.search(r"example\\?\.invalid|pillow|onerror", source), (page, source)
    seen = [unescaped(s) for s in markdown] + plain
    expected = {
        "last_night": [plan.habit, WORDS, FORM],  # tonight's line; notes, side effects, form
        "experiments": [plan.habit],
        "settings": [WORDS],  # her name
    }.get(page, [])
    for words in expected:
        assert any(words in text for text in seen), (page, words)
    if page in ("last_night", "experiments"):  # tonight's line: our words; hers as plain text
        (line,) = [s for s in markdown if "Your experiment, block" in s]
        assert line == plans.tonight_line(plan, LAST_NIGHT if page == "last_night" else TODAY)
        assert plan.habit in [t.value for t in at.text]


TODAY = dt.date.today()


def test_the_experiments_page_can_stop_an_experiment_named_with_braces(journal) -> None:
    """The KeyError came before "Stop this experiment": she could not stop it."""
    engine, plan = journal
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page("pages/experiments.py").run()
    assert not at.exception
    stop = [b for b in at.button if b.label == "Stop this experiment"]
    assert stop, "no way to stop her experiment"


def test_the_pdf_shows_her_words_as_typed(journal, tmp_path: Path) -> None:
    """Her questions in full; her name, a note, the magnesium form and the habit as typed, or
    the start of them as typed where the page shortens them ("…"). (A long side effect is
    shortened to "Side effect …" there: no words of hers to check.)"""
    engine, plan = journal
    pdf = appointment_pdf(
        engine, start=LAST_NIGHT - dt.timedelta(days=13), end=LAST_NIGHT, questions=WORDS
    )
    require_poppler()
    (tmp_path / "summary.pdf").write_bytes(pdf)
    flat = " ".join(poppler("pdftotext", tmp_path / "summary.pdf").split())  # reading order
    assert " ".join(WORDS.split()) in flat  # the questions
    for label, words in [("Name: ", WORDS), ("Her note: ", WORDS),
                         ("form: ", FORM), ("Habit tried: ", plan.habit)]:  # fmt: skip
        assert label in flat, label
        after = flat[flat.index(label) + len(label) :]
        if not after.startswith(words):
            cut = after.split(" …")[0]
            assert words.startswith(cut) and cut, (label, after[:120])


# --- In a real browser: what Streamlit's Markdown makes of the line with her habit ------------

BROWSER_HABIT = "{x} {t:>9} :red[x] **b** [l](http://example.invalid) ![i](http://example.invalid/i.png) <img src=x>"  # noqa: E501


@pytest.mark.browser
@pytest.mark.parametrize(("context", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_her_habit_is_plain_text_in_a_real_browser(browser, tmp_path: Path, context, name) -> None:  # noqa: ANN001
    """Last night and Experiments in Chromium: the habit reads exactly as typed; no link,
    image, colour or element is made from it, and nothing is fetched from another server."""
    require_chromium()
    url = f"sqlite:///{tmp_path / 'journal.db'}"
    engine = make_engine(url)
    ensure_schema(engine)
    with Session(engine) as s:
        save_profile(session=s, profile=make_profile(name=WORDS[:200]))
    plan = Plan(habit=BROWSER_HABIT, start=LAST_NIGHT - dt.timedelta(days=3), seed=5)
    with engine.begin() as conn:
        save_plan(conn, plan)
    engine.dispose()
    with running_app(url) as base:
        page = browser.new_page(**context)
        guard = Guard()
        guard.attach(page, base)
        for path, night in (("/", LAST_NIGHT), ("/experiments", TODAY)):
            page.goto(base + path)
            wait_for_app(page)
            main = page.locator("[data-testid=stMain]")
            line = main.locator("[data-testid=stAlert]").filter(has_text="Your experiment, block")
            words = line.locator("[data-testid=stMarkdownContainer]").inner_text().strip()
            assert words == plans.tonight_line(plan, night)
            habit = main.locator("[data-testid=stText]").filter(has_text="example.invalid")
            assert habit.inner_text().strip() == BROWSER_HABIT  # as typed, every character
            made = "a[href*='example.invalid'], img[src*='example.invalid'], img[src='x']"
            assert main.locator(made).count() == 0, habit.inner_html()
            assert habit.locator("strong, a, img, [class*=olored], span[style*=color]").count() == 0
            screenshot(page, f"her-words-{name}-{path.strip('/') or 'last_night'}")
        page.close()
    assert guard.foreign_requests == [] and guard.console_errors == []
