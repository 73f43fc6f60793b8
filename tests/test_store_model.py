"""The store against a plain model of the journal: random sequences of saves (new nights and
edits, with the version she saw), stale saves from a second tab, repeated saves, deletes, and
diary CSV and JSON backup round trips; after every step the journal read back is the model.

Versions are the store's to choose: the model only records every version the store gave each
night and checks that a write gives a new one, above all the night's earlier ones, including
those of a night deleted and logged again (a tab that saw those must be refused).

Run on SQLite and on PostgreSQL (the `engine` fixture), one state machine per database; each
example starts from an empty journal (the tables are emptied, not the database remade).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.conftest import PostgresServer
from tests.factories import days_ago
from tests.hosted_support import practice_database
from tracker.care.safety import RED_FLAG_CODES
from tracker.exchange.backup_json import (
    CRAMP_KEYS,
    FORMAT,
    HABIT_KEYS,
    VERSION,
    RestoreResult,
    dumps,
    export_json,
    import_json,
)
from tracker.exchange.backup_read import read_json
from tracker.exchange.diary_csv import ImportResult, export_diary, import_diary
from tracker.exchange.diary_read import read_diary
from tracker.journal.accounts import acting_as, add_account, find_account, reading
from tracker.journal.db import make_engine
from tracker.journal.entries import CrampEntry, NightEntry
from tracker.journal.importing import ImportConflict
from tracker.journal.models import Leg, Muscle, Relief
from tracker.journal.sharing import share_with, stop_sharing
from tracker.journal.store import (
    NEW,
    SAVED_NIGHT,
    SavedNight,
    StaleNight,
    delete_night,
    entry_of,
    iter_nights,
    journal_stamp,
    list_nights,
    save_night,
)

NIGHTS = [days_ago(days) for days in range(1, 6)]  # few, so saves meet the same nights often
TABLES = ("redflag", "cramp", "night", "experiment", "profile", "share")
FIELDS = tuple(n for n in NightEntry.__dataclass_fields__ if n != "night")

# Text as she might type it: any script, emoji, line breaks and tabs in notes, the odd cell a
# spreadsheet would run as a formula; never an invisible control code (validation refuses it).
_LETTERS = st.characters(exclude_categories=("Cs", "Cc"))
_TRICKY = st.sampled_from(["=1+1", "-5", "'=quoted", "  kept spaces  ", "小腿抽筋", "🦵", " "])
_LINE = st.one_of(st.text(_LETTERS, max_size=12), _TRICKY)
_MULTILINE = st.one_of(
    st.text(st.one_of(_LETTERS, st.sampled_from("\t\n\r")), max_size=20), _TRICKY
)


def _maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | strategy


cramps = st.builds(
    CrampEntry,
    time=_maybe(st.builds(dt.time, st.integers(0, 23), st.integers(0, 59))),
    duration_min=_maybe(
        st.sampled_from([0.5, 1.0, 2.5, 10.0, 180.0])
        | st.floats(0, 180, exclude_min=True, allow_nan=False)
    ),
    severity=_maybe(st.integers(0, 10)),
    leg=_maybe(st.sampled_from([e.value for e in Leg])),
    muscle=_maybe(st.sampled_from([e.value for e in Muscle])),
    woke=_maybe(st.booleans()),
    relief=_maybe(st.sampled_from([e.value for e in Relief])),
    relieved=_maybe(st.booleans()),
)


def entries(night: dt.date) -> st.SearchStrategy[NightEntry]:
    """Any valid night, as a form or a file could give it (flags unsorted, repeated)."""
    return st.builds(
        NightEntry,
        night=st.just(night),
        water_ml=_maybe(st.integers(0, 8000)),
        stretch_min=_maybe(st.integers(0, 300)),
        active_min=_maybe(st.integers(0, 1000)),
        magnesium_mg=_maybe(st.integers(0, 1500)),
        magnesium_form=_maybe(_LINE),
        magnesium_clinician_agreed=_maybe(st.booleans()),
        side_effects=_maybe(_MULTILINE),
        soreness=_maybe(st.integers(0, 10)),
        notes=_maybe(_MULTILINE),
        plan_kept=_maybe(st.booleans()),
        cramps=st.lists(cramps, max_size=4),
        red_flags=st.lists(st.sampled_from(RED_FLAG_CODES), max_size=3),
    )


def any_entry() -> st.SearchStrategy[NightEntry]:
    return st.sampled_from(NIGHTS).flatmap(entries)


def _json_value(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return value


def backup_text(nights: list[NightEntry]) -> str:
    """A backup file with these nights and no settings, as docs/json-format.md describes."""
    documents = [
        {
            "night": e.night.isoformat(),
            **{key: _json_value(getattr(e, key)) for key in HABIT_KEYS},
            "cramps": [{k: _json_value(getattr(c, k)) for k in CRAMP_KEYS} for c in e.cramps],
            "red_flags": e.red_flags,
        }
        for e in nights
    ]
    header = {"format": FORMAT, "version": VERSION, "exported_at": "2026-01-01T08:00:00Z"}
    return dumps(header | {"profile": None, "nights": documents})


class JournalModel(RuleBasedStateMachine):
    """The journal as a dict: night -> (what is stored, normalised; its version). On a
    practice's database, one dict per person, and each step acts as one of them."""

    engine: Engine  # set by the test, one per database (a practice's: the app role's)
    owner: Engine | None = None  # a practice's database: the tables' owner
    people: tuple[int, ...] = ()  # a practice's database: the accounts whose journals change
    clinician: int | None = None  # and a clinician they may share with (as the app role)

    def __init__(self) -> None:
        super().__init__()
        with (self.owner or self.engine).begin() as conn:
            for table in TABLES:
                conn.execute(text(f"DELETE FROM {table}"))  # our own constant table names
        self.models: dict[int | None, dict[dt.date, tuple[NightEntry, int]]] = {
            person: {} for person in self.people or (None,)
        }
        self.givens: dict[int | None, dict[dt.date, list[int]]] = {
            person: {} for person in self.models
        }  # every version the store ever gave each night, oldest first
        self.person: int | None = None
        self.shared: set[int] = set()  # who shares her journal with the clinician
        self.acting = contextlib.ExitStack()
        if self.people:
            self.act_as(self.people[0])

    @property
    def model(self) -> dict[dt.date, tuple[NightEntry, int]]:
        return self.models[self.person]

    @model.setter
    def model(self, value: dict[dt.date, tuple[NightEntry, int]]) -> None:
        self.models[self.person] = value

    @property
    def given(self) -> dict[dt.date, list[int]]:
        return self.givens[self.person]

    def act_as(self, person: int) -> None:
        self.acting.close()
        self.acting.enter_context(acting_as(person))
        self.person = person

    def teardown(self) -> None:
        self.acting.close()

    # --- helpers ---------------------------------------------------------------------------

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)  # as the app's web.session

    def version(self, night: dt.date) -> int:
        return self.model[night][1] if night in self.model else NEW

    def took(self, night: dt.date, version: int) -> int:
        """A version the store gave this night for a write: never one it had before, and
        above the last (whether that night was deleted since or not)."""
        given = self.given.setdefault(night, [])
        assert version not in given, f"{night}: version {version} given again ({given})"
        assert version > max(given, default=NEW), f"{night}: version {version} after {given}"
        given.append(version)
        return version

    def refresh(self, nights: list[dt.date]) -> None:
        """Take the versions the store gave these nights (just written by an import)."""
        with self.session() as session:
            stored = {n.night: n.version for n in list_nights(session=session)}
        for night in nights:
            self.model[night] = (self.model[night][0], self.took(night, stored[night]))

    def old_versions(self, night: dt.date) -> list[int]:
        """Versions the store gave this night before what is stored now (by when they were
        given, not by their number): a tab opened then may still hold one."""
        given = self.given.get(night, [])
        return given[:-1] if night in self.model else given

    def entries(self) -> list[NightEntry]:
        return [self.model[night][0] for night in sorted(self.model)]

    def save(self, entry: NightEntry, expected: int | None, *, old_tab: bool = False) -> None:
        """Save as the app does; the model says whether it is refused, a no-op or a write.
        old_tab: expected is a version the night had before what is stored now, so the save is
        stale unless it says what is stored, whatever the numbers."""
        wanted = entry.normalised()
        stored = self.model.get(entry.night)
        same = stored is not None and stored[0] == wanted
        stale = not same and (old_tab or expected not in (None, self.version(entry.night)))
        before = journal_stamp(self.engine)
        try:
            with self.session() as session:
                saved = save_night(session=session, entry=entry, expected_version=expected)
                result = (entry_of(saved), saved.version)
                change = session.info[SAVED_NIGHT]  # what the app's frames are updated by
        except StaleNight:
            assert stale, (
                f"refused as changed elsewhere, but the model says it is not stale: {wanted}"
            )
            assert journal_stamp(self.engine) == before, "a refused save wrote something"
            return
        assert not stale, "a stale save went through"
        # only this night changed, from the stamp before to the stamp now
        assert change == SavedNight(entry.night, before, journal_stamp(self.engine))
        if same:
            assert result == stored
            assert journal_stamp(self.engine) == before, "a repeated save wrote something"
            return
        assert result[0] == wanted
        self.model[entry.night] = (wanted, self.took(entry.night, result[1]))

    def imported(
        self, nights: list[NightEntry], replace: bool
    ) -> tuple[tuple[int, int, int], list[dt.date]] | None:
        """What importing these nights should do: (added, updated, unchanged) and the nights
        it writes, or None when it is refused for a conflict; the model's nights are updated
        when it is not (their versions: refresh once the import is done)."""
        added = updated = unchanged = 0
        for entry in nights:
            wanted = entry.normalised()
            if entry.night not in self.model:
                added += 1
            elif self.model[entry.night][0] == wanted:
                unchanged += 1
            elif not replace:
                return None
            else:
                updated += 1
        written = []
        for entry in nights:
            if self.model.get(entry.night, (None,))[0] != entry.normalised():
                self.model[entry.night] = (entry.normalised(), self.version(entry.night))
                written.append(entry.night)
        return (added, updated, unchanged), written

    # --- rules -----------------------------------------------------------------------------

    @rule(entry=any_entry(), saw_it=st.booleans())
    def save_a_night(self, entry: NightEntry, saw_it: bool) -> None:
        """A whole night typed in, with the version she saw (or an explicit overwrite)."""
        self.save(entry, self.version(entry.night) if saw_it else None)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), fields=st.sets(st.sampled_from(FIELDS), min_size=1, max_size=3))
    def edit_a_night(self, data: st.DataObject, fields: set[str]) -> None:
        """Open a logged night, change a few things (its warning signs often kept), save."""
        night = data.draw(st.sampled_from(sorted(self.model)), label="night")
        other = data.draw(entries(night), label="changes from")
        stored = self.model[night][0]
        edited = dataclasses.replace(stored, **{f: getattr(other, f) for f in fields})
        self.save(edited, self.version(night))

    @rule(entry=any_entry(), seen=st.sampled_from([-2, -1, 1, 2]), same=st.booleans())
    def save_from_a_second_tab(self, entry: NightEntry, seen: int, same: bool) -> None:
        """A tab opened at another version saves: refused unless it says what is stored."""
        if same and entry.night in self.model:
            entry = self.model[entry.night][0]
        self.save(entry, max(NEW, self.version(entry.night) + seen))

    @precondition(lambda self: self.model)
    @rule(data=st.data(), seen=st.sampled_from(["now", "older", "none"]))
    def save_again_unchanged(self, data: st.DataObject, seen: str) -> None:
        """Save tapped twice, or a rerun: nothing is written, whatever version she saw."""
        night = data.draw(st.sampled_from(sorted(self.model)), label="night")
        version = {"now": self.version(night), "older": self.version(night) - 1, "none": None}
        self.save(self.model[night][0], version[seen])

    @rule(night=st.sampled_from(NIGHTS), stale=st.booleans())
    def delete_a_night(self, night: dt.date, stale: bool) -> None:
        """Delete with the version she saw; a night changed since is kept."""
        expected = self.version(night) + (1 if stale else 0)
        before = journal_stamp(self.engine)
        try:
            with self.session() as session:
                deleted = delete_night(session=session, night=night, expected_version=expected)
        except StaleNight:
            assert stale and night in self.model, "a delete was refused as stale wrongly"
            assert journal_stamp(self.engine) == before, "a refused delete wrote something"
            return
        assert not (stale and night in self.model), "a stale delete went through"
        assert deleted == (night in self.model)
        self.model.pop(night, None)

    @precondition(lambda self: any(self.old_versions(night) for night in self.given))
    @rule(data=st.data(), same=st.booleans())
    def save_from_a_tab_opened_before_a_delete(self, data: st.DataObject, same: bool) -> None:
        """A tab still holding a night as it was before it was changed, or deleted (and maybe
        logged again), saves: refused as changed elsewhere unless it says exactly what is
        stored now; a refused save writes nothing."""
        night = data.draw(
            st.sampled_from(sorted(n for n in self.given if self.old_versions(n))), label="night"
        )
        seen = data.draw(st.sampled_from(self.old_versions(night)), label="version it saw")
        entry = data.draw(entries(night), label="what it says")
        if same and night in self.model:
            entry = self.model[night][0]
        self.save(entry, seen, old_tab=True)

    @precondition(lambda self: any(self.old_versions(night) for night in self.given))
    @rule(data=st.data())
    def delete_from_a_tab_opened_before_a_delete(self, data: st.DataObject) -> None:
        """The same tab deletes the night: refused while a night is logged on that date (its
        version is not the one the tab saw), and nothing is deleted."""
        night = data.draw(
            st.sampled_from(sorted(n for n in self.given if self.old_versions(n))), label="night"
        )
        seen = data.draw(st.sampled_from(self.old_versions(night)), label="version it saw")
        before = journal_stamp(self.engine)
        try:
            with self.session() as session:
                deleted = delete_night(session=session, night=night, expected_version=seen)
        except StaleNight:
            assert night in self.model, "a delete of a night not there was refused"
            assert journal_stamp(self.engine) == before, "a refused delete wrote something"
            return
        assert night not in self.model, "a delete from a stale tab went through"
        assert not deleted

    @rule()
    def export_and_import_the_diary_csv(self) -> None:
        """Her diary exported as the Summary page does, read back, imported again: the same
        nights, and importing them changes nothing."""
        with self.session() as session:
            exported = export_diary(iter_nights(session=session))
        nights = read_diary(exported)
        assert nights == self.entries()
        before = journal_stamp(self.engine)
        with self.session() as session:
            result = import_diary(session=session, entries=nights)
        assert (result.added, result.updated, result.unchanged) == (0, 0, len(self.model))
        assert journal_stamp(self.engine) == before, "importing her own diary wrote something"

    @rule()
    def export_and_restore_the_backup(self) -> None:
        """A JSON backup read back holds every night; restored over the journal it changes
        nothing, and restored into the emptied journal it brings every night back."""
        backup = read_json(export_json(self.engine))
        assert backup.nights == self.entries()
        before = journal_stamp(self.engine)
        with self.session() as session:
            result = import_json(session=session, backup=backup)
        assert (result.added, result.updated, result.unchanged) == (0, 0, len(self.model))
        assert journal_stamp(self.engine) == before, "restoring over itself wrote something"
        for night in list(self.model):
            with self.session() as session:
                assert delete_night(session=session, night=night, expected_version=None)
        with self.session() as session:
            result = import_json(session=session, backup=backup)
        assert (result.added, result.updated, result.unchanged) == (len(self.model), 0, 0)
        self.refresh(list(self.model))

    @rule(
        file=st.lists(any_entry(), min_size=1, max_size=4, unique_by=lambda e: e.night),
        keep=st.sets(st.sampled_from(NIGHTS)),
        replace=st.booleans(),
        kind=st.sampled_from(["csv", "json"]),
    )
    def import_a_file(
        self, file: list[NightEntry], keep: set[dt.date], replace: bool, kind: str
    ) -> None:
        """A diary CSV or backup of new, identical and different nights, imported with or
        without replacing: all of it, or nothing when a night conflicts."""
        file = [self.model[e.night][0] if e.night in keep & set(self.model) else e for e in file]
        backup = read_json(backup_text(file)) if kind == "json" else None
        nights = backup.nights if backup else read_diary(export_diary(file))

        def do(session: Session) -> ImportResult | RestoreResult:
            if backup:
                return import_json(session=session, backup=backup, replace=replace)
            return import_diary(session=session, entries=nights, replace=replace)

        assert nights == sorted((e.normalised() for e in file), key=lambda e: e.night)
        before = journal_stamp(self.engine)
        expected = self.imported(nights, replace)
        counts = expected[0] if expected else None
        try:
            with self.session() as session:
                result = do(session)
        except ImportConflict:
            assert counts is None, "an import was refused, but no night conflicts"
            assert journal_stamp(self.engine) == before, "a refused import wrote something"
            return
        assert counts is not None, "an import with a conflicting night went through"
        assert (result.added, result.updated, result.unchanged) == counts
        self.refresh(expected[1])
        if counts[:2] == (0, 0):
            assert journal_stamp(self.engine) == before, "an import of nothing new wrote something"

    @precondition(lambda self: len(self.people) > 1)
    @rule(data=st.data())
    def another_person_opens_her_journal(self, data: st.DataObject) -> None:
        """On a practice's server: the next steps are another person's, on her own journal."""
        self.act_as(data.draw(st.sampled_from(self.people), label="person"))

    @precondition(lambda self: self.clinician is not None)
    @rule(share=st.booleans())
    def she_shares_with_her_clinician_or_stops(self, share: bool) -> None:
        """Sharing is hers to give and take back; twice is no change."""
        with self.session() as session:
            if share:
                changed = share_with(session=session, clinician_id=self.clinician)
                assert changed == (self.person not in self.shared)
                self.shared.add(self.person)
            else:
                changed = stop_sharing(session=session, clinician_id=self.clinician)
                assert changed == (self.person in self.shared)
                self.shared.discard(self.person)

    # --- what must hold after every step ---------------------------------------------------

    @invariant()
    def every_journal_is_its_model(self) -> None:
        """Each journal reads back as its own model (the other person's untouched), and no
        cramp or warning sign is left without its night or put in another journal."""
        for person, model in self.models.items():
            with contextlib.ExitStack() as stack:
                if person is not None:
                    stack.enter_context(acting_as(person))
                with self.session() as session:
                    stored = {
                        n.night: (entry_of(n), n.version) for n in list_nights(session=session)
                    }
            assert stored == model, f"account {person}"
            mine = "" if person is None else f" WHERE account_id = {int(person)}"
            with (self.owner or self.engine).connect() as conn:
                cramps = conn.execute(text(f"SELECT COUNT(*) FROM cramp{mine}")).scalar_one()
                flags = conn.execute(text(f"SELECT COUNT(*) FROM redflag{mine}")).scalar_one()
            assert cramps == sum(len(e.cramps) for e, _ in model.values()), "orphan cramps"
            assert flags == sum(len(e.red_flags) for e, _ in model.values()), "orphan flags"
            if self.clinician is not None:  # she reads a journal exactly while it is shared
                with acting_as(self.clinician), reading(person), self.session() as session:
                    seen = {n.night: (entry_of(n), n.version) for n in list_nights(session=session)}
                assert seen == (model if person in self.shared else {}), f"clinician, {person}"


STEPS = settings(max_examples=40, stateful_step_count=20, deadline=None)
HOSTED_STEPS = settings(max_examples=12, stateful_step_count=20, deadline=None)


def test_the_journal_always_reads_back_as_the_model(engine: Engine) -> None:
    """Any sequence of saves, deletes, imports and exports leaves the journal as the model
    says, and a save is refused as changed elsewhere exactly when the model says so."""
    machine = type(f"JournalOn{engine.dialect.name.title()}", (JournalModel,), {"engine": engine})
    run_state_machine_as_test(machine, settings=STEPS)


@pytest.mark.postgres
@pytest.mark.parametrize("connected_as", ["app role", "owner"])
def test_two_journals_on_a_practices_database_each_read_back_as_their_model(
    postgres_server: PostgresServer, postgres_url: str, connected_as: str
) -> None:
    """The same steps on a practice's database with two people taking turns: each journal is
    its own model, whatever the other one did. As the app role, row-level security and the
    app's own account conditions both hold; as the owner (a superuser here, whom row-level
    security skips), the app's conditions alone must."""
    database = practice_database(postgres_server, postgres_url, "a@p.example", "b@p.example")
    owner, app = make_engine(database.owner_url), make_engine(database.app_url)
    try:
        with Session(owner) as session:
            people = tuple(
                find_account(session=session, email=email).id
                for email in ("a@p.example", "b@p.example")
            )
            clinician = add_account(session=session, email="dr@p.example", name=None,
                                    kind="clinician").id  # fmt: skip
        engine = app if connected_as == "app role" else owner
        fields = {"engine": engine, "owner": owner, "people": people}
        if connected_as == "app role":  # sharing is held by row-level security alone
            fields["clinician"] = clinician
        machine = type("TwoJournalsOnPostgres", (JournalModel,), fields)
        run_state_machine_as_test(machine, settings=HOSTED_STEPS)
    finally:
        app.dispose()
        owner.dispose()
        postgres_server.admin(f"DROP OWNED BY {database.role}")
