"""The household off the market (issue 16): from a signed lease on, no landlord list and no
matching list shows it. A column set by the placement workflow; households whose placement is
at or past lease_signed (and not cancelled) today are taken off the market here.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 20:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

BINDING = "('lease_signed', 'moved_in', 'aftercare', 'completed')"
# When the lease step was taken, else when the placement last changed state.
BACKFILL = (
    "UPDATE households SET off_market_at = ("
    " SELECT COALESCE(MIN(e.created_at), MIN(p.state_changed_at))"
    " FROM placements p LEFT JOIN placement_events e"
    " ON e.placement_id = p.id AND e.action = 'sign_lease'"
    f" WHERE p.household_id = households.id AND p.state IN {BINDING})"
    " WHERE EXISTS (SELECT 1 FROM placements p"
    f" WHERE p.household_id = households.id AND p.state IN {BINDING})"
)


def upgrade():
    with op.batch_alter_table('households') as batch:
        batch.add_column(sa.Column('off_market_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(BACKFILL)


def downgrade():
    with op.batch_alter_table('households') as batch:
        batch.drop_column('off_market_at')
