"""Storage: the SQLAlchemy models, the database handle and the Alembic migrations."""

from recommender.storage.db import Database, DatabaseError
from recommender.storage.models import Base

__all__ = ["Base", "Database", "DatabaseError"]
