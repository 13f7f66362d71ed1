"""The Mietbescheinigung (issue 16): the form the portal fills at the rent offer, the
landlord's bank account and their answer.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 06:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rent_certificates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('placement_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=24), nullable=False),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.Column('iban', sa.String(length=34), nullable=True),
        sa.Column('account_holder', sa.String(length=200), nullable=True),
        sa.Column('correction_note', sa.Text(), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('prepared', 'confirmed', 'corrections_requested')",
            name=op.f('ck_rent_certificates_status'),
        ),
        sa.ForeignKeyConstraint(
            ['placement_id'], ['placements.id'],
            name=op.f('fk_rent_certificates_placement_id_placements'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['answered_by_id'], ['users.id'],
            name=op.f('fk_rent_certificates_answered_by_id_users'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rent_certificates')),
        sa.UniqueConstraint('placement_id', name=op.f('uq_rent_certificates_placement_id')),
    )


def downgrade():
    op.drop_table('rent_certificates')
