"""Prevention cases (issue 16): households threatened with losing their flat, the mediation
case with their landlord, and the outcome.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 20:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'prevention_cases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('household_id', sa.Integer(), nullable=False),
        sa.Column('opened_on', sa.Date(), nullable=False),
        sa.Column('threat', sa.String(length=24), nullable=False),
        sa.Column('threat_note', sa.Text(), nullable=True),
        sa.Column('landlord_name', sa.String(length=200), nullable=False),
        sa.Column('landlord_address', sa.String(length=300), nullable=True),
        sa.Column('mediation_case_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=14), nullable=True),
        sa.Column('outcome_on', sa.Date(), nullable=True),
        sa.Column('opened_by_id', sa.Integer(), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "threat IN ('notice_rent_arrears', 'notice_other', 'eviction_suit', 'other')",
            name=op.f('ck_prevention_cases_threat'),
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('tenancy_kept', 'moved', 'lost')",
            name=op.f('ck_prevention_cases_outcome'),
        ),
        sa.CheckConstraint(
            '(outcome IS NULL) = (outcome_on IS NULL)',
            name=op.f('ck_prevention_cases_outcome_and_date'),
        ),
        sa.CheckConstraint(
            'outcome_on IS NULL OR outcome_on >= opened_on',
            name=op.f('ck_prevention_cases_outcome_after_open'),
        ),
        sa.ForeignKeyConstraint(
            ['household_id'], ['households.id'],
            name=op.f('fk_prevention_cases_household_id_households'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['mediation_case_id'], ['mediation_cases.id'],
            name=op.f('fk_prevention_cases_mediation_case_id_mediation_cases'),
            ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['opened_by_id'], ['users.id'],
            name=op.f('fk_prevention_cases_opened_by_id_users'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['closed_by_id'], ['users.id'],
            name=op.f('fk_prevention_cases_closed_by_id_users'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_prevention_cases')),
        sa.UniqueConstraint(
            'mediation_case_id', name=op.f('uq_prevention_cases_mediation_case_id')
        ),
    )
    with op.batch_alter_table('prevention_cases', schema=None) as batch_op:
        batch_op.create_index('ix_prevention_cases_household', ['household_id'], unique=False)
        batch_op.create_index('ix_prevention_cases_opened', ['opened_on'], unique=False)
        batch_op.create_index('ix_prevention_cases_outcome', ['outcome_on'], unique=False)
        batch_op.create_index(
            'uq_prevention_cases_open', ['household_id'], unique=True,
            sqlite_where=sa.text('outcome IS NULL'), postgresql_where=sa.text('outcome IS NULL'),
        )


def downgrade():
    with op.batch_alter_table('prevention_cases', schema=None) as batch_op:
        batch_op.drop_index('uq_prevention_cases_open')
        batch_op.drop_index('ix_prevention_cases_outcome')
        batch_op.drop_index('ix_prevention_cases_opened')
        batch_op.drop_index('ix_prevention_cases_household')
    op.drop_table('prevention_cases')
