"""search outbox

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('search_outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('document_id', sa.BigInteger(), nullable=True),
    sa.Column('page_id', sa.BigInteger(), nullable=True),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    # Documents filed before the outbox existed are announced once, so that the first drain indexes them.
    op.execute("INSERT INTO search_outbox (document_id, reason, created_at) "
               "SELECT id, 'filing', CURRENT_TIMESTAMP FROM documents WHERE state IN ('filed', 'review')")


def downgrade() -> None:
    op.drop_table('search_outbox')
