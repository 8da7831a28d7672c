"""digest cadence: daily or weekly digests for servers and members; the ledger's period

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('guilds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cadence', sa.String(length=8), server_default='daily', nullable=False))
        batch_op.add_column(sa.Column('week_day', sa.String(length=3), server_default='mon', nullable=False))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dm_cadence', sa.String(length=8), server_default='daily', nullable=False))
        batch_op.add_column(sa.Column('dm_week_day', sa.String(length=3), server_default='mon', nullable=False))
    # Every digest so far is a daily one: its period is its day.
    with op.batch_alter_table('digests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cadence', sa.String(length=8), server_default='daily', nullable=False))
        batch_op.add_column(sa.Column('period', sa.Date(), nullable=True))
    op.execute("UPDATE digests SET period = day")
    with op.batch_alter_table('digests', schema=None) as batch_op:
        batch_op.alter_column('period', existing_type=sa.Date(), nullable=False)
        batch_op.create_unique_constraint('uq_digests_period', ['target_kind', 'target_id', 'cadence', 'period'])


def downgrade() -> None:
    # The (target, day) key stays: what was posted stays recorded, a weekly digest as the day it went out.
    with op.batch_alter_table('digests', schema=None) as batch_op:
        batch_op.drop_constraint('uq_digests_period', type_='unique')
        batch_op.drop_column('period')
        batch_op.drop_column('cadence')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('dm_week_day')
        batch_op.drop_column('dm_cadence')
    with op.batch_alter_table('guilds', schema=None) as batch_op:
        batch_op.drop_column('week_day')
        batch_op.drop_column('cadence')
