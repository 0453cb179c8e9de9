"""Alembic environment: runs migrations on the connection or URL handed in by the app."""

from __future__ import annotations

from alembic import context

# Every feature's tables, so that the metadata is whole.
import chuangkou.booking.tables
import chuangkou.catalog.tables
import chuangkou.clerks.tables  # noqa: F401
from chuangkou.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run migrations with a live connection (the only mode the app uses)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
