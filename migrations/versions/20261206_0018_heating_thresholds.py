"""Heating-cost thresholds (issue 16): the highest Heizspiegel column per heating kind, dated
like the rent limits; seeded from portal/listings/data/heizspiegel.json.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 20:00:00

"""
import json
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

DATA = Path(__file__).resolve().parents[2] / "portal" / "listings" / "data" / "heizspiegel.json"


def upgrade():
    op.create_table(
        'heating_thresholds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('heating_kind', sa.String(length=20), nullable=False),
        sa.Column('max_per_m2_year', sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('source', sa.String(length=300), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            'max_per_m2_year > 0', name=op.f('ck_heating_thresholds_positive'),
        ),
        sa.ForeignKeyConstraint(
            ['created_by_id'], ['users.id'],
            name=op.f('fk_heating_thresholds_created_by_id_users'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_heating_thresholds')),
        sa.UniqueConstraint(
            'heating_kind', 'valid_from', name=op.f('uq_heating_thresholds_heating_kind_valid_from'),
        ),
    )
    data = json.loads(DATA.read_text("utf-8"))
    table = sa.table(
        "heating_thresholds", sa.column("heating_kind"),
        sa.column("max_per_m2_year", sa.Numeric(10, 2)), sa.column("valid_from", sa.Date),
        sa.column("source"), sa.column("created_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(table, [
        {"heating_kind": kind, "max_per_m2_year": Decimal(amount),
         "valid_from": date.fromisoformat(data["valid_from"]), "source": data["source"],
         "created_at": datetime.now(timezone.utc)}
        for kind, amount in data["max_per_m2_year"].items()
    ])


def downgrade():
    op.drop_table('heating_thresholds')
