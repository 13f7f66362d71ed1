"""Listings: districts and rent limits (seeded from portal/listings/data/duisburg.json), flats, photos.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 11:53:35.851554

"""
import json
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

from alembic import op
import sqlalchemy as sa

DATA = Path(__file__).resolve().parents[2] / "portal" / "listings" / "data" / "duisburg.json"


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('districts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('borough', sa.String(length=60), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_districts')),
    sa.UniqueConstraint('name', name=op.f('uq_districts_name'))
    )
    op.create_table('flats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('street', sa.String(length=120), nullable=True),
    sa.Column('house_number', sa.String(length=12), nullable=True),
    sa.Column('postcode', sa.String(length=5), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('floor', sa.Integer(), nullable=True),
    sa.Column('rooms', sa.Numeric(precision=3, scale=1), nullable=True),
    sa.Column('living_area', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('cold_rent', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('service_charges', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('heating_costs', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('warm_water', sa.String(length=12), nullable=True),
    sa.Column('deposit', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('wbs_required', sa.Boolean(), nullable=False),
    sa.Column('wbs_persons', sa.Integer(), nullable=True),
    sa.Column('is_step_free', sa.Boolean(), nullable=False),
    sa.Column('is_wheelchair_accessible', sa.Boolean(), nullable=False),
    sa.Column('has_lift', sa.Boolean(), nullable=False),
    sa.Column('has_balcony', sa.Boolean(), nullable=False),
    sa.Column('pets_allowed', sa.Boolean(), nullable=False),
    sa.Column('energy_certificate_pending', sa.Boolean(), nullable=False),
    sa.Column('energy_kind', sa.String(length=12), nullable=True),
    sa.Column('energy_value', sa.Numeric(precision=6, scale=1), nullable=True),
    sa.Column('energy_carrier', sa.String(length=20), nullable=True),
    sa.Column('building_year', sa.Integer(), nullable=True),
    sa.Column('energy_class', sa.String(length=3), nullable=True),
    sa.Column('energy_valid_until', sa.Date(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('available_from', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'changes_requested', 'published', 'reserved', 'let', 'archived')", name=op.f('ck_flats_status')),
    sa.CheckConstraint('cold_rent IS NULL OR cold_rent >= 0', name=op.f('ck_flats_cold_rent')),
    sa.CheckConstraint('deposit IS NULL OR deposit >= 0', name=op.f('ck_flats_deposit')),
    sa.CheckConstraint('heating_costs IS NULL OR heating_costs >= 0', name=op.f('ck_flats_heating_costs')),
    sa.CheckConstraint('living_area IS NULL OR (living_area >= 10 AND living_area <= 300)', name=op.f('ck_flats_living_area')),
    sa.CheckConstraint('rooms IS NULL OR (rooms >= 1 AND rooms <= 10)', name=op.f('ck_flats_rooms')),
    sa.CheckConstraint('service_charges IS NULL OR service_charges >= 0', name=op.f('ck_flats_service_charges')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_flats_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_flats_district_id_districts')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_flats_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_flats_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flats'))
    )
    with op.batch_alter_table('flats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flats_district_id'), ['district_id'], unique=False)
        batch_op.create_index('ix_flats_organisation_status', ['organisation_id', 'status'], unique=False)
        batch_op.create_index('ix_flats_created_at', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_flats_status_submitted', ['status', 'submitted_at'], unique=False)

    op.create_table('rent_limits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_size', sa.Integer(), nullable=False),
    sa.Column('max_gross_cold_rent', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('household_size BETWEEN 1 AND 12', name=op.f('ck_rent_limits_household_size')),
    sa.CheckConstraint('max_gross_cold_rent > 0', name=op.f('ck_rent_limits_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_rent_limits_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rent_limits')),
    sa.UniqueConstraint('household_size', 'valid_from', name=op.f('uq_rent_limits_household_size_valid_from'))
    )
    op.create_table('photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('flat_id', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=40), nullable=False),
    sa.Column('widths', sa.String(length=40), nullable=False),
    sa.Column('height_ratio', sa.Numeric(precision=8, scale=5), nullable=False),
    sa.Column('extension', sa.String(length=5), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_cover', sa.Boolean(), nullable=False),
    sa.Column('caption', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['flat_id'], ['flats.id'], name=op.f('fk_photos_flat_id_flats'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photos')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_photos_storage_key'))
    )
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photos_flat_id'), ['flat_id'], unique=False)
    seed_reference_data()


def seed_reference_data():
    data = json.loads(DATA.read_text("utf-8"))
    districts = sa.table("districts", sa.column("name"), sa.column("borough"),
                         sa.column("position", sa.Integer))
    rows, position = [], 0
    for borough, names in data["boroughs"].items():
        for name in names:
            rows.append({"name": name, "borough": borough, "position": position})
            position += 1
    op.bulk_insert(districts, rows)
    limits = data["rent_limits"]
    rent_limits = sa.table("rent_limits", sa.column("household_size", sa.Integer),
                           sa.column("max_gross_cold_rent", sa.Numeric(10, 2)),
                           sa.column("valid_from", sa.Date), sa.column("source"),
                           sa.column("created_at", sa.DateTime(timezone=True)))
    op.bulk_insert(rent_limits, [
        {"household_size": int(size), "max_gross_cold_rent": Decimal(amount),
         "valid_from": date.fromisoformat(limits["valid_from"]), "source": limits["source"],
         "created_at": datetime.now(timezone.utc)}
        for size, amount in limits["max_gross_cold_rent"].items()
    ])


def downgrade():

    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photos_flat_id'))

    op.drop_table('photos')
    op.drop_table('rent_limits')
    with op.batch_alter_table('flats', schema=None) as batch_op:
        batch_op.drop_index('ix_flats_status_submitted')
        batch_op.drop_index('ix_flats_organisation_status')
        batch_op.drop_index('ix_flats_created_at')
        batch_op.drop_index(batch_op.f('ix_flats_district_id'))

    op.drop_table('flats')
    op.drop_table('districts')

