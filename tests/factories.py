"""factory-boy factories for the models tests need."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory

from portal.accounts.models import Organisation, OrganisationKind, Role, User, utcnow
from portal.accounts.passwords import hash_password
from portal.extensions import db
from tests.services import TEST_PASSWORD


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class OrganisationFactory(BaseFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.PRIVATE.value
    name = factory.Sequence(lambda n: f"Vermietung {n}")


class CompanyFactory(OrganisationFactory):
    kind = OrganisationKind.COMPANY.value
    name = factory.Sequence(lambda n: f"Wohnbau {n} GmbH")


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    role = Role.LANDLORD.value
    organisation = factory.SubFactory(OrganisationFactory)
    is_org_admin = True
    locale = "en"  # assertions read English; German has tests of its own
    password_hash = factory.LazyFunction(lambda: hash_password(TEST_PASSWORD))
    email_verified_at = factory.LazyFunction(utcnow)


class StaffFactory(UserFactory):
    role = Role.SPECIALIST.value
    organisation = None
    is_org_admin = False


def user_for_role(role: str, **kw) -> User:
    if role == Role.LANDLORD:
        return UserFactory(**kw)
    return StaffFactory(role=role, **kw)
