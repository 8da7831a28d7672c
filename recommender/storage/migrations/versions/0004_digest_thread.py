"""digest threads: the header message, the day's thread, what the admins were told

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('digests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('header_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('thread_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('notified', sa.String(length=24), nullable=True))


def downgrade() -> None:
    # 0002 resumes a digest from its posted papers alone: an unfinished digest whose header is out
    # would post its remaining papers in the channel, which is what 0002 always did (nothing lost).
    with op.batch_alter_table('digests', schema=None) as batch_op:
        batch_op.drop_column('notified')
        batch_op.drop_column('thread_id')
        batch_op.drop_column('header_id')
