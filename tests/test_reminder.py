"""The calendar reminder: strict RFC 5545 lines, and a real iCalendar parser reads it back."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from types import ModuleType

import pytest

from tracker.cli import main
from tracker.exchange.reminder import TITLE, escape_text, fold, reminder_ics

NOW = dt.datetime(2026, 3, 1, 21, 5, 9, tzinfo=dt.UTC)


def icalendar_module() -> ModuleType:
    """The icalendar package; skipped on a laptop without it, a failure in CI."""
    try:
        import icalendar
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("icalendar is not installed (pip install -e '.[test]')", pytrace=False)
        pytest.skip("icalendar is not installed")
    return icalendar


def unfold(data: bytes) -> list[str]:
    """The content lines of a strictly formed file (every check here can fail)."""
    assert data.endswith(b"\r\n")
    physical = data[:-2].split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in physical)
    assert all(len(line) <= 75 for line in physical), "a line is longer than 75 octets"
    text = data.decode("utf-8").replace("\r\n ", "")  # each piece decodes: no split characters
    assert all(piece.decode("utf-8") for piece in physical)
    return text[:-2].split("\r\n")


def test_the_file_is_a_daily_floating_event_with_an_alarm() -> None:
    lines = unfold(reminder_ics(at=dt.time(7, 45), start=dt.date(2026, 3, 2), now=NOW))
    assert lines[:3] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Cramp Journal//Morning reminder//EN",
    ]
    assert lines[-2:] == ["END:VEVENT", "END:VCALENDAR"]
    assert "DTSTART:20260302T074500" in lines  # floating: no Z, no TZID
    assert "DTSTAMP:20260301T210509Z" in lines
    assert "RRULE:FREQ=DAILY" in lines
    assert re.fullmatch(
        r"UID:[0-9a-f-]{36}@cramp-journal", next(x for x in lines if x[:4] == "UID:")
    )
    alarm = lines[lines.index("BEGIN:VALARM") : lines.index("END:VALARM") + 1]
    assert alarm[1:-1] == [
        "ACTION:DISPLAY",
        f"DESCRIPTION:{TITLE}",
        "TRIGGER;RELATED=START:PT0S",
    ]


def test_a_real_parser_reads_it_back() -> None:
    icalendar = icalendar_module()
    calendar = icalendar.Calendar.from_ical(reminder_ics(start=dt.date(2026, 3, 2), now=NOW))
    (event,) = calendar.walk("VEVENT")
    start = event.decoded("DTSTART")
    assert start == dt.datetime(2026, 3, 2, 8, 0) and start.tzinfo is None  # 08:00 by default
    assert dict(event["RRULE"]) == {"FREQ": ["DAILY"]}
    assert str(event["SUMMARY"]) == TITLE
    assert "a night without cramps counts too" in str(event["DESCRIPTION"])
    (alarm,) = event.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm.decoded("TRIGGER") == dt.timedelta(0)
    assert not calendar.errors and not event.errors


def test_long_text_folds_between_characters_and_unfolds_to_the_same() -> None:
    text = "Crampe au mollet — réveillée à 2 h 40 💤; " * 6
    line = f"DESCRIPTION:{escape_text(text)}"
    folded = fold(line)
    pieces = folded.encode("utf-8").split(b"\r\n")
    assert len(pieces) > 3
    assert all(len(p) <= 75 for p in pieces) and all(p.startswith(b" ") for p in pieces[1:])
    assert all(p.decode("utf-8") for p in pieces)
    assert folded.replace("\r\n ", "") == line


def test_text_values_are_escaped() -> None:
    assert escape_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


def test_a_link_must_be_a_web_address() -> None:
    data = reminder_ics(link="http://127.0.0.1:8501", now=NOW)
    assert "URL:http://127.0.0.1:8501" in unfold(data)
    with pytest.raises(ValueError, match="is not a web address"):
        reminder_ics(link="http://x\r\nATTENDEE:mailto:someone@example.com")


def test_the_text_says_nothing_about_pregnancy() -> None:
    text = reminder_ics(now=NOW).decode().lower()
    assert not any(word in text for word in ("pregnan", "baby", "week", "due"))


def test_the_cli_writes_the_reminder(
    tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "remind.ics"
    assert main(["--db", sqlite_url, "reminder", str(target), "--at", "7.30"]) == 0
    assert "every day at 07:30" in capsys.readouterr().out
    assert any(
        line.startswith("DTSTART:") and line.endswith("T073000")
        for line in unfold(target.read_bytes())
    )
    assert target.stat().st_mode & 0o777 == 0o600
    assert main(["--db", sqlite_url, "reminder", str(target)]) == 1  # exists, no --force
    assert main(["--db", sqlite_url, "reminder", str(target), "--at", "25:00"]) == 2
