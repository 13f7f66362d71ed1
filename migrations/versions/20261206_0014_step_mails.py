"""Every step reaches the landlord (issue 15): the landlord's choice of one e-mail per step or
a daily digest, and what an outbox message is about, so staff see a placement's messages.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 05:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch:
        batch.add_column(
            sa.Column('step_mails', sa.String(length=10), nullable=False, server_default='each')
        )
        batch.add_column(sa.Column('digest_sent_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('outbox_messages') as batch:
        batch.add_column(sa.Column('topic', sa.String(length=40), nullable=True))
        batch.create_index('ix_outbox_messages_topic', ['topic'])


def downgrade():
    with op.batch_alter_table('outbox_messages') as batch:
        batch.drop_index('ix_outbox_messages_topic')
        batch.drop_column('topic')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('digest_sent_at')
        batch.drop_column('step_mails')
