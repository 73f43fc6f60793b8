"""The journal itself: tables, the database, migrations, and reading and writing nights."""
