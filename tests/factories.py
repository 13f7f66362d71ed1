"""factory-boy factories for the models tests need."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
import pyotp
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy import select

from portal.accounts import twofactor
from portal.accounts.models import Organisation, OrganisationKind, Role, User, utcnow
from portal.accounts.passwords import hash_password
from portal.core import clock
from portal.extensions import db
from portal.households.models import Consent, Household, HouseholdIdentity, HouseholdStatus
from portal.listings.models import District, Flat, FlatStatus
from portal.sites.models import DEFAULT_SITE_ID, Site
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
    """A staff member with an enrolled authenticator (as after their first login);
    ``two_factor=False`` leaves them to enrol at their next login."""

    role = Role.SPECIALIST.value
    organisation = None
    is_org_admin = False

    @factory.post_generation
    def sites(self, create, extracted, **kwargs):
        """The sites the staff member works for: the default site unless named."""
        self.sites = list(extracted) if extracted else [db.session.get(Site, DEFAULT_SITE_ID)]
        db.session.flush()

    @factory.post_generation
    def two_factor(self, create, extracted, **kwargs):
        if extracted is False:
            return
        twofactor.enrol_with_secret(self, pyotp.random_base32())
        db.session.flush()


def user_for_role(role: str, **kw) -> User:
    if role == Role.LANDLORD:
        return UserFactory(**kw)
    return StaffFactory(role=role, **kw)


class FlatFactory(BaseFactory):
    """A complete flat, ready to submit (status draft unless given)."""

    class Meta:
        model = Flat

    organisation = factory.SubFactory(OrganisationFactory)
    status = FlatStatus.DRAFT.value
    street = "Musterstraße"
    house_number = factory.Sequence(lambda n: str(n + 1))
    postcode = "47057"
    district = factory.LazyFunction(
        lambda: db.session.scalar(select(District).where(District.name == "Neudorf-Nord"))
    )
    # A flat belongs to the site of its district (as listings.operations keeps it).
    site_id = factory.LazyAttribute(lambda o: o.district.site_id if o.district else DEFAULT_SITE_ID)
    floor = 2
    rooms = Decimal("3")
    living_area = Decimal("72")
    cold_rent = Decimal("480.00")
    service_charges = Decimal("160.00")
    heating_costs = Decimal("90.00")
    warm_water = "central"
    deposit = Decimal("1440.00")
    energy_certificate_pending = True
    description = "Helle Wohnung.\nNahe Straßenbahn."
    available_from = factory.LazyFunction(lambda: clock.today() + timedelta(days=30))


class HouseholdFactory(BaseFactory):
    """A vetted household of two adults and one child with a valid consent (visible to
    landlords), unless told otherwise. ``consent=False`` leaves it without consent."""

    class Meta:
        model = Household

    code = factory.Sequence(lambda n: f"DU-2026-{n + 1:04d}")
    status = HouseholdStatus.VETTED.value
    adults = 2
    children = 1
    needed_rooms = Decimal("3")
    needed_area = Decimal("80")
    max_gross_cold_rent = Decimal("564.00")
    earliest_move_in = factory.LazyFunction(clock.today)
    cost_bearer = "jobcenter"
    waiting_since = factory.LazyFunction(lambda: clock.today() - timedelta(days=200))
    profile_text = "Wir sind eine ruhige Familie."
    vetted_at = factory.LazyFunction(utcnow)

    @factory.post_generation
    def consent(self, create, extracted, **kwargs):
        if extracted is False:
            return
        consent = Consent(
            household=self,
            given_on=clock.today() - timedelta(days=10),
            expires_on=clock.today() + timedelta(days=170),
        )
        db.session.add(consent)
        db.session.flush()


class IdentityFactory(BaseFactory):
    class Meta:
        model = HouseholdIdentity

    household = factory.SubFactory(HouseholdFactory)
    main_tenant_name = "Amira Haddad"
    adult_names = "Amira Haddad\nSamir Haddad"
    phone = "0176 1234567"
    email = "haddad@example.org"
    current_accommodation = "Gemeinschaftsunterkunft Musterweg"
    case_notes = "Vertrauliche Notiz."
