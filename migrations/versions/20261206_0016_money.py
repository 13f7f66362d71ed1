"""Money questions of a placement (issue 16): one-off cost items, direct rent payment, and the
consent's permission to tell the landlord their status.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 06:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'placement_cost_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('placement_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('amount', sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column('requested_on', sa.Date(), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=True),
        sa.Column('paid_on', sa.Date(), nullable=True),
        sa.Column('paid_to', sa.String(length=16), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('deposit', 'shares', 'moving', 'furnishing')",
            name=op.f('ck_placement_cost_items_kind'),
        ),
        sa.CheckConstraint(
            "status IN ('requested', 'approved', 'refused', 'paid')",
            name=op.f('ck_placement_cost_items_status'),
        ),
        sa.CheckConstraint('amount > 0', name=op.f('ck_placement_cost_items_amount')),
        sa.ForeignKeyConstraint(
            ['placement_id'], ['placements.id'],
            name=op.f('fk_placement_cost_items_placement_id_placements'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_placement_cost_items')),
    )
    with op.batch_alter_table('placement_cost_items') as batch:
        batch.create_index(
            batch.f('ix_placement_cost_items_placement_id'), ['placement_id'], unique=False
        )
    op.create_table(
        'placement_direct_payments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('placement_id', sa.Integer(), nullable=False),
        sa.Column('requested_on', sa.Date(), nullable=False),
        sa.Column('confirmed_on', sa.Date(), nullable=True),
        sa.Column('from_month', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ['placement_id'], ['placements.id'],
            name=op.f('fk_placement_direct_payments_placement_id_placements'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_placement_direct_payments')),
        sa.UniqueConstraint('placement_id', name=op.f('uq_placement_direct_payments_placement_id')),
    )
    with op.batch_alter_table('consents') as batch:
        batch.add_column(
            sa.Column(
                'shares_payment_status', sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade():
    with op.batch_alter_table('consents') as batch:
        batch.drop_column('shares_payment_status')
    op.drop_table('placement_direct_payments')
    with op.batch_alter_table('placement_cost_items') as batch:
        batch.drop_index(batch.f('ix_placement_cost_items_placement_id'))
    op.drop_table('placement_cost_items')
