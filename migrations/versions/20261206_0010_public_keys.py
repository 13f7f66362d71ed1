"""Public keys: an opaque, unique key for flats (and their photos), placements and mediation
cases, used in landlord URLs and e-mails instead of the sequential id (which lets a landlord
count the programme's volume).

Existing rows get a random key each (made here, per row, so the same on SQLite and PostgreSQL);
then the column becomes NOT NULL and unique.

SQLite cannot make an existing column NOT NULL without copying the table, and copying ``flats``
would fire the foreign-key actions of the rows that point at it (photos are deleted on cascade,
placements refuse). There the column is added as NOT NULL with an empty server default instead,
filled at once; the unique index refuses a second empty key, and the application always sets one.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 02:30:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

TABLES = ('flats', 'photos', 'placements', 'mediation_cases')
LENGTH = 32


def _fill(table_name):
    table = sa.table(table_name, sa.column('id', sa.Integer()), sa.column('public_key', sa.String()))
    connection = op.get_bind()
    ids = connection.execute(sa.select(table.c.id)).scalars().all()
    for row_id in ids:
        connection.execute(
            table.update()
            .where(table.c.id == row_id)
            .values(public_key=secrets.token_urlsafe(16))
        )


def upgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table_name in TABLES:
        if sqlite:
            op.add_column(
                table_name,
                sa.Column('public_key', sa.String(length=LENGTH), nullable=False, server_default=''),
            )
        else:
            op.add_column(table_name, sa.Column('public_key', sa.String(length=LENGTH), nullable=True))
        _fill(table_name)
        if not sqlite:
            op.alter_column(
                table_name, 'public_key', existing_type=sa.String(length=LENGTH), nullable=False
            )
        op.create_index(f'ix_{table_name}_public_key', table_name, ['public_key'], unique=True)


def downgrade():
    for table_name in reversed(TABLES):
        op.drop_index(f'ix_{table_name}_public_key', table_name=table_name)
        op.drop_column(table_name, 'public_key')
