"""Sites (issue 19): one deployment for several Kümmerer projects. Every existing row goes into
the default site "Duisburg" (id 1, AGS 05112000, code prefix DU) and every staff member becomes
its staff, so that a deployment with one site works exactly as before. District postcodes move
from portal/listings/data/duisburg.json into the database; the state-level reader role.

Downgrade refuses while a second site exists: its rows would fall into Duisburg's.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 02:30:00

"""
import json
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from alembic import op

import portal.core.db

DATA = Path(__file__).resolve().parents[2] / "portal" / "listings" / "data" / "duisburg.json"

# revision identifiers, used by Alembic.
revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

# Tables whose rows belong to one site, with the unique constraint that gains site_id.
OWNED = [
    ("districts", ("name",)),
    ("rent_limits", ("household_size", "valid_from")),
    ("rent_limit_extra_persons", ("valid_from",)),
    ("heating_thresholds", ("heating_kind", "valid_from")),
    ("households", None),
    ("flats", None),
    ("interests", None),
    ("placements", None),
    ("mediation_cases", None),
    ("prevention_cases", None),
]
REPORT_UNIQUE = ("period_start", "period_end", "scope", "version")
OLD_ROLES = "role IN ('landlord', 'specialist', 'social_worker', 'admin')"
NEW_ROLES = "role IN ('landlord', 'specialist', 'social_worker', 'admin', 'state_reader')"


# ix_households_matching (0025) gains site_id after status: a flat's households are read from
# the index of its own site.
MATCHING_BEFORE = [
    "status", "needs_wheelchair", "needs_step_free", "earliest_move_in", "off_market_at",
    "max_gross_cold_rent", "adults", "children", "waiting_since", "needed_rooms", "has_pets",
    "has_wbs", "wbs_persons", "needed_area",
]
MATCHING_AFTER = ["status", "site_id", *MATCHING_BEFORE[1:]]


# Audit events about rows of these tables belong to the site of their row: Duisburg's so far.
AUDITED_IN_A_SITE = [
    "households", "household_identities", "household_participants", "consents",
    "profile_views", "placement_cost_items", "placement_direct_payments", "rent_certificates",
    "handover_records", "move_in_confirmations", "thread_messages", "interests", "placements",
    "placement_events", "follow_ups", "submitted_reports", "mediation_cases",
    "mediation_entries", "erasures", "household_exports", "districts", "rent_limits",
    "rent_limit_extra_persons", "flats", "photos", "flat_reviews", "heating_thresholds",
    "prevention_cases",
]


def _uq(table, columns):
    return f"uq_{table}_{'_'.join(columns)}"


def upgrade():
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("municipality_key", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("code_prefix", sa.String(length=6), nullable=False),
        sa.Column("contact_text", sa.Text(), nullable=True),
        sa.Column("funding_text", sa.Text(), nullable=True),
        sa.Column("imprint_text", sa.Text(), nullable=True),
        sa.Column("esf_project_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('preparing', 'active', 'archived')", name=op.f("ck_sites_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint("code_prefix", name=op.f("uq_sites_code_prefix")),
        sa.UniqueConstraint("slug", name=op.f("uq_sites_slug")),
    )
    sites = sa.table(
        "sites",
        sa.column("slug"), sa.column("name"), sa.column("municipality_key"),
        sa.column("status"), sa.column("code_prefix"),
        sa.column("created_at", portal.core.db.UTCDateTime(timezone=True)),
    )
    op.bulk_insert(sites, [{
        "slug": "duisburg", "name": "Duisburg", "municipality_key": "05112000",
        "status": "active", "code_prefix": "DU", "created_at": datetime.now(timezone.utc),
    }])
    op.create_table(
        "user_sites",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_user_sites_site_id_sites"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_sites_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "site_id", name=op.f("pk_user_sites")),
    )
    op.create_index(op.f("ix_user_sites_site_id"), "user_sites", ["site_id"], unique=False)
    op.execute(
        "INSERT INTO user_sites (user_id, site_id) SELECT id, 1 FROM users "
        "WHERE role IN ('specialist', 'social_worker', 'admin')"
    )

    for table, unique in OWNED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("site_id", sa.Integer(), nullable=True))
        op.execute(f"UPDATE {table} SET site_id = 1")  # noqa: S608 - our own table names
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("site_id", existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_site_id_sites"), "sites", ["site_id"], ["id"],
                ondelete="RESTRICT",
            )
            if unique:
                batch_op.drop_constraint(_uq(table, unique), type_="unique")
                batch_op.create_unique_constraint(
                    batch_op.f(_uq(table, ("site_id", *unique))), ["site_id", *unique]
                )

    op.drop_index("ix_households_matching", table_name="households")
    op.create_index("ix_households_matching", "households", MATCHING_AFTER)

    with op.batch_alter_table("submitted_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("site_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_submitted_reports_site_id_sites"), "sites", ["site_id"], ["id"],
            ondelete="RESTRICT",
        )
        batch_op.drop_constraint(_uq("submitted_reports", REPORT_UNIQUE), type_="unique")
        batch_op.create_unique_constraint(
            op.f("uq_submitted_reports_site_version"), ["site_id", *REPORT_UNIQUE]
        )
    op.execute("UPDATE submitted_reports SET site_id = 1")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint("role", NEW_ROLES)

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("site_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_events_site_id"), ["site_id"], unique=False)
    tables = ", ".join(f"'{name}'" for name in AUDITED_IN_A_SITE)
    op.execute(f"UPDATE audit_events SET site_id = 1 WHERE object_type IN ({tables})")  # noqa: S608

    op.create_table(
        "district_postcodes",
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("postcode", sa.String(length=5), nullable=False),
        sa.ForeignKeyConstraint(["district_id"], ["districts.id"], name=op.f("fk_district_postcodes_district_id_districts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("district_id", "postcode", name=op.f("pk_district_postcodes")),
    )
    op.create_index(op.f("ix_district_postcodes_postcode"), "district_postcodes", ["postcode"], unique=False)
    data = json.loads(DATA.read_text("utf-8"))
    ids = dict(op.get_bind().execute(sa.text("SELECT name, id FROM districts")).all())
    postcodes = sa.table("district_postcodes", sa.column("district_id"), sa.column("postcode"))
    op.bulk_insert(postcodes, [
        {"district_id": ids[name], "postcode": code}
        for code, names in sorted(data["postcode_districts"].items())
        for name in sorted(names) if name in ids
    ])


def downgrade():
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM sites")).scalar() > 1:
        raise RuntimeError("more than one site: a downgrade would put every site's rows into one")
    if bind.execute(sa.text("SELECT count(*) FROM users WHERE role = 'state_reader'")).scalar():
        raise RuntimeError("state-level readers exist: remove them before the downgrade")
    op.drop_index(op.f("ix_district_postcodes_postcode"), table_name="district_postcodes")
    op.drop_table("district_postcodes")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_site_id"))
        batch_op.drop_column("site_id")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint("role", OLD_ROLES)
    with op.batch_alter_table("submitted_reports", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_submitted_reports_site_version"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f(_uq("submitted_reports", REPORT_UNIQUE)), list(REPORT_UNIQUE)
        )
        batch_op.drop_constraint(batch_op.f("fk_submitted_reports_site_id_sites"), type_="foreignkey")
        batch_op.drop_column("site_id")
    op.drop_index("ix_households_matching", table_name="households")
    op.create_index("ix_households_matching", "households", MATCHING_BEFORE)
    for table, unique in reversed(OWNED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            if unique:
                batch_op.drop_constraint(_uq(table, ("site_id", *unique)), type_="unique")
                batch_op.create_unique_constraint(batch_op.f(_uq(table, unique)), list(unique))
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_site_id_sites"), type_="foreignkey")
            batch_op.drop_column("site_id")
    op.drop_index(op.f("ix_user_sites_site_id"), table_name="user_sites")
    op.drop_table("user_sites")
    op.drop_table("sites")
