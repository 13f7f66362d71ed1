"""Message threads between a landlord's organisation and the team, one per placement and one
per mediation case (issue 15).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 05:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'thread_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('placement_id', sa.Integer(), nullable=True),
        sa.Column('mediation_case_id', sa.Integer(), nullable=True),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('side', sa.String(length=10), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(placement_id IS NOT NULL AND mediation_case_id IS NULL)"
            " OR (placement_id IS NULL AND mediation_case_id IS NOT NULL)",
            name=op.f('ck_thread_messages_one_thread'),
        ),
        sa.CheckConstraint(
            "side IN ('landlord', 'staff')", name=op.f('ck_thread_messages_side')
        ),
        sa.ForeignKeyConstraint(
            ['placement_id'], ['placements.id'],
            name=op.f('fk_thread_messages_placement_id_placements'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['mediation_case_id'], ['mediation_cases.id'],
            name=op.f('fk_thread_messages_mediation_case_id_mediation_cases'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['organisation_id'], ['organisations.id'],
            name=op.f('fk_thread_messages_organisation_id_organisations'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['author_id'], ['users.id'], name=op.f('fk_thread_messages_author_id_users'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_thread_messages')),
    )
    with op.batch_alter_table('thread_messages', schema=None) as batch_op:
        batch_op.create_index(
            'ix_thread_messages_placement', ['placement_id', 'created_at'], unique=False
        )
        batch_op.create_index(
            'ix_thread_messages_case', ['mediation_case_id', 'created_at'], unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_thread_messages_organisation_id'), ['organisation_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('thread_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_thread_messages_organisation_id'))
        batch_op.drop_index('ix_thread_messages_case')
        batch_op.drop_index('ix_thread_messages_placement')
    op.drop_table('thread_messages')
