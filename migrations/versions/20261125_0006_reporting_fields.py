"""Reporting fields: intake, target group, exit and ESF participant data on households;
follow-up outcomes for an ended tenancy with their date.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 14:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TARGET_GROUPS = ("refugee_shared_accommodation", "homeless_municipal_shelter", "other")
DESTINATIONS = (
    "own_tenancy_programme",
    "own_tenancy_with_support",
    "other_accommodation",
    "dropped_out",
    "moved_away",
)
RUNNING = ("all_well", "needs_support", "rent_arrears", "conflict")
ENDED = ("tenancy_ended", "returned_to_shelter")


def _in(column, values, nullable=False):
    listed = ", ".join(f"'{v}'" for v in values)
    return f"{column} IS NULL OR {column} IN ({listed})" if nullable else f"{column} IN ({listed})"


OUTCOME_ON_RULE = (
    "(outcome IN ('tenancy_ended', 'returned_to_shelter') AND outcome_on IS NOT NULL)"
    " OR (outcome_on IS NULL AND (outcome IS NULL"
    " OR outcome NOT IN ('tenancy_ended', 'returned_to_shelter')))"
)


def upgrade():
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.add_column(sa.Column('intake_on', sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column('target_group', sa.String(length=30), nullable=False, server_default='other')
        )
        batch_op.add_column(sa.Column('exit_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('exit_destination', sa.String(length=30), nullable=True))
    # Existing households were taken in on the day they were entered.
    households = sa.table('households', sa.column('intake_on', sa.Date()), sa.column('created_at'))
    op.execute(households.update().values(intake_on=sa.func.date(households.c.created_at)))
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.alter_column('intake_on', existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('target_group', existing_type=sa.String(length=30), server_default=None)
        batch_op.create_check_constraint('target_group', _in('target_group', TARGET_GROUPS))
        batch_op.create_check_constraint(
            'exit_destination', _in('exit_destination', DESTINATIONS, nullable=True)
        )
        batch_op.create_check_constraint(
            'exit_date_and_destination', '(exit_on IS NULL) = (exit_destination IS NULL)'
        )
        batch_op.create_check_constraint(
            'exit_after_intake', 'exit_on IS NULL OR exit_on >= intake_on'
        )
        batch_op.create_index('ix_households_intake', ['intake_on'], unique=False)
        batch_op.create_index('ix_households_exit', ['exit_on'], unique=False)

    op.create_table('household_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('gender', sa.String(length=12), nullable=False),
    sa.Column('age_band', sa.String(length=10), nullable=False),
    sa.Column('third_country', sa.String(length=10), nullable=False),
    sa.Column('disability', sa.String(length=10), nullable=False),
    sa.CheckConstraint("gender IN ('female', 'male', 'non_binary', 'no_answer')", name=op.f('ck_household_participants_gender')),
    sa.CheckConstraint("age_band IN ('under_18', '18_29', '30_54', '55_plus')", name=op.f('ck_household_participants_age_band')),
    sa.CheckConstraint("third_country IN ('yes', 'no', 'no_answer')", name=op.f('ck_household_participants_third_country')),
    sa.CheckConstraint("disability IN ('yes', 'no', 'no_answer')", name=op.f('ck_household_participants_disability')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_household_participants_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_participants')),
    sa.UniqueConstraint('household_id', 'position', name=op.f('uq_household_participants_household_id_position'))
    )

    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome_on', sa.Date(), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_follow_ups_outcome'), type_='check')
        batch_op.create_check_constraint('outcome', _in('outcome', RUNNING + ENDED, nullable=True))
        batch_op.create_check_constraint('outcome_on_for_ended', OUTCOME_ON_RULE)
        batch_op.create_index('ix_follow_ups_outcome_on', ['outcome_on'], unique=False)


def downgrade():
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_ups_outcome_on')
        batch_op.drop_constraint(batch_op.f('ck_follow_ups_outcome_on_for_ended'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_follow_ups_outcome'), type_='check')
    op.execute(
        "DELETE FROM follow_ups WHERE outcome IN ('tenancy_ended', 'returned_to_shelter')"
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_check_constraint('outcome', _in('outcome', RUNNING, nullable=True))
        batch_op.drop_column('outcome_on')

    op.drop_table('household_participants')

    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index('ix_households_exit')
        batch_op.drop_index('ix_households_intake')
        batch_op.drop_constraint(batch_op.f('ck_households_exit_after_intake'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_households_exit_date_and_destination'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_households_exit_destination'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_households_target_group'), type_='check')
        batch_op.drop_column('exit_destination')
        batch_op.drop_column('exit_on')
        batch_op.drop_column('target_group')
        batch_op.drop_column('intake_on')
