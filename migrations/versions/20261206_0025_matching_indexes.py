"""Indexes the query plans asked for (issue 18): every column the ranking of households for a
flat reads, so that SQLite scans the index instead of the households table; every column of the
"valid consent" check, answered from the index alone; and the staff caseload's two default
orders (waiting longest, newest), read in index order instead of sorting every household.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 23:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

# portal.households.models.MATCHING_COLUMNS, as of this revision.
COLUMNS = [
    "status",
    "needs_wheelchair",
    "needs_step_free",
    "earliest_move_in",
    "off_market_at",
    "max_gross_cold_rent",
    "adults",
    "children",
    "waiting_since",
    "needed_rooms",
    "has_pets",
    "has_wbs",
    "wbs_persons",
    "needed_area",
]


def upgrade():
    op.create_index("ix_households_matching", "households", COLUMNS)
    op.create_index(
        "ix_consents_valid", "consents", ["household_id", "expires_on", "given_on", "withdrawn_on"]
    )
    op.create_index("ix_households_waiting", "households", ["waiting_since", "id"])
    op.create_index("ix_households_created", "households", ["created_at", "id"])


def downgrade():
    op.drop_index("ix_households_created", table_name="households")
    op.drop_index("ix_households_waiting", table_name="households")
    op.drop_index("ix_consents_valid", table_name="consents")
    op.drop_index("ix_households_matching", table_name="households")
