"""Issue 13, item 8: landlords address flats, placements and mediation cases by an opaque public
key, never by the sequential id a landlord could count. The old integer URLs answer 404, another
organisation's key answers 404 as before, and e-mails to landlords link by key. (The page scan
over the whole attack world is in ``matrix/test_no_sequential_ids.py``.)"""

from __future__ import annotations

import re
from contextlib import contextmanager

import flask_migrate
import pytest
from sqlalchemy import Boolean, DateTime, MetaData, Table, insert, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import create_app
from portal.core import clock
from portal.extensions import db
from portal.listings import operations as listing_ops
from portal.listings.models import Flat, Photo
from portal.mediation.models import MediationCase
from portal.placements.models import Placement, State
from tests.builders import MIGRATIONS, drive, in_request, propose, published_flat
from tests.conftest import base_config, outbox
from tests.factories import FlatFactory, StaffFactory, UserFactory
from tests.services import fresh_postgres_database

KEY = re.compile(r"[A-Za-z0-9_-]{22}")


def _case(organisation_id, number: str) -> MediationCase:
    case = MediationCase(
        number=number,
        sender_kind="landlord",
        topic="rent_arrears",
        message="The rent has not arrived.",
        organisation_id=organisation_id,
    )
    db.session.add(case)
    db.session.flush()
    return case


def test_new_objects_get_distinct_opaque_keys(app, db):
    flats = [FlatFactory() for _ in range(5)]
    placement = propose(app, published_flat(flats[0].organisation))
    case = _case(flats[0].organisation_id, "M-2026-0801")
    keys = [f.public_key for f in flats] + [placement.public_key, case.public_key]
    assert all(KEY.fullmatch(key) for key in keys), keys
    assert len(set(keys)) == len(keys)
    assert not any(key.isdigit() for key in keys)


def test_a_duplicate_flat_gets_its_own_key(browser, db):
    user = browser.login("landlord")
    flat = FlatFactory(organisation=user.organisation, status="published")
    response = browser.post(f"/flats/{flat.public_key}/duplicate")
    key = response.headers["Location"].split("/")[2]
    copy = db.session.scalar(select(Flat).where(Flat.public_key == key))
    assert copy is not None and copy.id != flat.id and copy.public_key != flat.public_key


def test_the_key_is_unique_in_the_database(db):
    flat = FlatFactory()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        FlatFactory(organisation=flat.organisation, public_key=flat.public_key)


def _flat_routes(name: str | int, photo: str | int) -> list[tuple[str, str]]:
    return [
        ("GET", f"/flats/{name}"),
        ("GET", f"/flats/{name}/edit"),
        ("POST", f"/flats/{name}/edit"),
        ("POST", f"/flats/{name}/withdraw"),
        ("POST", f"/flats/{name}/relist"),
        ("POST", f"/flats/{name}/duplicate"),
        ("POST", f"/flats/{name}/delete"),
        ("POST", f"/flats/{name}/photos"),
        ("POST", f"/flats/{name}/photos/{photo}/caption"),
        ("POST", f"/flats/{name}/photos/{photo}/cover"),
        ("POST", f"/flats/{name}/photos/{photo}/move/up"),
        ("POST", f"/flats/{name}/photos/{photo}/delete"),
        ("GET", f"/flats/{name}/photos/{photo}/320.webp"),
    ]


def test_the_old_integer_urls_of_the_own_objects_answer_404(app, browser, db):
    landlord = browser.login("landlord")
    flat = published_flat(landlord.organisation, street="Eigenweg")
    photo = Photo(flat=flat, storage_key="ownkey", widths="320", height_ratio=1)
    db.session.add(photo)
    placement = propose(app, published_flat(landlord.organisation))
    case = _case(landlord.organisation_id, "M-2026-0811")
    db.session.commit()
    token = browser.csrf("/flats/")
    data = {"csrf_token": token, "caption": "x", "action": "save", "street": "Zahlweg"}
    paths = [
        *_flat_routes(flat.id, photo.id),
        # The flat's key with the photo's id: photos are named by key as well.
        *_flat_routes(flat.public_key, photo.id)[8:],
        ("GET", f"/placements/{placement.id}"),
        ("POST", f"/placements/{placement.id}/accept"),
        ("POST", f"/placements/{placement.id}/decline"),
        ("POST", f"/placements/{placement.id}/viewing-times"),
        ("GET", f"/mediation/mine/{case.id}"),
    ]
    for method, path in paths:
        response = browser.client.open(path, method=method, data=data)
        assert response.status_code == 404, (method, path, response.status_code)
    db.session.expire_all()
    assert db.session.get(Flat, flat.id).street == "Eigenweg"
    assert db.session.get(Placement, placement.id).state == State.PROPOSED
    # The same objects by key: they answer.
    assert browser.client.get(f"/flats/{flat.public_key}").status_code == 200
    assert browser.client.get(f"/placements/{placement.public_key}").status_code == 200
    assert browser.client.get(f"/mediation/mine/{case.public_key}").status_code == 200


def test_another_organisations_keys_answer_404(app, browser, db):
    owner = UserFactory()
    flat = published_flat(owner.organisation, street="Fremdweg")
    photo = Photo(flat=flat, storage_key="foreignkey2", widths="320", height_ratio=1)
    db.session.add(photo)
    placement = propose(app, published_flat(owner.organisation, street="Fremdweg"))
    case = _case(owner.organisation_id, "M-2026-0821")
    db.session.commit()
    browser.login("landlord")
    token = browser.csrf("/flats/")
    data = {"csrf_token": token, "caption": "x", "action": "save", "street": "Hack"}
    paths = [
        *_flat_routes(flat.public_key, photo.public_key),
        ("GET", f"/placements/{placement.public_key}"),
        ("POST", f"/placements/{placement.public_key}/accept"),
        ("GET", f"/mediation/mine/{case.public_key}"),
    ]
    for method, path in paths:
        response = browser.client.open(path, method=method, data=data)
        assert response.status_code == 404, (method, path, response.status_code)
        assert "Fremdweg" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Flat, flat.id).street == "Fremdweg"
    assert db.session.get(Placement, placement.id).state == State.PROPOSED


def test_staff_keep_ids_in_the_back_office_and_see_photos_by_the_flats_key(browser, db):
    flat = FlatFactory(organisation=UserFactory().organisation, status="submitted")
    photo = Photo(flat=flat, storage_key="staffkey", widths="320", height_ratio=1)
    db.session.add(photo)
    db.session.commit()
    browser.login("specialist")
    response = browser.client.get(f"/backoffice/flats/{flat.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"/flats/{flat.public_key}/photos/{photo.public_key}/320.webp" in html
    assert f"/flats/{flat.id}/photos" not in html


def _links(mail) -> list[str]:
    return re.findall(r"https?://\S+", mail.body_text)


def test_mails_to_landlords_link_by_key(app, db):
    landlord = UserFactory()
    flat = FlatFactory(organisation=landlord.organisation, status="submitted")
    reviewer = StaffFactory(role="specialist")
    with in_request(app):
        listing_ops.publish_flat(flat, reviewer)
    placement = propose(app, flat)
    drive(app, placement, State.VIEWING_SCHEDULED, landlord)
    db.session.flush()
    mails = outbox(landlord.email)
    links = [link for mail in mails for link in _links(mail)]
    assert any(link.endswith(f"/flats/{flat.public_key}") for link in links), links
    assert any(link.endswith(f"/placements/{placement.public_key}") for link in links), links
    numbered = re.compile(r"/(flats|placements|mediation/mine)/\d+(?![\w-])")
    assert [link for link in links if numbered.search(link)] == []


# The migration fills existing rows --------------------------------------------------------------


@contextmanager
def _sqlite(tmp_path):
    yield f"sqlite:///{tmp_path / 'keys.db'}"


def _insert(connection, table: Table, **values) -> int:
    """A row with ``values`` and a plain value for every other required column."""
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key:
            continue
        if column.server_default is not None:
            continue
        if isinstance(column.type, Boolean):
            values[column.name] = False
        elif isinstance(column.type, DateTime):
            values[column.name] = clock.utcnow()
    return connection.execute(insert(table).values(**values)).inserted_primary_key[0]


@pytest.mark.own_database
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migration_gives_every_existing_row_its_own_key(backend, tmp_path):
    database = _sqlite(tmp_path) if backend == "sqlite" else fresh_postgres_database()
    with database as url:
        app = create_app(base_config(tmp_path, DATABASE_URL=url))
        with app.app_context():
            flask_migrate.upgrade(directory=MIGRATIONS, revision="0008")
            meta = MetaData()
            organisations, flats, cases = (
                Table(name, meta, autoload_with=db.engine)
                for name in ("organisations", "flats", "mediation_cases")
            )
            with db.engine.begin() as connection:
                org = _insert(connection, organisations, kind="company", name="Alt GmbH")
                for n in range(3):
                    _insert(connection, flats, organisation_id=org, status="draft", floor=n)
                for n in range(3):
                    _insert(
                        connection,
                        cases,
                        number=f"M-2026-09{n}",
                        status="new",
                        sender_kind="other",
                        contact_by="email",
                        topic="other",
                        message="Alt",
                        locale="de",
                    )
            flask_migrate.upgrade(directory=MIGRATIONS)
            with db.engine.connect() as connection:
                for table in ("flats", "mediation_cases"):
                    keys = connection.exec_driver_sql(f"SELECT public_key FROM {table}").scalars()  # noqa: S608 - our own table names
                    keys = list(keys)
                    assert len(keys) == 3 and len(set(keys)) == 3, keys
                    assert all(KEY.fullmatch(key) for key in keys), keys
                    columns = {c["name"]: c for c in inspect(connection).get_columns(table)}
                    assert columns["public_key"]["nullable"] is False
                    indexes = inspect(connection).get_indexes(table)
                    assert any(
                        i["column_names"] == ["public_key"] and i["unique"] for i in indexes
                    ), indexes
            # New rows made by the application get a key of their own. (Own session: the
            # test suite's ``db.session`` is bound to the suite's database.)
            with Session(db.engine) as session:
                flat = Flat(organisation_id=org, status="draft")
                session.add(flat)
                session.commit()
                assert KEY.fullmatch(flat.public_key)
            flask_migrate.downgrade(directory=MIGRATIONS, revision="0008")
            db.session.remove()
            db.engine.dispose()
