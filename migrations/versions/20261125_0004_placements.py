"""Placements with their events and follow-ups (partial unique indexes hold the invariants); calendar attachments in the outbox.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 12:39:38.193003

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('placements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('flat_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('interest_id', sa.Integer(), nullable=True),
    sa.Column('origin', sa.String(length=12), nullable=False),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('state_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('viewing_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('viewing_place', sa.String(length=200), nullable=True),
    sa.Column('viewing_companion_id', sa.Integer(), nullable=True),
    sa.Column('viewing_sequence', sa.Integer(), nullable=False),
    sa.Column('viewing_outcome', sa.Text(), nullable=True),
    sa.Column('rent_offer_on', sa.Date(), nullable=True),
    sa.Column('rent_offer_office', sa.String(length=120), nullable=True),
    sa.Column('costs_approved_on', sa.Date(), nullable=True),
    sa.Column('deposit_loan', sa.Boolean(), nullable=True),
    sa.Column('lease_signed_on', sa.Date(), nullable=True),
    sa.Column('rent_start_on', sa.Date(), nullable=True),
    sa.Column('keys_handed_over_on', sa.Date(), nullable=True),
    sa.Column('cancel_reason', sa.String(length=30), nullable=True),
    sa.Column('cancel_note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('proposed', 'landlord_accepted', 'viewing_scheduled', 'viewing_done', 'rent_offer_submitted', 'costs_approved', 'lease_signed', 'moved_in', 'aftercare', 'completed', 'cancelled')", name=op.f('ck_placements_state')),
    sa.ForeignKeyConstraint(['flat_id'], ['flats.id'], name=op.f('fk_placements_flat_id_flats'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_placements_household_id_households'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['interest_id'], ['interests.id'], name=op.f('fk_placements_interest_id_interests'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['staff_id'], ['users.id'], name=op.f('fk_placements_staff_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['viewing_companion_id'], ['users.id'], name=op.f('fk_placements_viewing_companion_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placements'))
    )
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placements_flat_id'), ['flat_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placements_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placements_staff_id'), ['staff_id'], unique=False)
        batch_op.create_index('ix_placements_state_changed', ['state', 'state_changed_at'], unique=False)
        batch_op.create_index('uq_placements_flat_holding', ['flat_id'], unique=True, sqlite_where=sa.text("state IN ('landlord_accepted', 'viewing_scheduled', 'viewing_done', 'rent_offer_submitted', 'costs_approved', 'lease_signed', 'moved_in', 'aftercare')"), postgresql_where=sa.text("state IN ('landlord_accepted', 'viewing_scheduled', 'viewing_done', 'rent_offer_submitted', 'costs_approved', 'lease_signed', 'moved_in', 'aftercare')"))
        batch_op.create_index('uq_placements_household_holding', ['household_id'], unique=True, sqlite_where=sa.text("state IN ('viewing_scheduled', 'viewing_done', 'rent_offer_submitted', 'costs_approved', 'lease_signed', 'moved_in', 'aftercare')"), postgresql_where=sa.text("state IN ('viewing_scheduled', 'viewing_done', 'rent_offer_submitted', 'costs_approved', 'lease_signed', 'moved_in', 'aftercare')"))

    op.create_table('follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('all_well', 'needs_support', 'rent_arrears', 'conflict')", name=op.f('ck_follow_ups_outcome')),
    sa.ForeignKeyConstraint(['placement_id'], ['placements.id'], name=op.f('fk_follow_ups_placement_id_placements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_follow_ups_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups'))
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index('ix_follow_ups_open_due', ['done_on', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_ups_placement_id'), ['placement_id'], unique=False)

    op.create_table('placement_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('from_state', sa.String(length=24), nullable=False),
    sa.Column('to_state', sa.String(length=24), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('on_behalf_of', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_placement_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['placement_id'], ['placements.id'], name=op.f('fk_placement_events_placement_id_placements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placement_events'))
    )
    with op.batch_alter_table('placement_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placement_events_placement_id'), ['placement_id'], unique=False)

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('attachment_type', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('attachment_text', sa.Text(), nullable=True))




def downgrade():

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('attachment_text')
        batch_op.drop_column('attachment_type')
        batch_op.drop_column('attachment_name')

    with op.batch_alter_table('placement_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_placement_events_placement_id'))

    op.drop_table('placement_events')
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_ups_placement_id'))
        batch_op.drop_index('ix_follow_ups_open_due')

    op.drop_table('follow_ups')
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.drop_index('uq_placements_household_holding', sqlite_where=sa.text("state IN ('viewing_scheduled', 'viewing_done', 'rent_offer_submitted', 'costs_approved', 'lease_signed', 'moved_in', 'aftercare')"), postgresql_where=sa.text("state IN ('viewing_scheduled', 'viewing_done', 'rent_offer_submitted', 'costs_approved', 'lease_signed', 'moved_in', 'aftercare')"))
        batch_op.drop_index('uq_placements_flat_holding', sqlite_where=sa.text("state IN ('landlord_accepted', 'viewing_scheduled', 'viewing_done', 'rent_offer_submitted', 'costs_approved', 'lease_signed', 'moved_in', 'aftercare')"), postgresql_where=sa.text("state IN ('landlord_accepted', 'viewing_scheduled', 'viewing_done', 'rent_offer_submitted', 'costs_approved', 'lease_signed', 'moved_in', 'aftercare')"))
        batch_op.drop_index('ix_placements_state_changed')
        batch_op.drop_index(batch_op.f('ix_placements_staff_id'))
        batch_op.drop_index(batch_op.f('ix_placements_household_id'))
        batch_op.drop_index(batch_op.f('ix_placements_flat_id'))

    op.drop_table('placements')

