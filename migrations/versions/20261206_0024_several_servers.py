"""Several application servers (issue 19): mail workers claim outbox messages with a lease
(``claimed_by``, ``claimed_at``), and scheduled jobs record their daily run (``job_runs``, one row
per job and Berlin day) or serialise on a lock row (``job_locks``, SQLite only; never holds rows).

Messages left ``sending`` by the old worker keep ``claimed_at`` NULL and are never taken over, as
before (they may have reached the server).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'job_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job', sa.String(length=60), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('host', sa.String(length=100), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
        sa.UniqueConstraint('job', 'day', name=op.f('uq_job_runs_job_day')),
    )
    op.create_table(
        'job_locks',
        sa.Column('job', sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint('job', name=op.f('pk_job_locks')),
    )


def downgrade():
    op.drop_table('job_locks')
    op.drop_table('job_runs')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('claimed_by')
