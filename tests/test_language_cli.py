"""The command line in her language: the terminal's (LANG, ...) or --language, for every message,
--help and argparse's own words; English unchanged without them; and a failure said for what it
is (a database error is a database error) in both languages."""

from __future__ import annotations

import argparse
import ast
import gettext
import io
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.factories import days_ago, make_entry
from tracker.care import language
from tracker.care.language import LOCALE_DIR, language_of_environment, speaking
from tracker.cli import build_parser, main
from tracker.cli.words import expected_arguments
from tracker.journal.store import count_nights, save_night

ROOT = Path(__file__).resolve().parent.parent
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
COMMANDS = sorted(build_parser()._subparsers._group_actions[0].choices)  # noqa: SLF001


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """Set the terminal's language as a shell would (LANG=...), nothing else of the locale."""

    def set_lang(value: str | None) -> None:
        for name in LOCALE_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        if value is not None:
            monkeypatch.setenv("LANG", value)

    return set_lang


def spanish_catalog():  # noqa: ANN201
    with (LOCALE_DIR / "es/LC_MESSAGES/cramp_journal.po").open("rb") as po:
        return read_po(po, locale="es")


def english_left(said: str) -> list[str]:
    """Every English message of the catalog (or the longest plain piece of one with
    placeholders) that shows in `said`, where Spanish was wanted. Whitespace is evened out
    (argparse wraps help text); a command's name (`erase`, `export`) is not a message."""
    said = " ".join(said.split())
    found = []
    for message in spanish_catalog():
        if not message.id:
            continue
        spanish = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in message.id if isinstance(message.id, tuple) else (message.id,):
            pieces = re.split(r"\{\w*\}|%\(\w+\)[sr]|%[sr]", " ".join(english.split()))
            piece = max((p.strip() for p in pieces), key=len)
            if len(piece) < 4 or piece in COMMANDS or any(piece in s for s in spanish if s):
                continue
            if re.search(rf"(?<![\w-]){re.escape(piece)}(?![\w-])", said):
                found.append(piece)
    return found


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "en"),
        ({"LANG": "es_ES.UTF-8"}, "es"),
        ({"LANG": "es_MX"}, "es"),
        ({"LANG": "es"}, "es"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "POSIX"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),  # no French catalog yet: English
        ({"LANG": "es_ES.UTF-8", "LC_ALL": "C"}, "en"),  # LC_ALL comes before LANG
        ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "es_ES.UTF-8"}, "es"),
        ({"LANG": "en_US.UTF-8", "LANGUAGE": "de:es"}, "es"),  # LANGUAGE's first we speak
        ({"LANG": "es_ES.UTF-8", "LANGUAGE": "en_GB:es"}, "en"),
    ],
)
def test_the_terminal_language_is_read_as_gettext_reads_it(environment, expected) -> None:  # noqa: ANN001
    assert language_of_environment(environment) == expected


def test_help_in_spanish_has_no_english_message_left(terminal, capsys) -> None:  # noqa: ANN001
    terminal("es_ES.UTF-8")
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("uso: cramp-journal")
    assert "opciones:" in out and "mostrar esta ayuda y salir" in out and "ORDEN" in out
    assert "calambres nocturnos" in out
    assert english_left(out) == []
    for word in ("usage:", "options:", "show this help", "positional arguments"):  # argparse's
        assert word not in out


@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "bench"])
def test_each_command_help_in_spanish_has_no_english_message_left(
    command: str,
    terminal,
    capsys,  # noqa: ANN001
) -> None:
    terminal("es_ES.UTF-8")
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"uso: cramp-journal {command}") and "opciones:" in out
    assert english_left(out) == []


def test_the_bench_is_for_developers_in_english_but_argparse_speaks_spanish(
    terminal,
    capsys,  # noqa: ANN001
) -> None:
    terminal("es_ES.UTF-8")
    assert main(["--help"]) == 0
    assert "para desarrolladores, en inglés" in " ".join(capsys.readouterr().out.split())
    assert main(["bench", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("uso: cramp-journal bench") and "mostrar esta ayuda y salir" in out
    assert "synthetic journals" in out  # its own description stays English


def test_accounts_actions_help_in_spanish(terminal, capsys) -> None:  # noqa: ANN001
    terminal("es_ES.UTF-8")
    assert main(["accounts", "add", "--help"]) == 0
    out = capsys.readouterr().out
    assert "CORREO" in out and "un profesional sanitario, sin diario" in out
    assert english_left(out) == []


@pytest.mark.parametrize("lang", [None, "C", "C.UTF-8", "en_US.UTF-8"])
def test_english_is_unchanged_without_a_spanish_terminal(lang, terminal, capsys) -> None:  # noqa: ANN001
    terminal(lang)
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: cramp-journal") and "show this help message and exit" in out
    assert "A local-first journal for night-time leg cramps in pregnancy." in out
    assert main(["export"]) == 2
    assert "error: the following arguments are required: FILE" in capsys.readouterr().err


def test_the_language_option_wins_over_the_terminal(terminal, capsys) -> None:  # noqa: ANN001
    terminal("es_ES.UTF-8")
    assert main(["--language", "en", "--help"]) == 0
    assert capsys.readouterr().out.startswith("usage:")
    terminal("C")
    assert main(["export", "--help", "--language=es"]) == 0  # after the command too
    assert capsys.readouterr().out.startswith("uso:")
    assert main(["--language", "fr", "summary"]) == 2
    assert "'fr' is not a language Cramp Journal speaks: en, es" in capsys.readouterr().err


def test_a_run_leaves_no_language_and_no_argparse_change_behind(terminal, capsys) -> None:  # noqa: ANN001
    terminal("es_ES.UTF-8")
    main(["--help"])
    capsys.readouterr()
    assert language.current() == "en"
    assert argparse._ is gettext.gettext and argparse.ngettext is gettext.ngettext  # noqa: SLF001


def test_argparse_refusals_are_said_in_spanish(terminal, capsys) -> None:  # noqa: ANN001
    terminal("es_ES.UTF-8")
    assert main(["export"]) == 2
    err = capsys.readouterr().err
    assert "uso: cramp-journal export" in err
    assert "cramp-journal export: error: faltan estos argumentos: ARCHIVO" in err
    assert main(["frobnicate"]) == 2
    assert "argumento ORDEN: opción no válida: 'frobnicate' (elija entre" in capsys.readouterr().err
    assert main(["demo", "--seed", "x"]) == 2
    assert "argumento --seed: 'x' no es un número entero" in capsys.readouterr().err
    assert main(["summary", "--from", "2026-13-01"]) == 2
    assert "'2026-13-01' no es una fecha: escríbala así: 2026-03-01" in capsys.readouterr().err
    assert main(["summary", "--bogus"]) == 2
    assert "argumentos no reconocidos: --bogus" in capsys.readouterr().err
    assert main(["summary", "--from"]) == 2
    assert "argumento --from: se esperaba un argumento" in capsys.readouterr().err
    with speaking("es"):
        assert [expected_arguments(n) for n in (1, 2)] == [
            "se esperaba 1 argumento",
            "se esperaban 2 argumentos",
        ]


def test_a_refusal_is_said_in_spanish_and_writes_nothing(
    sqlite_url: str,
    sqlite_engine: Engine,
    tmp_path: Path,
    terminal,
    capsys,  # noqa: ANN001
) -> None:
    terminal("es_ES.UTF-8")
    taken = tmp_path / "diario.csv"
    taken.write_text("kept")
    assert main(["--db", sqlite_url, "export", str(taken)]) == 1
    assert f"{taken} ya existe: elija otro nombre o añada --force" in capsys.readouterr().err
    assert taken.read_text() == "kept"
    assert (
        main(["--db", sqlite_url, "export", str(tmp_path / "x.csv"), "--from", "2026-01-01"]) == 2
    )
    assert "--from y --to solo sirven para un resumen .pdf" in capsys.readouterr().err


def test_a_done_message_is_said_in_spanish(
    sqlite_url: str,
    sqlite_engine: Engine,
    tmp_path: Path,
    terminal,
    capsys,  # noqa: ANN001
) -> None:
    terminal("es_ES.UTF-8")
    with Session(sqlite_engine) as session:
        save_night(session=session, entry=make_entry(days_ago(1)))
    assert main(["--db", sqlite_url, "export", str(tmp_path / "a.csv")]) == 0
    assert capsys.readouterr().out == f"Se ha exportado 1 noche a {tmp_path / 'a.csv'}.\n"
    assert main(["--db", sqlite_url, "import", str(tmp_path / "a.csv")]) == 0
    assert "noches añadidas: 0; reemplazadas: 0; ya estaban en el diario: 1." in (
        capsys.readouterr().out
    )


@pytest.mark.parametrize(
    ("lang", "answer", "erased"),
    [
        ("es_ES.UTF-8", "borrar\n", True),
        ("es_ES.UTF-8", "BORRAR \n", True),
        ("es_ES.UTF-8", "erase\n", True),  # a script written for English still works
        ("es_ES.UTF-8", "no\n", False),
        ("C", "borrar\n", False),  # an English terminal asks for "erase"
        ("C", "erase\n", True),
    ],
)
def test_erase_asks_for_the_word_of_her_language(
    lang: str,
    answer: str,
    erased: bool,
    sqlite_url: str,
    sqlite_engine: Engine,
    terminal,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
    capsys,  # noqa: ANN001
) -> None:
    terminal(lang)
    with Session(sqlite_engine) as session:
        for day in (1, 2, 3):
            save_night(session=session, entry=make_entry(days_ago(day)))
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    assert main(["--db", sqlite_url, "erase"]) == (0 if erased else 1)
    out, err = capsys.readouterr()
    spanish = lang.startswith("es")
    asked = 'Escriba "borrar" para borrarlo todo: ' if spanish else 'Type "erase" to delete'
    assert asked in out
    if erased:
        said = "Se han borrado 3 noches" if spanish else "Erased 3 nights"
        assert said in out
    else:
        assert ("no se ha borrado nada" if spanish else "nothing was deleted") in err
    with Session(sqlite_engine) as session:
        assert count_nights(session=session) == (0 if erased else 3)


def test_the_pdf_can_be_in_another_language_than_the_messages(
    sqlite_url: str,
    sqlite_engine: Engine,
    tmp_path: Path,
    terminal,
    capsys,  # noqa: ANN001
) -> None:
    terminal("es_ES.UTF-8")
    with Session(sqlite_engine) as session:
        save_night(session=session, entry=make_entry(days_ago(2)))
    pdf = tmp_path / "summary.pdf"
    assert main(["--db", sqlite_url, "export", str(pdf), "--pdf-language", "en"]) == 0
    assert "Se ha exportado el resumen de las noches" in capsys.readouterr().out
    read = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    assert "Typical cramp" in read.stdout  # the clinician's English


# --- a failure said for what it is -------------------------------------------------------------


def _failing(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    """The summary's computation raises `error` (as a driver or a bug would, mid-command)."""

    def fail(**_kwargs: object) -> None:
        raise error

    monkeypatch.setattr("tracker.insights.summary.summarise", fail)


@pytest.mark.parametrize(
    ("lang", "said"),
    [("C", "summary stopped on a database error"), ("es_ES", "error de la base de datos")],
)
def test_a_database_error_from_the_driver_is_said_to_be_one(
    lang: str,
    said: str,
    sqlite_url: str,
    sqlite_engine: Engine,
    terminal,
    monkeypatch,
    capsys,  # noqa: ANN001
) -> None:
    """A sqlite3 error not wrapped by SQLAlchemy (the old code called it "something this
    version cannot work with" in the journal)."""
    terminal(lang)
    _failing(monkeypatch, sqlite3.OperationalError("disk I/O error"))
    assert main(["--db", sqlite_url, "summary"]) == 1
    err = capsys.readouterr().err
    assert said in err and "(OperationalError)" in err
    assert "cannot work with" not in err and "no puede trabajar" not in err


def test_a_database_error_through_sqlalchemy_is_said_to_be_one(
    sqlite_url: str,
    sqlite_engine: Engine,
    terminal,
    capsys,  # noqa: ANN001
) -> None:
    terminal(None)
    with sqlite_engine.begin() as conn:
        conn.execute(text("DROP TABLE cramp"))
    assert main(["--db", sqlite_url, "summary"]) == 1
    err = capsys.readouterr().err
    assert "summary stopped on a database error" in err and "(OperationalError)" in err


def test_a_fault_that_is_not_the_journal_is_not_blamed_on_it(
    sqlite_url: str,
    sqlite_engine: Engine,
    terminal,
    monkeypatch,
    capsys,  # noqa: ANN001
) -> None:
    """e.g. the bench's closed websocket: a fault of the program, said as one."""
    terminal(None)
    _failing(monkeypatch, ConnectionResetError("websocket closed"))
    assert main(["--db", sqlite_url, "summary"]) == 1
    err = capsys.readouterr().err
    assert "summary stopped: a file could not be read or written" in err
    assert "cannot work with" not in err
    _failing(monkeypatch, KeyError("cramps"))
    terminal("es_ES.UTF-8")
    assert main(["--db", sqlite_url, "summary"]) == 1
    err = capsys.readouterr().err
    assert "summary se ha parado por un error inesperado (KeyError): un fallo de Cramp " in err
    assert "no puede trabajar" not in err and "base de datos" not in err
    assert "No se ha cambiado nada." in err  # summary only reads


def test_a_fault_in_a_command_that_writes_claims_nothing_it_cannot_know(
    sqlite_url: str,
    sqlite_engine: Engine,
    tmp_path: Path,
    terminal,
    monkeypatch,
    capsys,  # noqa: ANN001
) -> None:
    terminal(None)

    def broken(**_kwargs: object) -> None:
        raise KeyError("night")

    monkeypatch.setattr("tracker.cli.importing.import_diary", broken)
    diary = tmp_path / "in.csv"
    diary.write_text("night,severity\n2026-01-02,5\n", encoding="utf-8")
    assert main(["--db", sqlite_url, "import", str(diary)]) == 1
    err = capsys.readouterr().err
    assert "import stopped on an unexpected error (KeyError)" in err
    assert "Nothing was changed" not in err


def test_a_reader_that_stops_reading_is_no_error_to_report(
    sqlite_url: str,
    sqlite_engine: Engine,
    terminal,
    monkeypatch,
    capsys,  # noqa: ANN001
) -> None:
    """`cramp-journal summary | head -1`: the pipe closes; nothing is blamed on the journal."""
    terminal(None)
    _failing(monkeypatch, BrokenPipeError(32, "Broken pipe"))
    assert main(["--db", sqlite_url, "summary"]) == 1
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("lang", ["C", "es_ES.UTF-8"])
def test_a_stored_value_this_version_cannot_read_is_said_to_be_one(
    lang: str,
    sqlite_url: str,
    sqlite_engine: Engine,
    tmp_path: Path,
    terminal,
    capsys,  # noqa: ANN001
) -> None:
    """A cramp's time written by hand as 'garbage': the journal holds something this version
    cannot work with, nothing is written."""
    terminal(lang)
    with Session(sqlite_engine) as session:
        save_night(session=session, entry=make_entry(days_ago(1)))
    with sqlite_engine.begin() as conn:
        conn.execute(text("UPDATE cramp SET time = 'garbage'"))
    assert main(["--db", sqlite_url, "export", str(tmp_path / "x.csv")]) == 1
    err = capsys.readouterr().err
    said = "no puede trabajar" if lang.startswith("es") else "cannot work with (ValueError)"
    assert said in err and "base de datos" not in err and "database error" not in err
    assert not (tmp_path / "x.csv").exists()


# --- every word the command line says goes through gettext ---------------------------------------
# The bench is a developer's tool: its report, options and goal names stay English.
SCANNED_CLI = sorted(p for p in (ROOT / "tracker/cli").glob("*.py") if p.name != "bench.py")
SAYERS = {"print", "input", "getpass", "CommandFailed", "ArgumentTypeError", "error"}
WORDS_KEYWORDS = ("help", "description", "metavar")
# Said the same in every language: the program's name before a message, and metavars that are
# codes (URL, ID, a number N, a time HH:MM, a database ROLE).
THE_SAME = re.compile(r"(cramp-journal:?|URL|ID|N|HH:MM|ROLE)")


def plain_words(node: ast.AST) -> bool:
    """True when an expression writes English words as they are in the code (a literal, or one
    glued into an f-string, a + or an if/else), not through _()."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and any(
            ch.isalpha() for ch in THE_SAME.sub("", node.value)
        )
    if isinstance(node, ast.JoinedStr):
        return any(plain_words(part) for part in node.values)
    if isinstance(node, ast.BinOp):
        return plain_words(node.left) or plain_words(node.right)
    if isinstance(node, ast.IfExp):
        return plain_words(node.body) or plain_words(node.orelse)
    return False


def words_outside_gettext(source: str, name: str = "<made up>") -> list[str]:
    """Each call that prints, asks, refuses or describes an option with words outside _()."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        called = getattr(node.func, "attr", getattr(node.func, "id", ""))
        said = list(node.args[:1]) if called in SAYERS else []
        said += [k.value for k in node.keywords if k.arg in WORDS_KEYWORDS]
        if any(plain_words(arg) for arg in said):
            found.append(f"{name}:{node.lineno}")
    return found


@pytest.mark.parametrize("path", SCANNED_CLI, ids=lambda p: p.name)
def test_every_word_the_command_line_says_goes_through_gettext(path: Path) -> None:
    assert words_outside_gettext(path.read_text(), path.name) == []


def test_the_cli_scan_catches_words_written_outside_gettext() -> None:
    source = """
print(f"Exported {count} nights")
print("cramp-journal: " + _("stopped"))
raise CommandFailed("nothing was deleted")
parser.add_argument("--db", metavar="URL", help=_("the database"))
parser.add_argument("--from", metavar="DATE", help="first night")
input(_('Type "{word}": ').format(word=word))
parser.error("unrecognized arguments: " + extra)
raise argparse.ArgumentTypeError(f"'{text}' is not a date")
subparsers.add_parser("erase", description="Delete everything")
print(f"{person.email}\\t{person.kind}")
"""
    assert words_outside_gettext(source) == [f"<made up>:{n}" for n in (2, 4, 6, 8, 9, 10)]


def test_the_command_runs_in_spanish_in_its_own_process(tmp_path: Path) -> None:
    """As she runs it: `LANG=es_ES.UTF-8 cramp-journal export` with nothing to export into."""
    done = subprocess.run(
        [sys.executable, "-m", "tracker.cli", "export"],
        cwd=ROOT,
        env={"LANG": "es_ES.UTF-8", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "faltan estos argumentos: ARCHIVO" in done.stderr and "uso:" in done.stderr
