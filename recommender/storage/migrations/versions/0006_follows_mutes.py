"""followed authors, mutes, the five-paper start, discussion threads

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'author_follows',
        sa.Column('id', KEY, autoincrement=True, nullable=False),
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('surname', sa.String(length=120), nullable=False),
        sa.Column('given', sa.String(length=120), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_author_follows_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_author_follows')),
        sa.UniqueConstraint('user_id', 'surname', 'given', name=op.f('uq_author_follows_user_id')),
    )
    op.create_index(op.f('ix_author_follows_user_id'), 'author_follows', ['user_id'], unique=False)
    op.create_table(
        'mutes',
        sa.Column('id', KEY, autoincrement=True, nullable=False),
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('value', sa.String(length=200), nullable=False),
        sa.Column('value_key', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mutes_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mutes')),
        sa.UniqueConstraint('user_id', 'kind', 'value_key', name=op.f('uq_mutes_user_id')),
    )
    op.create_index(op.f('ix_mutes_user_id'), 'mutes', ['user_id'], unique=False)
    op.create_table(
        'onboardings',
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('paper_ids', sa.JSON(), nullable=False),
        sa.Column('picks_before', sa.JSON(), nullable=False),
        sa.Column('offered_at', sa.DateTime(), nullable=False),
        sa.Column('reported_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_onboardings_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_onboardings')),
    )
    op.create_table(
        'discussions',
        sa.Column('id', KEY, autoincrement=True, nullable=False),
        sa.Column('guild_id', sa.BigInteger(), nullable=False),
        sa.Column('paper_id', sa.String(length=64), nullable=False),
        sa.Column('channel_id', sa.BigInteger(), nullable=False),
        sa.Column('thread_id', sa.BigInteger(), nullable=True),
        sa.Column('opened_by', sa.BigInteger(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['paper_id'], ['papers.id'], name=op.f('fk_discussions_paper_id_papers'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_discussions')),
        sa.UniqueConstraint('guild_id', 'paper_id', name=op.f('uq_discussions_guild_id')),
    )
    op.create_index(op.f('ix_discussions_paper_id'), 'discussions', ['paper_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_discussions_paper_id'), table_name='discussions')
    op.drop_table('discussions')
    op.drop_table('onboardings')
    op.drop_index(op.f('ix_mutes_user_id'), table_name='mutes')
    op.drop_table('mutes')
    op.drop_index(op.f('ix_author_follows_user_id'), table_name='author_follows')
    op.drop_table('author_follows')
