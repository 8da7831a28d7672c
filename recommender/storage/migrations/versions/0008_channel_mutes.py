"""channel mutes (`/digest mute`), discussions tied to a digest and their message counts

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'channel_mutes',
        sa.Column('id', KEY, autoincrement=True, nullable=False),
        sa.Column('guild_id', sa.BigInteger(), nullable=False),
        sa.Column('channel_id', sa.BigInteger(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('value', sa.String(length=200), nullable=False),
        sa.Column('value_key', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_mutes')),
        sa.UniqueConstraint('channel_id', 'kind', 'value_key', name=op.f('uq_channel_mutes_channel_id')),
    )
    op.create_index(op.f('ix_channel_mutes_channel_id'), 'channel_mutes', ['channel_id'], unique=False)
    with op.batch_alter_table('discussions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_id', KEY, nullable=True))
        batch_op.add_column(sa.Column('link_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('messages', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_message_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_discussions_digest_id_digests'), 'digests', ['digest_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_discussions_thread_id'), ['thread_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('discussions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discussions_thread_id'))
        batch_op.drop_constraint(batch_op.f('fk_discussions_digest_id_digests'), type_='foreignkey')
        batch_op.drop_column('last_message_at')
        batch_op.drop_column('messages')
        batch_op.drop_column('link_id')
        batch_op.drop_column('digest_id')
    op.drop_index(op.f('ix_channel_mutes_channel_id'), table_name='channel_mutes')
    op.drop_table('channel_mutes')
