"""A practice's database: one journal per account, kept apart by PostgreSQL's row-level security
(not by the app's queries), prepared by `hosting`, people added and removed by `accounts`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import text, true
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from tests.conftest import PostgresServer
from tests.factories import days_ago, make_entry, make_profile
from tracker.cli import main
from tracker.insights.frames import load_nights
from tracker.insights.tally import habit_starts
from tracker.journal import store
from tracker.journal.accounts import acting_as, find_account
from tracker.journal.db import make_engine
from tracker.journal.hosting import JOURNAL_TABLES, app_role_problem
from tracker.journal.store import (
    count_nights,
    delete_night,
    entry_of,
    get_night,
    get_profile,
    list_nights,
    save_night,
    save_profile,
)

pytestmark = pytest.mark.postgres

SAM, ALEX = "sam@practice.example", "alex@practice.example"


@dataclass
class Practice:
    """A prepared database: the owner's and the app role's engines, and who is on the list."""

    owner_url: str
    app_url: str
    owner: Engine
    app: Engine
    role: str

    def account(self, email: str) -> int:
        with Session(self.owner) as session:
            return find_account(session=session, email=email).id


@pytest.fixture
def practice(postgres_server: PostgresServer, postgres_url: str) -> Iterator[Practice]:
    role = f"app_{uuid.uuid4().hex[:12]}"
    postgres_server.admin(f"CREATE ROLE {role} LOGIN")
    assert main(["--db", postgres_url, "hosting", "--app-role", role]) == 0
    for email in (SAM, ALEX):
        assert main(["--db", postgres_url, "accounts", "add", email, "--name", "P"]) == 0
    app_url = postgres_url.replace("postgres@", f"{role}@", 1)
    owner, app = make_engine(postgres_url), make_engine(app_url)
    try:
        yield Practice(postgres_url, app_url, owner, app, role)
    finally:
        app.dispose()
        owner.dispose()
        postgres_server.admin(f"DROP OWNED BY {role}")
        # The database is dropped by postgres_url's fixture; the role outlives it otherwise.


def log(practice: Practice, email: str, days: int, notes: str) -> None:
    with acting_as(practice.account(email)), Session(practice.app) as session:
        save_night(
            session=session,
            entry=make_entry(days_ago(days), red_flags=["fever"], notes=notes),
            expected_version=0,
        )


def test_each_person_sees_only_her_own_nights_with_the_apps_account_condition_removed(
    practice: Practice, monkeypatch: pytest.MonkeyPatch
) -> None:
    log(practice, SAM, 2, "Sam's night")
    log(practice, SAM, 3, "Sam's other night")
    log(practice, ALEX, 2, "Alex's night")  # the same date: one per journal, no clash
    # The app's own condition (the second line) removed on purpose: the database's holds.
    monkeypatch.setattr(store, "mine", lambda column: true())
    for email, notes in ((SAM, {"Sam's night", "Sam's other night"}), (ALEX, {"Alex's night"})):
        with acting_as(practice.account(email)), Session(practice.app) as session:
            assert {entry_of(n).notes for n in list_nights(session=session)} == notes
            with session.connection() as conn:
                for table in ("night", "cramp", "redflag"):
                    owners = conn.execute(text(f"SELECT DISTINCT account_id FROM {table}"))
                    assert [row[0] for row in owners] == [practice.account(email)]


def test_the_apps_own_account_condition_is_a_second_line_where_the_policy_does_not_apply(
    practice: Practice,
) -> None:
    """The owner (a superuser here) skips row-level security: only the app's condition keeps
    each person's reads and writes to her own journal."""
    log(practice, SAM, 2, "Sam's night")
    log(practice, ALEX, 2, "Alex's night")
    sam, alex = practice.account(SAM), practice.account(ALEX)
    with acting_as(sam), Session(practice.owner) as session:
        assert [entry_of(n).notes for n in list_nights(session=session)] == ["Sam's night"]
        assert count_nights(session=session) == 1
        assert get_night(session=session, night=days_ago(2)).account_id == sam
    with acting_as(alex), practice.owner.connect() as conn:
        frame = load_nights(conn)
        assert len(frame) == 1 and frame["flags"].iloc[0] == ("fever",)
        assert habit_starts(conn).everything.nights == 1
    with acting_as(alex), Session(practice.owner) as session:
        assert delete_night(session=session, night=days_ago(2))
    with acting_as(sam), Session(practice.owner) as session:  # Sam's night of that date stays
        assert [entry_of(n).notes for n in list_nights(session=session)] == ["Sam's night"]
    with acting_as(None), Session(practice.owner) as session:
        assert list_nights(session=session) == [] and count_nights(session=session) == 0


def test_the_app_role_with_no_account_set_sees_no_row_of_any_journal_table(
    practice: Practice,
) -> None:
    log(practice, SAM, 2, "private")
    with acting_as(practice.account(SAM)), Session(practice.app) as session:
        save_profile(session=session, profile=make_profile(name="Sam"))
    import psycopg

    raw = psycopg.connect(practice.app_url.replace("postgresql+psycopg", "postgresql"))
    try:
        for table in (*JOURNAL_TABLES, "account"):
            assert raw.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
    finally:
        raw.close()
    with acting_as(None), Session(practice.app) as session:
        assert list_nights(session=session) == []
        assert get_profile(session=session).name is None


def test_a_row_for_another_account_is_refused_by_the_database(practice: Practice) -> None:
    log(practice, ALEX, 2, "Alex's")
    alex_night = None
    with acting_as(practice.account(ALEX)), Session(practice.app) as session:
        alex_night = list_nights(session=session)[0].id
    with acting_as(practice.account(SAM)), practice.app.connect() as conn:
        with pytest.raises(DBAPIError, match="row-level security"):
            conn.execute(
                text(
                    "INSERT INTO night (account_id, night, version, created_at, updated_at) "
                    "VALUES (:other, '2026-01-01', 1, now(), now())"
                ),
                {"other": practice.account(ALEX)},
            )
        conn.rollback()
        # Her id for another person's night changes nothing and reads nothing.
        assert (
            conn.execute(
                text("UPDATE night SET notes = 'x' WHERE id = :id"), {"id": alex_night}
            ).rowcount
            == 0
        )  # noqa: E501
        assert (
            conn.execute(
                text("DELETE FROM cramp WHERE night_id = :id"), {"id": alex_night}
            ).rowcount
            == 0
        )  # noqa: E501
        conn.commit()
    with acting_as(practice.account(ALEX)), Session(practice.app) as session:
        assert entry_of(list_nights(session=session)[0]).notes == "Alex's"


def test_serving_a_practice_refuses_the_owner_a_superuser_and_a_bypassrls_role(
    practice: Practice, postgres_server: PostgresServer
) -> None:
    assert app_role_problem(practice.app) is None
    assert "superuser" in app_role_problem(practice.owner)
    bypass = f"bypass_{uuid.uuid4().hex[:8]}"
    postgres_server.admin(f"CREATE ROLE {bypass} LOGIN BYPASSRLS")
    member = f"member_{uuid.uuid4().hex[:8]}"
    owner_role = f"owner_{uuid.uuid4().hex[:8]}"
    postgres_server.admin(f"CREATE ROLE {owner_role} LOGIN")
    postgres_server.admin(f"CREATE ROLE {member} LOGIN IN ROLE {owner_role}")
    with practice.owner.begin() as conn:
        conn.exec_driver_sql(f"ALTER TABLE experiment OWNER TO {owner_role}")
    try:
        for role, words in ((bypass, "BYPASSRLS"), (owner_role, "owns"), (member, "owns")):
            engine = make_engine(practice.app_url.replace(f"{practice.role}@", f"{role}@"))
            try:
                assert words in app_role_problem(engine)
            finally:
                engine.dispose()
    finally:
        with practice.owner.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE experiment OWNER TO postgres")
        for role in (bypass, member, owner_role):
            postgres_server.admin(f"DROP ROLE {role}")


def test_sqlite_cannot_be_prepared_for_a_practice(sqlite_url: str, capsys) -> None:  # noqa: ANN001
    assert main(["--db", sqlite_url, "hosting", "--app-role", "app"]) != 0
    assert "PostgreSQL" in capsys.readouterr().err
    assert main(["--db", sqlite_url, "accounts", "list"]) != 0


def test_accounts_are_listed_and_one_is_removed_with_every_row_of_hers(
    practice: Practice, capsys
) -> None:  # noqa: ANN001
    log(practice, SAM, 2, "Sam's")
    log(practice, ALEX, 2, "Alex's")
    with acting_as(practice.account(SAM)), Session(practice.app) as session:
        save_profile(session=session, profile=make_profile(name="Sam"))
    sam = practice.account(SAM)
    capsys.readouterr()
    assert main(["--db", practice.owner_url, "accounts", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"{ALEX}\tpatient\tP", f"{SAM}\tpatient\tP"]
    assert main(["--db", practice.owner_url, "accounts", "remove", SAM, "--yes"]) == 0
    assert "1 night and everything else of hers" in capsys.readouterr().out
    with practice.owner.connect() as conn:
        for table in JOURNAL_TABLES:
            left = conn.execute(
                text(f"SELECT count(*) FROM {table} WHERE account_id = :a"), {"a": sam}
            ).scalar_one()
            assert left == 0, table
        assert (
            conn.execute(
                text("SELECT count(*) FROM account WHERE id = :a"), {"a": sam}
            ).scalar_one()
            == 0
        )  # noqa: E501
    with acting_as(practice.account(ALEX)), Session(practice.app) as session:
        assert [entry_of(n).notes for n in list_nights(session=session)] == ["Alex's"]
    assert main(["--db", practice.owner_url, "accounts", "remove", SAM, "--yes"]) != 0


def test_an_email_is_added_once_and_must_look_like_one(practice: Practice, capsys) -> None:  # noqa: ANN001
    assert main(["--db", practice.owner_url, "accounts", "add", " SAM@Practice.example "]) != 0
    assert "already" in capsys.readouterr().err
    assert main(["--db", practice.owner_url, "accounts", "add", "not an email"]) != 0
    assert "not an email" in capsys.readouterr().err


def test_hosting_again_changes_nothing_and_keeps_every_journal(practice: Practice) -> None:
    log(practice, SAM, 2, "kept")
    assert main(["--db", practice.owner_url, "hosting", "--app-role", practice.role]) == 0
    assert app_role_problem(practice.app) is None
    with acting_as(practice.account(SAM)), Session(practice.app) as session:
        assert [entry_of(n).notes for n in list_nights(session=session)] == ["kept"]


def test_her_record_of_access_is_hers_and_the_app_can_only_add_to_it(practice: Practice) -> None:
    from tracker.journal.accounts import access_record, record_access

    for email in (SAM, ALEX):
        with acting_as(practice.account(email)), Session(practice.app) as session:
            record_access(session=session, what=f"signed in as {email}")
            session.commit()
    with acting_as(practice.account(SAM)), Session(practice.app) as session:
        assert [a.what for a in access_record(session=session)] == [f"signed in as {SAM}"]
    for statement in ("UPDATE access SET what = 'nothing'", "DELETE FROM access"):
        with (
            acting_as(practice.account(SAM)),
            practice.app.connect() as conn,
            pytest.raises(DBAPIError, match="permission denied"),
        ):
            conn.execute(text(statement))
    with practice.owner.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM access")).scalar_one() == 2


@pytest.fixture
def owner_url(practice: Practice, postgres_server: PostgresServer) -> Iterator[str]:
    """The practice's tables handed to an owner role that is no superuser (as a practice runs
    it), so row-level security holds for the owner's own commands too."""
    owner = f"owner_{uuid.uuid4().hex[:8]}"
    postgres_server.admin(f"CREATE ROLE {owner} LOGIN")
    database = practice.owner_url.rsplit("/", 1)[1]
    postgres_server.admin(f'ALTER DATABASE "{database}" OWNER TO {owner}')
    with practice.owner.begin() as conn:
        tables = conn.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).scalars()
        for table in list(tables):
            conn.exec_driver_sql(f'ALTER TABLE "{table}" OWNER TO {owner}')
        for function in ("cramp_account_for(text)", "journal_version_bump()"):
            conn.exec_driver_sql(f"ALTER FUNCTION {function} OWNER TO {owner}")
    practice.owner.dispose()
    yield practice.owner_url.replace("postgres@", f"{owner}@", 1)
    postgres_server.admin(f'ALTER DATABASE "{database}" OWNER TO postgres')


def test_the_owner_exports_and_erases_one_persons_journal_only(
    practice: Practice, owner_url: str, tmp_path, capsys
) -> None:  # noqa: ANN001
    import json

    log(practice, SAM, 2, "Sam's")
    log(practice, ALEX, 2, "Alex's")
    log(practice, ALEX, 3, "Alex's other")
    assert main(["--db", owner_url, "hosting", "--app-role", practice.role]) == 0
    capsys.readouterr()
    assert main(["--db", owner_url, "export", str(tmp_path / "all.json")]) != 0
    assert "--account" in capsys.readouterr().err
    target = tmp_path / "alex.json"
    assert main(["--db", owner_url, "--account", ALEX, "export", str(target)]) == 0
    notes = sorted(n["notes"] for n in json.loads(target.read_text())["nights"])
    assert notes == ["Alex's", "Alex's other"]
    assert main(["--db", owner_url, "--account", SAM, "erase", "--yes"]) == 0
    with acting_as(practice.account(SAM)), Session(practice.app) as session:
        assert list_nights(session=session) == []
    with acting_as(practice.account(ALEX)), Session(practice.app) as session:
        assert len(list_nights(session=session)) == 2
    assert main(["--db", practice.owner_url, "--account", ALEX, "summary"]) != 0
    assert "superuser" in capsys.readouterr().err
    assert main(["--db", owner_url, "--account", "nobody@x.example", "summary"]) != 0
    assert main(["--db", owner_url, "--account", ALEX, "bench"]) != 0


def test_a_personal_backup_restores_into_her_hosted_journal_and_back_exactly(
    practice: Practice, owner_url: str, tmp_path
) -> None:  # noqa: ANN001
    import datetime as dt
    import json

    from tracker.journal.demo import fill_demo
    from tracker.journal.schema import ensure_schema

    personal = make_engine(f"sqlite:///{tmp_path / 'personal.db'}")
    ensure_schema(personal)
    with Session(personal) as session:
        fill_demo(session=session, today=dt.date.today())
    personal.dispose()
    mine = tmp_path / "mine.json"
    assert main(["--db", f"sqlite:///{tmp_path / 'personal.db'}", "export", str(mine)]) == 0
    log(practice, ALEX, 2, "Alex's")  # someone else's night on the same server stays hers
    assert main(["--db", owner_url, "--account", SAM, "import", str(mine)]) == 0
    hosted = tmp_path / "hosted.json"
    assert main(["--db", owner_url, "--account", SAM, "export", str(hosted)]) == 0
    back = tmp_path / "back.json"
    again = f"sqlite:///{tmp_path / 'again.db'}"
    assert main(["--db", again, "import", str(hosted)]) == 0
    assert main(["--db", again, "export", str(back)]) == 0

    def journal(path) -> dict:  # noqa: ANN001
        document = json.loads(path.read_text())
        document.pop("exported_at")
        return document

    assert journal(hosted) == journal(mine) == journal(back)
    assert len(journal(mine)["nights"]) > 70
    with acting_as(practice.account(ALEX)), Session(practice.app) as session:
        assert [entry_of(n).notes for n in list_nights(session=session)] == ["Alex's"]
