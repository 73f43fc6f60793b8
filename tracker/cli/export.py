"""`cramp-journal export`: the diary CSV, the JSON backup, FHIR or the appointment PDF."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.care.language import _, ngettext
from tracker.cli.common import (
    EXIT_USAGE,
    CommandFailed,
    file_kind,
    iso_date,
    refuse_existing,
    write_private,
)
from tracker.cli.words import language_choice
from tracker.exchange.backup_json import export_json
from tracker.exchange.diary_csv import encode_diary, export_diary
from tracker.exchange.fhir import export_fhir
from tracker.journal.store import count_nights, iter_nights


def _export_text(kind: str, engine: Engine, path: Path) -> tuple[str, str]:
    """The file's text and the message saying what it holds."""
    if kind == "csv":
        with Session(engine) as session:  # one transaction: the count is of the same nights
            text, nights = export_diary(iter_nights(session=session)), count_nights(session=session)
        done = ngettext(
            "Exported {count} night to {path}.", "Exported {count} nights to {path}.", nights
        )
        return text, done.format(count=nights, path=path)
    if kind == "json":
        with Session(engine) as session:
            nights = count_nights(session=session)
        done = ngettext(
            "Exported {count} night and the settings to {path}.",
            "Exported {count} nights and the settings to {path}.",
            nights,
        )
        return export_json(engine), done.format(count=nights, path=path)
    text = export_fhir(engine)
    count = sum(e["resource"]["resourceType"] == "Observation" for e in json.loads(text)["entry"])
    done = ngettext(
        "Exported {count} FHIR observation to {path}.",
        "Exported {count} FHIR observations to {path}.",
        count,
    )
    return text, done.format(count=count, path=path)


def _summary_pdf(args: argparse.Namespace, engine: Engine, path: Path) -> tuple[bytes, str]:
    """The appointment summary PDF for --from/--to (default: since the last appointment)."""
    from tracker.exchange.report import appointment_pdf
    from tracker.exchange.report_data import day_text, default_period
    from tracker.insights.frames import connection, load_profile

    with connection(engine) as conn:
        profile = load_profile(conn)
    end = args.end or dt.date.today() - dt.timedelta(days=1)
    start = args.start or default_period(profile, end)[0]
    if start > end:
        raise CommandFailed(_("--from must be on or before --to"), EXIT_USAGE)
    data = appointment_pdf(
        engine, start=start, end=end, paper=args.paper, language=args.pdf_language
    )
    done = _("Exported the summary of the nights {start} to {end} to {path}.")
    return data, done.format(start=day_text(start), end=day_text(end), path=path)


def run_export(args: argparse.Namespace, engine: Engine) -> int:
    """Export the journal as a diary CSV, a .json backup, a .fhir.json bundle or a PDF summary."""
    path = Path(args.file)
    refuse_existing(path, args.force)
    kind = file_kind(path)
    if kind != "pdf" and (args.start or args.end):
        raise CommandFailed(_("--from and --to only apply to a .pdf summary"), EXIT_USAGE)
    if kind == "pdf":
        data, done = _summary_pdf(args, engine, path)
    else:
        text, done = _export_text(kind, engine, path)
        data = encode_diary(text) if kind == "csv" else text.encode("utf-8")
    try:
        write_private(path, data)
    except OSError as exc:
        raise CommandFailed(
            _("cannot write {path}: {problem}").format(path=path, problem=exc.strerror or exc)
        ) from None
    print(done)
    return 0


def add_export(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `export FILE`: the journal as CSV, JSON backup or FHIR, by the file's name."""
    parser = subparsers.add_parser(
        "export",
        parents=[common],
        help=_(
            "export: FILE.csv diary, FILE.json full backup, FILE.fhir.json for clinics, "
            "FILE.pdf appointment summary"
        ),
        description=_(
            "Export the whole journal. The file name decides the format: .csv is the diary (one "
            "row per cramp), .json a complete backup that `import` restores exactly, .fhir.json "
            "a FHIR R4 bundle of patient-reported observations for clinical systems. .pdf is "
            "the appointment summary of --from/--to (default: since the last appointment set in "
            "Settings, else the last 4 weeks)."
        ),
    )
    parser.add_argument(
        "file",
        metavar=_("FILE"),
        help=_("the file to write: diary.csv, journal.json, x.fhir.json or summary.pdf"),
    )
    parser.add_argument("--force", action="store_true", help=_("overwrite the file if it exists"))
    parser.add_argument(
        "--from",
        dest="start",
        metavar=_("DATE"),
        type=iso_date,
        help=_("PDF: first night, YYYY-MM-DD"),
    )
    parser.add_argument(
        "--to",
        dest="end",
        metavar=_("DATE"),
        type=iso_date,
        help=_("PDF: last night (default: last night)"),
    )
    parser.add_argument(
        "--paper", choices=("A4", "Letter"), default="A4", help=_("PDF: paper size (default A4)")
    )
    parser.add_argument(
        "--pdf-language",
        metavar=_("LANGUAGE"),
        type=language_choice,
        help=_("PDF: its language, e.g. the clinician's (default: the language of the messages)"),
    )
    parser.set_defaults(run=run_export)
