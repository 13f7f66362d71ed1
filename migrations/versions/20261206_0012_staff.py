"""The team's decisions on flats with what they looked at (flat review history) and the
vetting checklist of a household (issue 15, staff).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 05:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'flat_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('flat_id', sa.Integer(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decision', sa.String(length=20), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('snapshot', sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "decision IN ('published', 'changes_requested', 'changes_approved', "
            "'changes_returned')",
            name=op.f('ck_flat_reviews_decision'),
        ),
        sa.ForeignKeyConstraint(
            ['flat_id'], ['flats.id'], name=op.f('fk_flat_reviews_flat_id_flats'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['decided_by_id'], ['users.id'], name=op.f('fk_flat_reviews_decided_by_id_users'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_flat_reviews')),
    )
    with op.batch_alter_table('flat_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_flat_reviews_flat', ['flat_id', 'decided_at'], unique=False)
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vetting_checklist', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_column('vetting_checklist')
    with op.batch_alter_table('flat_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_flat_reviews_flat')
    op.drop_table('flat_reviews')
