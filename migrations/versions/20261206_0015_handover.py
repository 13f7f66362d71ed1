"""The handover record at move-in and the landlord's move-in confirmation
(Wohnungsgeberbestätigung) with the household's registration date (issue 16).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 06:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'handover_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('placement_id', sa.Integer(), nullable=False),
        sa.Column('handed_over_on', sa.Date(), nullable=False),
        sa.Column('meters', sa.JSON(), nullable=False),
        sa.Column('keys', sa.JSON(), nullable=False),
        sa.Column('rooms', sa.JSON(), nullable=False),
        sa.Column('landlord_signed_by', sa.String(length=200), nullable=False),
        sa.Column('tenant_signed_by', sa.String(length=200), nullable=False),
        sa.Column('signed_on', sa.Date(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['placement_id'], ['placements.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('placement_id'),
    )
    op.create_table(
        'move_in_confirmations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('placement_id', sa.Integer(), nullable=False),
        sa.Column('owner_name', sa.String(length=200), nullable=True),
        sa.Column('owner_address', sa.String(length=300), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
        sa.Column('registered_on', sa.Date(), nullable=True),
        sa.Column('registration_recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['placement_id'], ['placements.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(
            ['registration_recorded_by_id'], ['users.id'], ondelete='SET NULL'
        ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('placement_id'),
    )


def downgrade():
    op.drop_table('move_in_confirmations')
    op.drop_table('handover_records')
