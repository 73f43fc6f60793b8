"""A calendar file (iCalendar, RFC 5545) with a daily morning reminder to log last night.

Any calendar app can import it. The time is floating (08:00 wherever she is, also after a
time-zone or daylight-saving change). Calendars are often synced to a cloud service, so the
text names the app and nothing about her pregnancy or health.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

DEFAULT_TIME = dt.time(8, 0)
FILENAME = "cramp-journal-reminder.ics"
MEDIA_TYPE = "text/calendar"
PRODID = "-//Cramp Journal//Morning reminder//EN"
TITLE = "Log last night in Cramp Journal"
DESCRIPTION = (
    "How was last night? Log it in Cramp Journal while you remember: it takes a few "
    "seconds, and a night without cramps counts too."
)
LINE_OCTETS = 75  # RFC 5545 3.1: longer lines are folded


def escape_text(text: str) -> str:
    """A TEXT value with backslash, semicolon, comma and newlines escaped (RFC 5545 3.3.11)."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return re.sub(r"\r\n|\r|\n", "\\\\n", text)


def fold(line: str) -> str:
    """One content line folded into lines of at most 75 octets, never inside a character."""
    lines, current, size = [], "", 0
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > LINE_OCTETS:
            lines.append(current)
            current, size = " ", 1  # a continuation line starts with one space
        current += char
        size += octets
    return "\r\n".join([*lines, current])


def _check_link(link: str) -> str:
    if not re.fullmatch(r"https?://[!-~]+", link):
        raise ValueError(f"{link!r} is not a web address like http://127.0.0.1:8501")
    return link


def reminder_ics(
    *,
    at: dt.time = DEFAULT_TIME,
    start: dt.date | None = None,
    link: str | None = None,
    now: dt.datetime | None = None,
) -> bytes:
    """The .ics file: an event every day at `at` (floating local time) with an alarm at its start.

    link is the app's address, shown in the event (for example http://127.0.0.1:8501).
    """
    now = now or dt.datetime.now(dt.UTC)
    start = start or dt.date.today()
    event = [
        f"UID:{uuid.uuid4()}@cramp-journal",
        f"DTSTAMP:{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}",
        f"DTSTART:{dt.datetime.combine(start, at.replace(microsecond=0)):%Y%m%dT%H%M%S}",
        "DURATION:PT5M",
        "RRULE:FREQ=DAILY",
        f"SUMMARY:{escape_text(TITLE)}",
        f"DESCRIPTION:{escape_text(DESCRIPTION)}",
        *([f"URL:{_check_link(link)}"] if link else []),
        "CLASS:PRIVATE",
        "TRANSP:TRANSPARENT",  # a reminder, not a busy slot
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{escape_text(TITLE)}",
        "TRIGGER;RELATED=START:PT0S",
        "END:VALARM",
    ]
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        *event,
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines).encode("utf-8")
