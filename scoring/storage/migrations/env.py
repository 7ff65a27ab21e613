"""Alembic environment: always driven programmatically by ``scoring.storage.migrations``.

The caller hands us an open Connection in ``config.attributes["connection"]``; there is no
alembic.ini and no URL here, so the same code path serves SQLite, PostgreSQL and the tests.
"""

from __future__ import annotations

from alembic import context

from scoring.storage.migrations import context_options
from scoring.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through scoring.storage.migrations.upgrade(engine)")

context.configure(connection=connection, target_metadata=Base.metadata, **context_options())
with context.begin_transaction():
    context.run_migrations()
