"""documents and page classification

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('documents',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('job_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('doc_type', sa.String(length=32), nullable=False),
    sa.Column('type_confidence', sa.Float(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('dossier_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('archive_no', sa.String(length=96), nullable=True),
    sa.Column('customer_confidence', sa.Float(), nullable=False),
    sa.Column('suggested_customer_no', sa.String(length=64), nullable=True),
    sa.Column('pending_dossiers', sa.JSON(), nullable=False),
    sa.Column('segment_reason', sa.Text(), nullable=False),
    sa.Column('match_reason', sa.Text(), nullable=False),
    sa.Column('review_reason', sa.Text(), nullable=True),
    sa.Column('duplicate_of', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('original_key', sa.String(length=256), nullable=True),
    sa.Column('original_media_type', sa.String(length=64), nullable=True),
    sa.Column('objects_prefix', sa.String(length=256), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name='fk_documents_customer'),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name='fk_documents_dossier'),
    sa.ForeignKeyConstraint(['duplicate_of'], ['documents.id'], name='fk_documents_duplicate'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name='fk_documents_job'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_state'), ['state'], unique=False)
        batch_op.create_index('uq_documents_archive_no', ['archive_no'], unique=True)

    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('image_key', sa.String(length=256), nullable=True))
        batch_op.add_column(sa.Column('thumb_key', sa.String(length=256), nullable=True))
        batch_op.add_column(sa.Column('doc_type', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('type_confidence', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('type_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('document_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.create_index(batch_op.f('ix_pages_doc_type'), ['doc_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_pages_document_id'), ['document_id'], unique=False)
        batch_op.create_foreign_key('fk_pages_document', 'documents', ['document_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.drop_constraint('fk_pages_document', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_pages_document_id'))
        batch_op.drop_index(batch_op.f('ix_pages_doc_type'))
        batch_op.drop_column('document_id')
        batch_op.drop_column('type_reason')
        batch_op.drop_column('type_confidence')
        batch_op.drop_column('doc_type')
        batch_op.drop_column('thumb_key')
        batch_op.drop_column('image_key')

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('uq_documents_archive_no')
        batch_op.drop_index(batch_op.f('ix_documents_state'))
        batch_op.drop_index(batch_op.f('ix_documents_job_id'))

    op.drop_table('documents')
