"""server sources (arXiv categories, Hugging Face on/off); members' DM digest days and bar

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('guilds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('arxiv_categories', sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column('hf_enabled', sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dm_weekdays', sa.String(length=40), server_default='daily', nullable=False))
        batch_op.add_column(sa.Column('min_match', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('min_match')
        batch_op.drop_column('dm_weekdays')
    with op.batch_alter_table('guilds', schema=None) as batch_op:
        batch_op.drop_column('hf_enabled')
        batch_op.drop_column('arxiv_categories')
