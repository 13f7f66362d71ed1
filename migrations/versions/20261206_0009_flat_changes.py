"""Published flats: edits wait for review beside the approved version.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 02:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('flats') as batch:
        batch.add_column(sa.Column('pending_changes', sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column('changes_submitted_at', sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column('changes_comment', sa.Text(), nullable=True))
    with op.batch_alter_table('photos') as batch:
        # Every photo there is was shown before: approved.
        batch.add_column(
            sa.Column('is_approved', sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade():
    with op.batch_alter_table('photos') as batch:
        batch.drop_column('is_approved')
    with op.batch_alter_table('flats') as batch:
        batch.drop_column('changes_comment')
        batch.drop_column('changes_submitted_at')
        batch.drop_column('pending_changes')
