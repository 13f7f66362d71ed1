"""Indexes the back-office home's query plans asked for (issue 18): the published flats whose
changes wait for review, found and counted from an index on (status, changes_submitted_at)
instead of reading every published and reserved flat; and the follow-ups due, whose index
gains placement_id so that the count of due follow-ups of placements in aftercare is answered
from the index alone.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 18:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_flats_status_changes", "flats", ["status", "changes_submitted_at"])
    op.drop_index("ix_follow_ups_open_due", table_name="follow_ups")
    op.create_index("ix_follow_ups_open_due", "follow_ups", ["done_on", "due_on", "placement_id"])


def downgrade():
    op.drop_index("ix_follow_ups_open_due", table_name="follow_ups")
    op.create_index("ix_follow_ups_open_due", "follow_ups", ["done_on", "due_on"])
    op.drop_index("ix_flats_status_changes", table_name="flats")
