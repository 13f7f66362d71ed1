"""Public routes of mediation: the contact form and the landlord's own cases."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("mediation", __name__, url_prefix="/mediation")
