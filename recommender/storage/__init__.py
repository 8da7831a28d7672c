"""Storage: the SQLAlchemy models, the database handle, the Alembic migrations and the
counts of what is stored. The bottom layer: imports nothing else of recommender's."""

from recommender.storage.db import Database, DatabaseError
from recommender.storage.models import Base

__all__ = ["Base", "Database", "DatabaseError"]
