"""A practice's database: one PostgreSQL database holding every patient's journal, each
person kept to her own rows by PostgreSQL itself (row-level security), whatever the app asks.

Two roles: the owner (owns the tables, runs migrations and `cramp-journal hosting`) and the
app role (`serve --accounts` connects as it: it owns nothing, is no superuser, cannot bypass
row-level security and is no member of the owner). Every journal table's policy lets the app
role see and change only the rows of the transaction's account (`cramp.account_id`, set by
tracker.journal.accounts at the start of every transaction); with none set it sees nothing.
A clinician may also read (never write) the journals their patients share with them
(`share`, which only the patient adds to or removes from), and add a line to that patient's
record of access each time she looks.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from tracker.journal.schema import current_revision, ensure_schema, head_revision

JOURNAL_TABLES = ("night", "cramp", "redflag", "profile", "experiment", "journal_version")
APPEND_ONLY = ("access",)  # her record of access: the app may add lines, never change them
SHARES = ("share",)  # whom she shares her journal with: hers to add and remove
CURRENT = "NULLIF(current_setting('cramp.account_id', true), '')::integer"
# The patients who share their journal with the transaction's account (a clinician).
SHARED_WITH_ME = f"(SELECT patient_id FROM share WHERE clinician_id = {CURRENT})"
FORCED = (*JOURNAL_TABLES, *APPEND_ONLY, *SHARES)  # row-level security forced on each
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class HostingRefused(RuntimeError):
    """This database or role cannot serve a practice as it is; the message says why."""


def _quoted(role: str) -> str:
    if not ROLE_NAME.fullmatch(role):
        raise HostingRefused(
            f"{role!r} is not a plain role name (lower-case letters, digits and _, up to 63)"
        )
    return f'"{role}"'


def _statements(role: str) -> list[str]:
    """What `hosting` runs after the migrations, each idempotent."""
    app = _quoted(role)
    run: list[str] = [f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {app}"]
    for table in (*JOURNAL_TABLES, *APPEND_ONLY):
        may = "SELECT, INSERT" if table in APPEND_ONLY else "SELECT, INSERT, UPDATE, DELETE"
        run += [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS own_rows ON {table}",
            f"CREATE POLICY own_rows ON {table} USING (account_id = {CURRENT}) "
            f"WITH CHECK (account_id = {CURRENT})",
            # A clinician reads what her patients share with her, and writes none of it.
            f"DROP POLICY IF EXISTS shared_rows ON {table}",
            f"CREATE POLICY shared_rows ON {table} FOR SELECT "
            f"USING (account_id IN {SHARED_WITH_ME})",
            f"GRANT {may} ON {table} TO {app}",
        ]
    run += [
        # Her record of access: a clinician adds a line each time she looks at a shared
        # journal, and sees her own lines (when she last looked), never anyone else's.
        "DROP POLICY IF EXISTS clinician_looks ON access",
        "CREATE POLICY clinician_looks ON access FOR INSERT "
        f"WITH CHECK (by_account = {CURRENT} AND account_id IN {SHARED_WITH_ME})",
        "DROP POLICY IF EXISTS clinician_looked ON access",
        f"CREATE POLICY clinician_looked ON access FOR SELECT USING (by_account = {CURRENT})",
        # Sharing: only the patient adds or removes her shares, with a clinician of the list;
        # the clinician sees the shares made with her.
        "ALTER TABLE share ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE share FORCE ROW LEVEL SECURITY",
        "DROP POLICY IF EXISTS share_seen ON share",
        "CREATE POLICY share_seen ON share FOR SELECT "
        f"USING (patient_id = {CURRENT} OR clinician_id = {CURRENT})",
        "DROP POLICY IF EXISTS share_given ON share",
        "CREATE POLICY share_given ON share FOR INSERT WITH CHECK ("
        f"patient_id = {CURRENT} "
        f"AND EXISTS (SELECT 1 FROM account a WHERE a.id = {CURRENT} AND a.kind = 'patient') "
        "AND EXISTS (SELECT 1 FROM account c WHERE c.id = clinician_id "
        "AND c.kind = 'clinician'))",
        "DROP POLICY IF EXISTS share_taken_back ON share",
        f"CREATE POLICY share_taken_back ON share FOR DELETE USING (patient_id = {CURRENT})",
        f"GRANT SELECT, INSERT, DELETE ON share TO {app}",
        # Her own account row, the practice's clinicians (to share with, by name) and, for a
        # clinician, the patients who share with her; the list itself is the owner's
        # (accounts add/remove: not forced, so the owner keeps it whole and removing one
        # cascades to her rows).
        "ALTER TABLE account ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE account NO FORCE ROW LEVEL SECURITY",
        "DROP POLICY IF EXISTS own_account ON account",
        "CREATE POLICY own_account ON account FOR SELECT USING ("
        f"id = {CURRENT} OR kind = 'clinician' OR id IN {SHARED_WITH_ME})",
        f"GRANT SELECT ON account TO {app}",
        f"GRANT SELECT ON alembic_version TO {app}",
        f"GRANT USAGE ON SCHEMA public TO {app}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {app}",
        # Sign-in: from a verified email to the account, and nothing else about the list.
        "CREATE OR REPLACE FUNCTION cramp_account_for(wanted text) RETURNS TABLE "
        "(id integer, kind varchar) LANGUAGE sql STABLE SECURITY DEFINER "
        "SET search_path = public, pg_temp AS "
        "$$ SELECT id, kind FROM account WHERE email = lower(trim(wanted)) "
        "AND email IS NOT NULL $$",
        "REVOKE ALL ON FUNCTION cramp_account_for(text) FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION cramp_account_for(text) TO {app}",
    ]
    return run


def prepare(owner: Engine, app_role: str) -> None:
    """Bring the tables up to date as the owner, then (again) the policies and the grants."""
    if owner.dialect.name != "postgresql":
        raise HostingRefused(
            "a practice's server needs PostgreSQL: row-level security, which keeps each "
            "person's journal to herself, is PostgreSQL's; SQLite is for a personal journal"
        )
    ensure_schema(owner)
    with owner.begin() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": app_role}
        ).first()
        if not exists:
            raise HostingRefused(
                f"there is no role {app_role!r} in this database server: create it first "
                f"(CREATE ROLE {app_role} LOGIN PASSWORD '...')"
            )
        for statement in _statements(app_role):
            conn.exec_driver_sql(statement)
        problem = _role_problem(conn, app_role)
        if problem:
            raise HostingRefused(problem)


def _role_problem(conn: Connection, role: str) -> str | None:
    row = conn.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :role"),
        {"role": role},
    ).first()
    if row is None:
        return f"the role {role!r} does not exist"
    superuser, bypass = row
    if superuser:
        return f"the app's role {role!r} is a superuser, which row-level security does not hold"
    if bypass:
        return f"the app's role {role!r} has BYPASSRLS, so row-level security would not hold"
    owned = conn.execute(
        text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' "
            "AND pg_has_role(:role, c.relowner, 'MEMBER') ORDER BY 1 LIMIT 1"
        ),
        {"role": role},
    ).first()
    if owned:
        return (
            f"the app's role {role!r} owns the table {owned[0]} (or is a member of its owner), "
            "and an owner can switch row-level security off: connect as a role that owns "
            "nothing (see `cramp-journal hosting --app-role`)"
        )
    return None


def app_role_problem(app: Engine) -> str | None:
    """Why this engine's role must not serve a practice (None when it may)."""
    if app.dialect.name != "postgresql":
        return (
            "hosted mode needs PostgreSQL (row-level security keeps each person's journal to "
            "herself); SQLite is for a personal journal"
        )
    with app.connect() as conn:
        role = conn.execute(text("SELECT current_user")).scalar_one()
        problem = _role_problem(conn, role)
        if problem:
            return problem
        policies = conn.execute(
            text(
                "SELECT count(*) FROM pg_class WHERE relname = ANY(:tables) "
                "AND relrowsecurity AND relforcerowsecurity"
            ),
            {"tables": list(FORCED)},
        ).scalar_one()
    if policies != len(FORCED):
        return (
            "this database is not prepared for a practice (row-level security is not on "
            "every journal table): run `cramp-journal --db OWNER_URL hosting --app-role ROLE`"
        )
    if current_revision(app) != head_revision(app):
        return (
            "this database's tables are not up to date: run `cramp-journal --db OWNER_URL "
            "hosting --app-role ROLE` (after every upgrade)"
        )
    return None
