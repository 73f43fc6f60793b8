"""Reading a JSON backup: every value checked against the format (docs/json-format.md), every
problem found at once, nothing written (backup_json.import_json writes what this returns).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

from tracker.care.language import N_, _
from tracker.exchange.backup_json import (
    CRAMP_KEYS,
    EXPERIMENT_KEYS,
    FORMAT,
    HABIT_KEYS,
    KINDS,
    NIGHT_KEYS,
    PROFILE_KEYS,
    STAMP_KEYS,
    TOP_KEYS,
    VERSION,
    Backup,
    JsonError,
    JsonProblem,
)
from tracker.journal.entries import CrampEntry, NightEntry, validate_night
from tracker.journal.models import Profile
from tracker.journal.plans import Plan, plan_problems
from tracker.journal.store import (
    validate_profile,
)

# --- Reading values ---------------------------------------------------------------------------


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError
    if "\x00" in value:
        raise ValueError(_("contains a NUL character (an invisible control code); remove it"))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(_("contains an invalid character (a lone \\u surrogate escape)")) from None
    return value


def _plain(
    types: type | tuple[type, ...], convert: Callable[[Any], Any] = lambda v: v
) -> Callable[[Any], Any]:
    """A reader for a JSON scalar of these types (true/false is never a number here)."""

    def read(value: Any) -> Any:
        wants_bool = types is bool
        if isinstance(value, bool) != wants_bool or not isinstance(value, types):
            raise TypeError
        return convert(value)

    return read


def _matching(pattern: str, kind: str, example: str, parse: Callable[[str], Any]) -> Callable:
    """A reader of a text written like `example` (a `kind`: time, date or timestamp)."""
    written_like = re.compile(pattern)

    def read(value: Any) -> Any:
        shown = json.dumps(value)[:40]
        if not isinstance(value, str):
            raise TypeError
        if not written_like.fullmatch(value):
            raise ValueError(
                _("{value} is not written like {kind} {example}").format(
                    value=shown, kind=_(kind), example=example
                )
            )
        try:
            return parse(value)
        except ValueError:
            raise ValueError(
                _("{value} is not a real {kind}").format(value=shown, kind=_(kind))
            ) from None
        except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before year 1 in UTC
            raise ValueError(
                _(
                    "{value} is out of range: write {kind} between the years 1 and 9999 in UTC"
                ).format(value=shown, kind=_(KIND_WORDS[kind]))
            ) from None

    return read


def _aware(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


THE_FILE = N_("the file")  # where a problem is, when it is not in one night or plan
# Each kind of value, and how a message names one ("must be a date"), in her language.
KIND_WORDS = {
    "whole number": N_("a whole number"),
    "number": N_("a number"),
    "true or false": N_("true or false"),
    "text": N_("a text"),
    "time": N_("a time"),
    "date": N_("a date"),
    "timestamp": N_("a timestamp"),
}
N_("time"), N_("date"), N_("timestamp")  # a kind's own name: "not a real date"
READERS: dict[str, Callable[[Any], Any]] = {
    "whole number": _plain(int),
    "number": _plain((int, float), float),
    "true or false": _plain(bool),
    "text": _text,
    "time": _matching(r"\d\d:\d\d(:\d\d(\.\d{1,6})?)?", "time", "02:40", dt.time.fromisoformat),
    "date": _matching(r"\d{4}-\d\d-\d\d", "date", "2025-03-14", dt.date.fromisoformat),
    "timestamp": _matching(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)",
                           "timestamp", "2025-03-14T07:02:11Z", _aware),
}  # fmt: skip


class _Reader:
    """Reads one object's keys into values, noting each problem against `where`."""

    def __init__(self, where: str, problems: list[JsonProblem]):
        self.where, self.problems = where, problems

    def problem(self, key: str | None, message: str) -> None:
        self.problems.append(JsonProblem(self.where, key, message))

    def object(self, raw: Any, key: str | None, allowed: tuple[str, ...]) -> dict[str, Any] | None:
        """raw if it is a JSON object (None and a problem if not); unknown keys are problems."""
        if not isinstance(raw, dict):
            self.problem(key, _("must be an object {{...}}, not {kind}").format(kind=_kind_of(raw)))
            return None
        prefix = f"{key}." if key else ""
        for unknown in (k for k in raw if k not in allowed):
            self.problem(prefix + unknown, _("is not part of the format (misspelt?)"))
        return raw

    def value(self, raw: dict[str, Any], key: str, name: str | None = None) -> Any:
        """The value of raw[key] (None when missing or null or wrong)."""
        value, kind = raw.get(key), KINDS[key]
        if value is None:
            return None
        try:
            return READERS[kind](value)
        except TypeError:
            said = _("must be {wanted} (or null), not {kind}")
            wanted = _(KIND_WORDS[kind])
            self.problem(name or key, said.format(wanted=wanted, kind=_kind_of(value)))
        except ValueError as exc:
            self.problem(name or key, str(exc))
        return None

    def strings(self, raw: Any, key: str) -> list[str]:
        if raw is None:
            return []
        if isinstance(raw, list) and all(isinstance(s, str) for s in raw):
            return list(raw)
        self.problem(key, _("must be a list of texts, like {example}").format(example='["fever"]'))
        return []


def _kind_of(value: Any) -> str:
    """How a JSON value looks, for a message: true, null, a number 3, a text "6", a list."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, list | dict):
        return _("a list") if isinstance(value, list) else _("an object")
    said = _("a text {value}") if isinstance(value, str) else _("a number {value}")
    return said.format(value=json.dumps(value)[:40])


# --- Reading a file ---------------------------------------------------------------------------


def _parse(text: str) -> Any:
    def no_constants(name: str) -> None:
        raise ValueError(_("{name} is not a number JSON allows").format(name=name))

    def no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _value in pairs]
        if twice := sorted({k for k in keys if keys.count(k) > 1}):
            raise ValueError(
                _("the key {key} appears twice in one object").format(key=json.dumps(twice[0]))
            )
        return dict(pairs)

    try:
        return json.loads(text, parse_constant=no_constants, object_pairs_hook=no_repeats)
    except json.JSONDecodeError as exc:
        message = _("is not valid JSON ({reason}, line {line} column {column})").format(
            reason=exc.msg, line=exc.lineno, column=exc.colno
        )
        raise JsonError([JsonProblem(_(THE_FILE), None, message)]) from None
    except (ValueError, RecursionError) as exc:
        message = _("is not valid JSON: {reason}").format(reason=exc)
        raise JsonError([JsonProblem(_(THE_FILE), None, message)]) from None


def _header(data: Any, problems: list[JsonProblem]) -> dict[str, Any]:
    """The top-level object; refused at once when it is not a backup this code can read."""

    def refuse(key: str | None, message: str) -> JsonError:
        return JsonError([JsonProblem(_(THE_FILE), key, message)])

    if not isinstance(data, dict):
        said = _("must be an object {{...}} with format, version and nights, not {kind}")
        raise refuse(None, said.format(kind=_kind_of(data)))
    if data.get("format") != FORMAT:
        said = _(
            'must be "{format}": this is not a Cramp Journal backup (a diary CSV is imported '
            "from a .csv file)"
        )
        raise refuse("format", said.format(format=FORMAT))
    version = data.get("version")
    if type(version) is not int or version != VERSION:
        newer = type(version) is int and version > VERSION
        raise refuse(
            "version",
            _(
                "is {version}: this file was written by a newer Cramp Journal; update Cramp "
                "Journal to import it"
            ).format(version=version)
            if newer
            else _("must be {version}").format(version=VERSION),
        )
    if not isinstance(data.get("nights"), list):
        raise refuse("nights", _("must be a list [...] of nights"))
    _Reader(_(THE_FILE), problems).object(data, None, TOP_KEYS)
    return data


def _profile(raw: Any, problems: list[JsonProblem], today: dt.date | None) -> Profile | None:
    if raw is None:
        return None
    reader = _Reader(_(THE_FILE), problems)
    raw = reader.object(raw, "profile", PROFILE_KEYS)
    if raw is None:
        return None
    values = {key: reader.value(raw, key, f"profile.{key}") for key in PROFILE_KEYS}
    profile = Profile(**{**values, "water_unit": values["water_unit"] or "ml"})
    profile.name = (profile.name or "").strip() or None  # as save_profile stores it
    errors = validate_profile(profile, today)
    problems += [JsonProblem(_(THE_FILE), f"profile.{k}", m) for k, m in errors.items()]
    return profile


def _cramp(reader: _Reader, raw: Any, index: int) -> CrampEntry:
    key = f"cramps[{index}]"
    raw = reader.object(raw, key, CRAMP_KEYS) or {}
    return CrampEntry(**{name: reader.value(raw, name, f"{key}.{name}") for name in CRAMP_KEYS})


def _field_name(error_key: str) -> str:
    """cramps.2.severity (a validate_night key) as it is written in the file: cramps[2].severity."""
    return re.sub(r"^cramps\.(\d+)\.", r"cramps[\1].", error_key)


def _night(
    index: int, raw: Any, problems: list[JsonProblem], today: dt.date | None
) -> tuple[NightEntry, dict[str, dt.datetime]] | None:
    """One night of the file with its timestamps; None when its date cannot be read."""
    reader = _Reader(f"nights[{index}]", problems)
    raw = reader.object(raw, None, NIGHT_KEYS)
    if raw is None:
        return None
    date = reader.value(raw, "night")
    if date is None:
        if raw.get("night") is None:
            reader.problem(
                "night",
                _("is missing: every night needs its date, like {example}").format(
                    example="2025-03-14"
                ),
            )
        return None
    reader.where += " " + _("(night {date})").format(date=date)
    cramps = [] if raw.get("cramps") is None else raw["cramps"]
    if not isinstance(cramps, list):
        reader.problem("cramps", _("must be a list [...] of cramps"))
        cramps = []
    entry = NightEntry(
        night=date,
        **{key: reader.value(raw, key) for key in HABIT_KEYS},
        cramps=[_cramp(reader, c, i) for i, c in enumerate(cramps)],
        red_flags=reader.strings(raw.get("red_flags"), "red_flags"),
    ).normalised()
    for key, message in validate_night(entry, today).items():
        reader.problem(_field_name(key), message)
    stamps = {key: value for key in STAMP_KEYS if (value := reader.value(raw, key)) is not None}
    return entry, stamps


def read_json(text: str, today: dt.date | None = None) -> Backup:
    """What a backup file holds; JsonError lists every problem (night index, date, field)."""
    problems: list[JsonProblem] = []
    top = _header(_parse(text.removeprefix("\ufeff")), problems)
    _Reader(_(THE_FILE), problems).value(top, "exported_at")
    profile = _profile(top.get("profile"), problems, today)
    nights: list[NightEntry] = []
    stamps: dict[dt.date, dict[str, dt.datetime]] = {}
    first: dict[dt.date, int] = {}
    raw_nights = top["nights"]
    for index in range(len(raw_nights)):
        raw, raw_nights[index] = raw_nights[index], None  # let each night's JSON go once read
        read = _night(index, raw, problems, today)
        if read is None:
            continue
        entry, stamps[entry.night] = read
        if entry.night in first:
            message = _("appears twice: {other} has the same date").format(
                other=f"nights[{first[entry.night]}]"
            )
            problems.append(
                JsonProblem(
                    f"nights[{index}] " + _("(night {date})").format(date=entry.night),
                    "night",
                    message,
                )
            )
        first.setdefault(entry.night, index)
        nights.append(entry)
    experiments = _experiments(top.get("experiments"), problems)
    if problems:
        raise JsonError(problems)
    nights.sort(key=lambda e: e.night)
    return Backup(profile=profile, nights=nights, stamps=stamps, experiments=experiments)


def _experiments(raw: Any, problems: list[JsonProblem]) -> list[dict[str, Any]]:
    """The experiment plans in a file, each checked like a new plan on the page, within the
    bounds the app can live with (tracker.journal.plans.plan_problems)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(JsonProblem(_(THE_FILE), "experiments", _("must be a list [...] of plans")))
        return []
    plans = []
    for index, item in enumerate(raw):
        reader = _Reader(f"experiments[{index}]", problems)
        item = reader.object(item, None, EXPERIMENT_KEYS)
        if item is None:
            continue
        values = {key: reader.value(item, key) for key in EXPERIMENT_KEYS}
        missing = [
            k for k in ("habit", "start", "seed", "blocks", "created_at") if values[k] is None
        ]
        for key in missing:
            reader.problem(key, _("is needed"))
        if not missing:
            values["clinician_agreed"] = bool(values["clinician_agreed"])
            plan = Plan(**{k: v for k, v in values.items() if k != "created_at"})
            for key, message in plan_problems(plan).items():  # the page's checks and bounds
                reader.problem(key, message)
            plans.append(values)
    return plans
