"""The rent limit computed, never stored (issue 16): the amount per further person of the
rent-limit table (households of six and more), and a household's ``max_gross_cold_rent`` kept
only as the staff's override.

A stored amount becomes NULL (the household follows the table in force) where there is no
override reason, or where it equals what the table in force today gives for the household's size.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 20:10:00

"""
from datetime import date

from portal.core import clock

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rent_limit_extra_persons',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('amount', sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('source', sa.String(length=300), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('amount > 0', name=op.f('ck_rent_limit_extra_persons_positive')),
        sa.ForeignKeyConstraint(
            ['created_by_id'], ['users.id'],
            name=op.f('fk_rent_limit_extra_persons_created_by_id_users'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rent_limit_extra_persons')),
        sa.UniqueConstraint('valid_from', name=op.f('uq_rent_limit_extra_persons_valid_from')),
    )
    _keep_only_overrides()


def _keep_only_overrides():
    connection = op.get_bind()
    today = clock.today()  # the day in Berlin, as the portal counts it
    rows = connection.execute(
        sa.text(
            "SELECT household_size, max_gross_cold_rent, valid_from FROM rent_limits "
            "WHERE valid_from <= :today"
        ),
        {"today": today},
    ).all()
    in_force: dict[int, tuple] = {}
    for size, amount, valid_from in rows:
        if isinstance(valid_from, str):  # SQLite hands dates back as text
            valid_from = date.fromisoformat(valid_from)
        if size not in in_force or valid_from > in_force[size][1]:
            in_force[size] = (amount, valid_from)
    connection.execute(
        sa.text(
            "UPDATE households SET max_gross_cold_rent = NULL "
            "WHERE max_gross_cold_rent IS NOT NULL AND override_reason IS NULL"
        )
    )
    for size, (amount, _valid_from) in in_force.items():
        connection.execute(
            sa.text(
                "UPDATE households SET max_gross_cold_rent = NULL "
                "WHERE adults + children = :size AND max_gross_cold_rent = :amount"
            ),
            {"size": size, "amount": amount},
        )


def downgrade():
    # The limits the table gives are not written back: a household without an override shows
    # no maximum until its profile is saved again.
    op.drop_table('rent_limit_extra_persons')
