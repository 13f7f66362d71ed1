"""Households (profiles, identities, consents, profile views, preferred districts) and landlord interests.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 12:09:55.705804

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('households',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('adults', sa.Integer(), nullable=False),
    sa.Column('children', sa.Integer(), nullable=False),
    sa.Column('needed_rooms', sa.Numeric(precision=3, scale=1), nullable=False),
    sa.Column('needed_area', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('max_gross_cold_rent', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('override_reason', sa.String(length=500), nullable=True),
    sa.Column('earliest_move_in', sa.Date(), nullable=False),
    sa.Column('cost_bearer', sa.String(length=12), nullable=False),
    sa.Column('has_wbs', sa.Boolean(), nullable=False),
    sa.Column('wbs_persons', sa.Integer(), nullable=True),
    sa.Column('has_pets', sa.Boolean(), nullable=False),
    sa.Column('needs_step_free', sa.Boolean(), nullable=False),
    sa.Column('needs_wheelchair', sa.Boolean(), nullable=False),
    sa.Column('profile_text', sa.Text(), nullable=True),
    sa.Column('waiting_since', sa.Date(), nullable=False),
    sa.Column('vetted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('vetted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'vetted', 'paused', 'housed', 'withdrawn')", name=op.f('ck_households_status')),
    sa.CheckConstraint('adults + children <= 12', name=op.f('ck_households_size')),
    sa.CheckConstraint('adults >= 1 AND adults <= 12', name=op.f('ck_households_adults')),
    sa.CheckConstraint('children >= 0 AND children <= 12', name=op.f('ck_households_children')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_households_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['vetted_by_id'], ['users.id'], name=op.f('fk_households_vetted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_households')),
    sa.UniqueConstraint('code', name=op.f('uq_households_code'))
    )
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.create_index('ix_households_status_waiting', ['status', 'waiting_since'], unique=False)

    op.create_table('consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('scope', sa.String(length=300), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('document_key', sa.String(length=80), nullable=True),
    sa.Column('document_type', sa.String(length=40), nullable=True),
    sa.Column('reminder_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expiry_recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('expires_on > given_on', name=op.f('ck_consents_expiry_after_start')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_consents_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_consents_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consents_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consents_expires_on'), ['expires_on'], unique=False)

    op.create_table('household_districts',
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_household_districts_district_id_districts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_household_districts_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('household_id', 'district_id', name=op.f('pk_household_districts'))
    )
    op.create_table('household_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('main_tenant_name', sa.String(length=200), nullable=True),
    sa.Column('adult_names', sa.Text(), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('current_accommodation', sa.String(length=300), nullable=True),
    sa.Column('case_notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_household_identities_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_identities')),
    sa.UniqueConstraint('household_id', name=op.f('uq_household_identities_household_id'))
    )
    op.create_table('interests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('flat_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'accepted', 'declined')", name=op.f('ck_interests_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_interests_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['flat_id'], ['flats.id'], name=op.f('fk_interests_flat_id_flats'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_interests_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_interests_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interests')),
    sa.UniqueConstraint('flat_id', 'household_id', name=op.f('uq_interests_flat_id_household_id'))
    )
    with op.batch_alter_table('interests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interests_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interests_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_interests_status_created', ['status', 'created_at'], unique=False)

    op.create_table('profile_views',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('viewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_profile_views_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_profile_views_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_profile_views_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_profile_views'))
    )
    with op.batch_alter_table('profile_views', schema=None) as batch_op:
        batch_op.create_index('ix_profile_views_household', ['household_id', 'viewed_at'], unique=False)




def downgrade():

    with op.batch_alter_table('profile_views', schema=None) as batch_op:
        batch_op.drop_index('ix_profile_views_household')

    op.drop_table('profile_views')
    with op.batch_alter_table('interests', schema=None) as batch_op:
        batch_op.drop_index('ix_interests_status_created')
        batch_op.drop_index(batch_op.f('ix_interests_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_interests_household_id'))

    op.drop_table('interests')
    op.drop_table('household_identities')
    op.drop_table('household_districts')
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consents_household_id'))
        batch_op.drop_index(batch_op.f('ix_consents_expires_on'))

    op.drop_table('consents')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index('ix_households_status_waiting')

    op.drop_table('households')

