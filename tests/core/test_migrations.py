"""``upgrade head`` on an empty database gives exactly the models' schema; ``downgrade base``
removes it again; on SQLite and on PostgreSQL."""

from contextlib import contextmanager

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from portal import create_app
from portal.extensions import db
from tests.builders import MIGRATIONS
from tests.conftest import base_config
from tests.services import fresh_postgres_database

pytestmark = pytest.mark.own_database


@contextmanager
def sqlite_database(tmp_path):
    yield f"sqlite:///{tmp_path / 'migrations.db'}"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_matches_models_and_downgrade_works(backend, tmp_path):
    database = sqlite_database(tmp_path) if backend == "sqlite" else fresh_postgres_database()
    with database as url:
        app = create_app(base_config(tmp_path, DATABASE_URL=url))
        with app.app_context():
            flask_migrate.upgrade(directory=MIGRATIONS)
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                diff = compare_metadata(context, db.metadata)
            assert diff == [], diff
            flask_migrate.downgrade(directory=MIGRATIONS, revision="base")
            tables = set(inspect(db.engine).get_table_names())
            assert tables <= {"alembic_version"}, tables
            # And up again: the downgrade left nothing behind that blocks a new upgrade.
            flask_migrate.upgrade(directory=MIGRATIONS)
            db.session.remove()
            db.engine.dispose()
