"""Alembic environment: runs on the connection the app hands it (see tracker.journal.schema)."""

from alembic import context
from sqlmodel import SQLModel

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from tracker.journal.db import make_engine

        with make_engine(config.get_main_option("sqlalchemy.url") or None).connect() as conn:
            _run(conn)
            conn.commit()
        return
    _run(connection)


def _run(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite needs batch mode to change columns
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
