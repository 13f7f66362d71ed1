"""Privacy: the record of erasures, re-applied after a backup is restored.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'erasures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=False),
        sa.Column('object_created_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('erased_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('erased_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('household', 'landlord')", name=op.f('ck_erasures_kind')),
        sa.ForeignKeyConstraint(
            ['erased_by_id'], ['users.id'], name=op.f('fk_erasures_erased_by_id_users'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_erasures')),
        sa.UniqueConstraint('kind', 'object_id', name=op.f('uq_erasures_kind_object_id')),
    )


def downgrade():
    op.drop_table('erasures')
