"""Submitted reports (issue 17): a report frozen as it was sent to the funding body, its
figures as JSON and its PDF and CSV byte for byte, with versions for corrections.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 20:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'submitted_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('period_kind', sa.String(length=20), nullable=False),
        sa.Column('scope', sa.String(length=20), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('recipient', sa.String(length=200), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('locale', sa.String(length=8), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.Column('pdf', sa.LargeBinary(), nullable=False),
        sa.Column('csv', sa.LargeBinary(), nullable=False),
        sa.Column('submitted_by_id', sa.Integer(), nullable=True),
        sa.Column('submitted_by_name', sa.String(length=200), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('version >= 1', name=op.f('ck_submitted_reports_version_positive')),
        sa.CheckConstraint(
            'period_end >= period_start', name=op.f('ck_submitted_reports_period_order')
        ),
        sa.CheckConstraint(
            'version = 1 OR reason IS NOT NULL',
            name=op.f('ck_submitted_reports_correction_reason'),
        ),
        sa.ForeignKeyConstraint(
            ['submitted_by_id'], ['users.id'],
            name=op.f('fk_submitted_reports_submitted_by_id_users'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_submitted_reports')),
        sa.UniqueConstraint(
            'period_start', 'period_end', 'scope', 'version',
            name=op.f('uq_submitted_reports_period_start_period_end_scope_version'),
        ),
    )
    op.create_index(
        'ix_submitted_reports_period', 'submitted_reports', ['period_start', 'period_end']
    )
    op.create_index(
        op.f('ix_submitted_reports_submitted_by_id'), 'submitted_reports', ['submitted_by_id']
    )


def downgrade():
    op.drop_index(op.f('ix_submitted_reports_submitted_by_id'), table_name='submitted_reports')
    op.drop_index('ix_submitted_reports_period', table_name='submitted_reports')
    op.drop_table('submitted_reports')
