"""Where experiment plans are kept: one row per plan in the `experiment` table.

The table is tracker.journal.models.Experiment (migration 0004); on a journal not yet upgraded,
load_plans() finds no plans and has_table() says so, so the page can explain instead of
failing. A plan is all that needs keeping: the schedule is drawn again from
its seed, and what happened is read from the nights she logged.

A stored plan that cannot run (e.g. 2,000,000 blocks, imported by an older version or written
by hand) is checked here, in one place: load_plans() leaves it out, so no page, export or
summary ever draws its schedule, and unusable_plans() names it and what is wrong with it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    delete,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import Connection

from tracker.journal.accounts import mine
from tracker.journal.models import Experiment
from tracker.journal.plans import Plan, plan_problems

EXPERIMENTS = Experiment.__table__  # migration 0004 (stopped: 0005)


def has_table(conn: Connection) -> bool:
    """Whether this journal can keep experiments yet."""
    return inspect(conn).has_table(EXPERIMENTS.name)


def save_plan(conn: Connection, plan: Plan) -> int:
    """Keep a new plan (the caller commits); returns its id."""
    values = {
        "habit": plan.habit.strip(),
        "start": plan.start,
        "seed": plan.seed,
        "blocks": plan.blocks,
        "target": plan.target,
        "clinician_agreed": plan.clinician_agreed,
        "stopped": plan.stopped,
        "created_at": dt.datetime.now(dt.UTC),
    }
    return int(conn.execute(EXPERIMENTS.insert().values(**values)).inserted_primary_key[0])


def stop_plan(conn: Connection, plan_id: int, night: dt.date) -> bool:
    """End a plan early with `night` as its last night (the caller commits); False when it
    is gone or was already stopped, so a second tap changes nothing."""
    statement = (
        update(EXPERIMENTS)
        .where(mine(EXPERIMENTS.c.account_id), EXPERIMENTS.c.id == plan_id)
        .where(EXPERIMENTS.c.stopped.is_(None))
        .values(stopped=night)
    )
    return conn.execute(statement).rowcount == 1


def remove_plan(conn: Connection, plan_id: int) -> bool:
    """Delete a plan (the caller commits); the nights she logged are not touched. False when
    it was already gone."""
    return (
        conn.execute(
            delete(EXPERIMENTS).where(mine(EXPERIMENTS.c.account_id), EXPERIMENTS.c.id == plan_id)
        ).rowcount
        == 1
    )


def _stored_plans(conn: Connection) -> list[tuple[int, Plan]]:
    """(id, plan) for every stored plan as it is, newest first; none before the table exists."""
    if not has_table(conn):
        return []
    rows = conn.execute(
        select(EXPERIMENTS).where(mine(EXPERIMENTS.c.account_id)).order_by(EXPERIMENTS.c.id.desc())
    ).mappings()
    return [
        (
            row["id"],
            Plan(
                habit=row["habit"],
                start=row["start"],
                seed=row["seed"],
                blocks=row["blocks"],
                target=row["target"],
                clinician_agreed=bool(row["clinician_agreed"]),
                stopped=row["stopped"],
            ),
        )
        for row in rows
    ]


def read_plans(conn: Connection) -> tuple[list[tuple[int, Plan]], list[tuple[int, Plan]]]:
    """(plans that can run, plans that cannot), each (id, plan) newest first, in one query."""
    stored = _stored_plans(conn)
    runs = [(plan_id, plan) for plan_id, plan in stored if not plan_problems(plan)]
    return runs, [(plan_id, plan) for plan_id, plan in stored if plan_problems(plan)]


def load_plans(conn: Connection) -> list[tuple[int, Plan]]:
    """(id, plan) for every plan that can run, newest first (see unusable_plans for the rest)."""
    return read_plans(conn)[0]


def unusable_plans(conn: Connection) -> list[tuple[int, Plan]]:
    """(id, plan) for every stored plan that cannot run (plans.plan_problems says why)."""
    return read_plans(conn)[1]
