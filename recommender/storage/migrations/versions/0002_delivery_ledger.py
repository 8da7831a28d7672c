"""delivery ledger: leases, typed failures with retry times, papers posted

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('digests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_owner', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('reason', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('next_retry_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_digests_next_retry_at'), ['next_retry_at'], unique=False)
    with op.batch_alter_table('digest_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('posted_at', sa.DateTime(), nullable=True))
    # Before the ledger, a digest's papers were recorded when it was claimed and a
    # claimed digest counted as sent: keep them counted (they may have been posted).
    op.execute(
        "UPDATE digest_items SET posted_at = (SELECT COALESCE(d.sent_at, d.created_at) FROM digests d"
        " WHERE d.id = digest_items.digest_id)"
    )
    op.execute("UPDATE digests SET attempts = 1")


def downgrade() -> None:
    # Papers of digests that were never posted would count as sent in 0001: drop them.
    op.execute("DELETE FROM digest_items WHERE posted_at IS NULL")
    # 0001 treats a claimed digest as done; an unfinished one must stay retryable there.
    op.execute("UPDATE digests SET status = 'failed' WHERE status = 'claimed'")
    with op.batch_alter_table('digest_items', schema=None) as batch_op:
        batch_op.drop_column('posted_at')
    with op.batch_alter_table('digests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_digests_next_retry_at'))
        batch_op.drop_column('next_retry_at')
        batch_op.drop_column('failed_at')
        batch_op.drop_column('reason')
        batch_op.drop_column('attempts')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('lease_owner')
