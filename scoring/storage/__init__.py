"""Storage: SQLite (embedded default) or PostgreSQL through SQLAlchemy 2, migrated by Alembic.

- ``database``: ``make_engine(url)``, ``default_url()``, ``session_scope(engine, write=...)``;
- ``repository``: every read and write, as functions taking a Session;
- ``migrations``: ``upgrade(engine)``, ``check_drift(engine)``;
- ``models``: the schema. Everything else here is implementation.
"""
