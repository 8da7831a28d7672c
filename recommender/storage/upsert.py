"""Race-free get-or-create: `INSERT … ON CONFLICT DO NOTHING` in the dialect of the session."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignore(session: Session, model: type[Any], keys: list[str], **values: Any) -> bool:
    """Insert one row unless a row with the same `keys` (a primary or unique key) exists.

    Returns True when this call inserted it. Two sessions doing this at once never
    raise IntegrityError: the loser's insert does nothing.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    key = getattr(model, keys[0])
    stmt = insert(model).values(**values).on_conflict_do_nothing(index_elements=keys).returning(key)
    return session.execute(stmt).first() is not None


def insert_or_update(session: Session, model: type[Any], keys: list[str], update: list[str], **values: Any) -> None:
    """Insert one row, or overwrite the `update` columns of the row with the same `keys`."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model).values(**values)
    stmt = stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in update})
    session.execute(stmt)
