"""Experiments and the clinician's Patients list in Spanish, through AppTest: every word the
pages draw, with no English message left (compared with the English catalog), plurals right
for one and for many, dates and numbers as Spanish writes them, her own words as typed."""

# Fixtures imported from other test modules are named again as the tests' arguments.
# ruff: noqa: F811
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import streamlit as st
import textstat
from babel.messages.pofile import read_po
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from tests.factories import make_profile
from tests.test_hosting import ALEX, SAM, Practice, log, practice  # noqa: F401 (fixture)
from tests.test_page_experiments import engine  # noqa: F401 (fixture: the app's journal)
from tracker.care import language
from tracker.care.language import LOCALE_DIR, _, speaking
from tracker.insights.adherence import Habit, ReliefTally, relief_sentences
from tracker.insights.experiments import describe_result, evaluate
from tracker.insights.patients import PatientRow
from tracker.insights.plan_words import block_plan
from tracker.journal.demo import fill_demo
from tracker.journal.plan_store import load_plans, save_plan
from tracker.journal.plans import ON, Block, Plan, plan_problems, schedule

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENTS = str(ROOT / "pages" / "experiments.py")
PATIENTS = str(ROOT / "pages" / "patients.py")
TODAY = dt.date.today()
with (LOCALE_DIR / "es/LC_MESSAGES/cramp_journal.po").open("rb") as _po:
    SPANISH = {m.id: m.string for m in read_po(_po) if m.id}
# Every English message whose Spanish differs: none of them may be on a Spanish page.
ENGLISH_MESSAGES = {
    english
    for ids, spanish in SPANISH.items()
    for english in (ids if isinstance(ids, tuple) else (ids,))
    if spanish and spanish != ids
}
# English words that no Spanish sentence of these pages has.
ENGLISH = re.compile(
    r"\b(the|and|your|you|she|her|nights?|cramps?|experiment|habit|blocks?|stop|remove|keep|"
    r"start|chance|logged|journal|warning|open|nothing|weeks?|to|of|on|off|about|times|more|"
    r"less|likely|range|yet|since|with|without|patients?|water|stretch\w*)\b",
    re.IGNORECASE,
)
EASY = 60.0  # Fernández Huerta reading ease: 60 and above is plain Spanish (about grade 8)


def open_in(page: str, locale: str = "es-ES", **state) -> AppTest:  # noqa: ANN003
    at = AppTest.from_file(page, default_timeout=30)
    at.context = {"locale": locale}
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception
    return at


def page_texts(at: AppTest) -> list[str]:
    """Every word a page draws: headings, text, alerts, toasts, labels, choices, placeholders,
    links and the table's headings and cells."""
    kinds = ("title", "subheader", "markdown", "caption", "text", "error", "warning", "info")
    words = [e.value for kind in (*kinds, "success", "toast") for e in at.get(kind)]
    words += [e.label for kind in ("button", "checkbox", "text_input", "date_input") for e in
              at.get(kind)]  # fmt: skip
    words += [e.placeholder for e in at.text_input] + [e.proto.label for e in at.get("expander")]
    for group in at.get("button_group"):
        words += [group.proto.label, *group.options]
    for table in at.table:
        words += [str(c) for c in table.value.columns]
        words += [str(cell) for row in table.value.itertuples(index=False) for cell in row]
    return [w.replace("\\", "") for w in words if w]  # Markdown escapes of a name


def english_left(texts: list[str], hers: tuple[str, ...] = ()) -> list[str]:
    """The texts that still say something in English (her own words set aside)."""
    ours = [t for t in texts if t not in hers]
    return [t for t in ours if t in ENGLISH_MESSAGES or ENGLISH.search(t)]


def es_day(night: dt.date) -> str:
    with speaking("es"):
        return language.date(night, _("EEE dd MMM"))


def hard_spanish(sentences: list[str]) -> list[tuple[float, str]]:
    textstat.set_lang("es")
    try:
        return [(s, t) for t in sentences if (s := textstat.fernandez_huerta(t)) < EASY]
    finally:
        textstat.set_lang("en_US")


# ---------------------------------------------------------------- Experiments


def test_a_running_experiment_in_spanish_and_stopping_it(engine) -> None:
    with Session(engine) as session:
        fill_demo(session=session)  # twelve weeks ending last night
    start = TODAY - dt.timedelta(days=20)
    with engine.begin() as conn:
        save_plan(conn, Plan(habit="stretching", start=start, seed=11))
    at = open_in(EXPERIMENTS)
    shown = page_texts(at)
    assert english_left(shown) == []
    assert [h.value for h in at.subheader] == ["Su experimento", "Hasta ahora"]
    assert "Estirar las pantorrillas antes de dormir" in [t.value for t in at.text]
    plan = next(m.value for m in at.markdown if " bloques de " in m.value)
    assert re.fullmatch(
        r"12 bloques de \d a \d noches: \d+ noches \(unas \d+ semanas\), "
        r"del \w+ \d{1,2} \w+ al \w+ \d{1,2} \w+\.",
        plan,
    ), plan
    assert plan.endswith(
        f"del {es_day(start)} al {es_day(schedule(load_plans_of(engine))[-1].end)}."
    )
    line = at.success[0].value
    assert re.fullmatch(r"Su experimento, bloque \d+ de 12 \((con|sin) el hábito\): .+\.", line)
    table = at.table[0].value
    assert list(table.columns) == ["Noches", "Hábito"]
    assert set(table["Hábito"]) == {"con el hábito", "sin el hábito"}
    assert table["Noches"][0].startswith(f"del {es_day(start)} al ")
    said = [m.value for m in at.markdown]
    assert any(s.startswith("En su experimento se anotaron ") for s in said)
    assert any(re.fullmatch(r"En las noches con el hábito tuvo \d+,\d calambres por noche; "
                            r"en las noches sin él, \d+,\d\.", s) for s in said)  # fmt: skip

    at.button(key="ex_stop").click().run()
    ask = at.warning[0].value
    yesterday = TODAY - dt.timedelta(days=1)
    assert ask == (
        f"¿Detener su experimento después de la noche del {es_day(yesterday)}? Esta noche no "
        "tendrá plan. Las noches que anotó se quedan en su diario."
    )
    buttons = (at.button(key="ex_stop_yes").label, at.button(key="ex_stop_no").label)
    assert buttons == ("Sí, detenerlo", "Seguir")
    at.button(key="ex_stop_yes").click().run()
    assert not at.exception
    assert at.success[0].value == "Su experimento está detenido. Esta noche no tiene plan."
    assert [t.value for t in at.toast] == [at.success[0].value]
    planned = sum(b.nights for b in schedule(load_plans_of(engine)))
    said = [m.value for m in at.markdown]
    assert f"Se detuvo antes de tiempo, tras 20 de {planned} noches." in said
    assert "Lo que encontró su experimento" in [h.value for h in at.subheader]
    assert english_left(page_texts(at)) == []


def load_plans_of(engine) -> Plan:  # noqa: ANN001
    with engine.connect() as conn:
        return load_plans(conn)[0][1]


def test_a_finished_experiment_in_spanish_in_plain_words_and_a_new_plan(engine) -> None:
    with Session(engine) as session:
        fill_demo(session=session)
    with engine.begin() as conn:
        save_plan(conn, Plan(habit="stretching", start=TODAY - dt.timedelta(days=70), seed=11))
    at = open_in(EXPERIMENTS)
    assert "Lo que encontró su experimento" in [h.value for h in at.subheader]
    found = [m.value for m in at.markdown]
    found = found[found.index(next(s for s in found if s.startswith("En su experimento"))) :]
    found = found[: next(i for i, s in enumerate(found) if s.startswith("Así que")) + 1]
    assert len(found) >= 5 and found[-2].startswith("Al barajar los bloques")
    assert hard_spanish(found) == []
    # A new plan, in Spanish: the habits as buttons, each habit's own question.
    habits = at.button_group(key="ex_habit")
    assert habits.label == "¿Qué quiere probar?"
    assert habits.options == ["Estirar las pantorrillas antes de dormir", "Una meta de agua",
                              "Magnesio", "Otro hábito"]  # fmt: skip
    with speaking("es"):  # AppTest says a choice as format_func does, in the test's thread
        at.button_group(key="ex_habit").set_value("water").run()
    target = at.button_group(key="ex_target")
    assert target.label == "Agua que beber los días con el hábito"
    assert target.options == ["1500 ml", "2000 ml", "2500 ml", "3000 ml"]
    with speaking("es"):
        at.button_group(key="ex_habit").set_value("other").run()
    own = at.text_input(key="ex_own")
    assert (own.label, own.placeholder) == (
        "Otro hábito, con sus palabras",
        "p. ej., piernas en alto contra la pared 10 minutos",
    )
    assert english_left(page_texts(at)) == []
    at.text_input(key="ex_own").input("Extra salt at dinner")
    at.button(key="ex_go").click().run()
    assert not at.exception
    (error,) = [e.value for e in at.error]
    assert error == (
        "No se aconseja tomar más sal en el embarazo, así que no puede ser un experimento. "
        "Todavía no se ha empezado nada."
    )
    assert at.text_input(key="ex_own").value == "Extra salt at dinner"  # her typing kept
    assert len(load_plans_all(engine)) == 1  # nothing saved
    at.text_input(key="ex_own").input("legs *up* the wall")
    at.button(key="ex_go").click().run()
    assert at.success[0].value == "Su experimento está guardado. Empieza esta noche."
    assert "legs *up* the wall" in [t.value for t in at.text]  # hers, as typed
    assert english_left(page_texts(at), hers=("legs *up* the wall",)) == []


def load_plans_all(engine) -> list:  # noqa: ANN001
    with engine.connect() as conn:
        return load_plans(conn)


def test_a_plan_that_cannot_run_is_named_in_spanish_and_removed(engine) -> None:
    from sqlalchemy import text

    with engine.begin() as conn:
        save_plan(conn, Plan(habit="stretching", start=dt.date(2026, 9, 1), seed=5))
        conn.execute(text("UPDATE experiment SET blocks = 2000000"))
    at = open_in(EXPERIMENTS)
    (warning,) = [w.value for w in at.warning]
    assert warning == (
        "Un experimento de su diario, desde la noche del 1 sept 2026, no se puede usar: "
        "Use un número par de bloques, de 4 a 16 (este plan tiene 2.000.000). "
        "Quítelo para planear otro. Las noches que anotó se quedan en su diario."
    )
    (remove,) = [b for b in at.button if b.label == "Quitar este experimento"]
    remove.click().run()
    assert "¿Quitar este experimento? Las noches que anotó se quedan en su diario." in [
        w.value for w in at.warning
    ]
    at.button(key="ex_remove_yes").click().run()
    assert not at.exception
    assert at.success[0].value == "Ese experimento se ha quitado. Todas sus noches siguen ahí."
    assert english_left(page_texts(at)) == []


# ---------------------------------------------------------------- plurals, numbers, dates


def blocks_of(*lengths: int) -> tuple[Block, ...]:
    out, start = [], dt.date(2026, 12, 7)
    for length in lengths:
        out.append(Block(start, length, ON))
        start += dt.timedelta(days=length)
    return tuple(out)


def test_the_plan_in_spanish_words_for_one_and_for_many() -> None:
    with speaking("es"):
        assert block_plan(blocks_of(5, 5, 5, 5)) == (
            "4 bloques de 5 noches: 20 noches (unas 3 semanas), del lun 7 dic al sáb 26 dic."
        )
        assert block_plan(blocks_of(3, 3, 4, 3)) == (
            "4 bloques de 3 a 4 noches: 13 noches, del lun 7 dic al sáb 19 dic."
        )
        assert (
            block_plan(blocks_of(1)) == "1 bloque de 1 noche: 1 noche, del lun 7 dic al lun 7 dic."
        )
        seed = plan_problems(Plan(habit="stretching", start=dt.date(2026, 1, 1), seed=-1))
        assert seed == {"seed": "La semilla debe ser un número entero de 0 a 2.147.483.647."}


def result_of(logged: list[int], kept: list[bool | None], today: dt.date):  # noqa: ANN201
    """A named habit's experiment (four blocks drawn by seed 0): one cramp on each night
    logged (days after the start), her answers to "Did you keep to the plan?"."""
    import pandas as pd

    plan = Plan(habit="legs up the wall", start=dt.date(2026, 9, 1), seed=0, blocks=4)
    blocks = schedule(plan)
    nights = pd.DataFrame(
        {
            "night": [pd.Timestamp(blocks[0].start + dt.timedelta(days=d)) for d in logged],
            "cramps": [1] * len(logged),
            "plan_kept": pd.array(kept, dtype="boolean"),
        }
    )
    return evaluate(plan, nights, today=today)


def test_the_result_in_spanish_for_one_night_and_for_many() -> None:
    start = dt.date(2026, 9, 1)
    one = result_of([0], [True], today=start + dt.timedelta(days=2))  # 1 logged, 1 not
    with speaking("es"):
        said = describe_result(one)
    arm = one.blocks[0].arm
    on, off = ("1 noche", "0 noches") if arm == ON else ("0 noches", "1 noche")
    assert said[0] == (
        f"En su experimento se anotaron {on} con el hábito y {off} sin él; 1 noche sin anotar."
    )
    kept = (
        "1 de 1 noche con el hábito y en 0 de 0 noches sin el hábito"
        if arm == ON
        else ("0 de 0 noches con el hábito y en 1 de 1 noche sin el hábito")
    )
    assert said[1] == f"El plan se siguió en {kept}."
    many = result_of([0, 3], [True, False], today=start + dt.timedelta(days=4))
    with speaking("es"):
        said = describe_result(many)
    assert said[0].endswith("sin él; 2 noches sin anotar.")
    with speaking("es"):
        clinician = describe_result(many, "she")
    assert clinician[0].startswith("En el experimento de la paciente se anotaron ")


def test_relief_and_habits_for_the_summary_in_spanish() -> None:
    from tracker.insights.adherence import Adherence, Magnesium, habit_sentences

    with speaking("es"):
        said = relief_sentences([ReliefTally("stretch", 1, 1, 0), ReliefTally("massage", 3, 1, 1)])
    assert said == [
        f"{SPANISH['Stretched']}: probado una vez, funcionó",
        f"{SPANISH['Massage']}: funcionó 1 de 3 veces (1 sin anotar)",
    ]
    with speaking("es"):
        habits = Adherence(
            nights=3,
            stretching=Habit(recorded=1, done=1, median=7.5),
            water=Habit(recorded=0, done=0, median=None),
            activity=Habit(recorded=3, done=2, median=20.0),
            magnesium=Magnesium(1, 3, (300,), ("citrate",), True),
            side_effects=(),
        )
        said = habit_sentences(habits, "ml", dt.date(2026, 12, 1))
    assert said[0] == "Estiramiento de pantorrillas: en 1 de 1 noche anotada, normalmente 7,5 min"
    assert said[1] == "Actividad: en 2 de 3 noches anotadas, normalmente 20 min"
    assert said[2] == "Agua: sin anotar"
    assert said[3].startswith("Magnesio: 300 mg, 1 de 3 noches anotadas; forma: citrate; ")
    assert said[3].endswith("; acordado con un profesional sanitario: sí")


# ---------------------------------------------------------------- Patients


def test_what_needs_attention_in_spanish() -> None:
    sign = ((dt.date(2026, 12, 6), ("fever", "one_leg_swelling")),)
    with speaking("es"):
        signs = PatientRow(1, "Sam", "", None, sign, None, 0).attention()
        quiet = PatientRow(2, "Bea", "", dt.date(2026, 12, 1), (), None, 5).attention()
        never = PatientRow(3, "Cat", "", None, (), None, None).attention()
    assert signs == (
        "Señal de alarma anotada desde que usted miró por última vez: dom 6 dic: Fiebre, "
        "Hinchazón en una sola pierna, sobre todo en la pantorrilla"
    )
    assert (quiet, never) == ("Ninguna noche anotada desde hace 5 días", "Nada anotado todavía")


DOCTOR = "dr.lee@practice.example"


@pytest.mark.postgres
def test_the_patients_list_in_spanish(practice: Practice, monkeypatch) -> None:  # noqa: F811
    """A clinician whose browser speaks Spanish: Sam (a warning sign) first, Alex (nothing
    logged) after; her week of pregnancy, the dates and every word in Spanish."""
    from tracker.cli import main
    from tracker.journal import accounts
    from tracker.journal.accounts import acting_as
    from tracker.journal.sharing import share_with
    from tracker.journal.store import save_profile

    assert main(["--db", practice.owner_url, "accounts", "add", DOCTOR, "--clinician",
                 "--name", "Dr Lee"]) == 0  # fmt: skip
    doctor = practice.account(DOCTOR)
    log(practice, SAM, 2, "Sam's night")  # a fever, two nights ago
    for email in (SAM, ALEX):
        with acting_as(practice.account(email)), Session(practice.app) as session:
            share_with(session=session, clinician_id=doctor)
    with acting_as(practice.account(SAM)), Session(practice.app) as session:
        due = TODAY + dt.timedelta(weeks=8)  # week 32+0 today
        save_profile(session=session, profile=make_profile(due_date=due))
    # The page run as the clinician's signed-in session (as `serve --accounts` has it).
    monkeypatch.setenv("DATABASE_URL", practice.app_url)
    monkeypatch.setattr(accounts, "_session_account", [lambda: doctor])
    st.cache_resource.clear()
    at = open_in(PATIENTS, _account=(doctor, DOCTOR, "clinician"))
    assert at.title[0].value == "Pacientes"
    names = [t.value for t in at.text]
    assert names == ["P", "P"]  # as the practice wrote them (tests.test_hosting's practice)
    fever = TODAY - dt.timedelta(days=2)
    assert [e.value.replace("\\", "") for e in at.error] == [
        f"Señal de alarma anotada desde que usted miró por última vez: {es_day_short(fever)}: "
        "Fiebre"
    ]
    assert [i.value for i in at.info] == ["Nada anotado todavía"]
    captions = [c.value for c in at.caption]
    assert f"semana 32+0 · Última noche anotada: {es_day(fever)}" in captions
    assert "Última noche anotada: nada anotado todavía" in captions
    opens = [b.label.replace("\\", "").replace("\u2060", "") for b in at.button]
    assert opens == ["Abrir el diario de P"] * 2
    assert english_left(page_texts(at), hers=("P",)) == []


def es_day_short(night: dt.date) -> str:
    with speaking("es"):
        return language.date(night, "EEE d MMM")
