"""Routes of the accounts domain: registration, login, passwords, profile, invitations. One
blueprint (``accounts``), its routes in one module per concept."""

from portal.accounts.models import Role
from portal.accounts.sessions import home_for
from portal.accounts.views import colleagues, login, passwords, profile, registration
from portal.accounts.views.common import bp
from portal.accounts.views.login import enforce_password_change, load_user

__all__ = [
    "Role",
    "bp",
    "colleagues",
    "enforce_password_change",
    "home_for",
    "load_user",
    "login",
    "passwords",
    "profile",
    "registration",
]
