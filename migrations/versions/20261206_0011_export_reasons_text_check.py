"""Household exports with their reason (issue 13.9) and the confirmed check of the profile
text (issue 13.14).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'household_exports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('household_id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('purpose', sa.String(length=30), nullable=False),
        sa.Column('explanation', sa.Text(), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('access_request', 'portability', 'authority', "
            "'data_protection_officer', 'other')",
            name=op.f('ck_household_exports_purpose'),
        ),
        sa.ForeignKeyConstraint(
            ['household_id'], ['households.id'],
            name=op.f('fk_household_exports_household_id_households'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['actor_id'], ['users.id'], name=op.f('fk_household_exports_actor_id_users'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_household_exports')),
    )
    with op.batch_alter_table('household_exports', schema=None) as batch_op:
        batch_op.create_index(
            'ix_household_exports_household', ['household_id', 'created_at'], unique=False
        )
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.add_column(sa.Column('profile_text_checked', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_column('profile_text_checked')
    with op.batch_alter_table('household_exports', schema=None) as batch_op:
        batch_op.drop_index('ix_household_exports_household')
    op.drop_table('household_exports')
