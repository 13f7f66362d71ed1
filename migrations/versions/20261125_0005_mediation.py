"""Mediation cases and their notes and replies.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 13:24:48.638736

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('mediation_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('sender_kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('contact_by', sa.String(length=6), nullable=False),
    sa.Column('topic', sa.String(length=16), nullable=False),
    sa.Column('flat_address', sa.String(length=300), nullable=True),
    sa.Column('flat_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('assigned_to_id', sa.Integer(), nullable=True),
    sa.Column('placement_id', sa.Integer(), nullable=True),
    sa.Column('first_answer_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('contact_purged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("sender_kind IN ('landlord', 'tenant', 'other')", name=op.f('ck_mediation_cases_sender_kind')),
    sa.CheckConstraint("status IN ('new', 'in_progress', 'waiting', 'resolved', 'closed')", name=op.f('ck_mediation_cases_status')),
    sa.CheckConstraint("topic IN ('rent_arrears', 'neighbourhood', 'damage', 'communication', 'other')", name=op.f('ck_mediation_cases_topic')),
    sa.ForeignKeyConstraint(['assigned_to_id'], ['users.id'], name=op.f('fk_mediation_cases_assigned_to_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['flat_id'], ['flats.id'], name=op.f('fk_mediation_cases_flat_id_flats'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_mediation_cases_organisation_id_organisations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['placement_id'], ['placements.id'], name=op.f('fk_mediation_cases_placement_id_placements'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mediation_cases_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediation_cases')),
    sa.UniqueConstraint('number', name=op.f('uq_mediation_cases_number'))
    )
    with op.batch_alter_table('mediation_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediation_cases_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_mediation_cases_status_created', ['status', 'created_at'], unique=False)

    op.create_table('mediation_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=6), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('note', 'reply')", name=op.f('ck_mediation_entries_kind')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_mediation_entries_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['mediation_cases.id'], name=op.f('fk_mediation_entries_case_id_mediation_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediation_entries'))
    )
    with op.batch_alter_table('mediation_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediation_entries_case_id'), ['case_id'], unique=False)




def downgrade():

    with op.batch_alter_table('mediation_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mediation_entries_case_id'))

    op.drop_table('mediation_entries')
    with op.batch_alter_table('mediation_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_mediation_cases_status_created')
        batch_op.drop_index(batch_op.f('ix_mediation_cases_organisation_id'))

    op.drop_table('mediation_cases')

