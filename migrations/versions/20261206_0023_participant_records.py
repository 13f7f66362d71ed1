"""ESF participant records under Annex I (issue 17): the birth year (the age band is derived from
it at entry), labour-market status, education, the further special categories and, at exit, the
exit date and the immediate results.

Existing rows keep their age band with no birth year (the birth year was never asked); the new
entry fields start empty (NULL), so these records show as incomplete until a social worker
completes them. ``age_band`` becomes nullable (a record may not yet have an age).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 20:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

ANSWERS = "'yes', 'no', 'no_answer'"
CHECKS = {
    'birth_year': 'birth_year IS NULL OR birth_year >= 1900',
    'labour_status': (
        "labour_status IS NULL OR labour_status IN ('unemployed', 'long_term_unemployed', "
        "'inactive', 'employed', 'no_answer')"
    ),
    'education': (
        "education IS NULL OR education IN ('isced_0_2', 'isced_3_4', 'isced_5_8', 'none', "
        "'no_answer')"
    ),
    'foreign_background': f"foreign_background IS NULL OR foreign_background IN ({ANSWERS})",
    'minority': f"minority IS NULL OR minority IN ({ANSWERS})",
    'homeless': f"homeless IS NULL OR homeless IN ({ANSWERS})",
    'rural': f"rural IS NULL OR rural IN ({ANSWERS})",
}
AGE_BANDS = "'under_18', '18_29', '30_54', '55_plus'"


def upgrade():
    with op.batch_alter_table('household_participants') as batch:
        batch.add_column(sa.Column('birth_year', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('labour_status', sa.String(length=24), nullable=True))
        batch.add_column(sa.Column('education', sa.String(length=12), nullable=True))
        batch.add_column(sa.Column('foreign_background', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('minority', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('homeless', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('rural', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('exit_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('result_job_searching', sa.Boolean(), nullable=True))
        batch.add_column(sa.Column('result_in_education', sa.Boolean(), nullable=True))
        batch.add_column(sa.Column('result_qualification', sa.Boolean(), nullable=True))
        batch.add_column(sa.Column('result_employed', sa.Boolean(), nullable=True))
        batch.alter_column('age_band', existing_type=sa.String(length=10), nullable=True)
        batch.drop_constraint(op.f('ck_household_participants_age_band'), type_='check')
        batch.create_check_constraint(
            op.f('ck_household_participants_age_band'),
            f"age_band IS NULL OR age_band IN ({AGE_BANDS})",
        )
        for name, condition in CHECKS.items():
            batch.create_check_constraint(op.f(f'ck_household_participants_{name}'), condition)


def downgrade():
    # A record with no age band cannot go back: it gets none of the bands, so it is deleted
    # (it was a new, incomplete record without a birth year).
    op.execute("DELETE FROM household_participants WHERE age_band IS NULL")
    with op.batch_alter_table('household_participants') as batch:
        for name in CHECKS:
            batch.drop_constraint(op.f(f'ck_household_participants_{name}'), type_='check')
        batch.drop_constraint(op.f('ck_household_participants_age_band'), type_='check')
        batch.create_check_constraint(
            op.f('ck_household_participants_age_band'), f"age_band IN ({AGE_BANDS})"
        )
        batch.alter_column('age_band', existing_type=sa.String(length=10), nullable=False)
        for column in (
            'result_employed', 'result_qualification', 'result_in_education',
            'result_job_searching', 'exit_on', 'rural', 'homeless', 'minority',
            'foreign_background', 'education', 'labour_status', 'birth_year',
        ):
            batch.drop_column(column)
