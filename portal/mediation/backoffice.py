"""Staff routes of mediation: the cases."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("mediation_backoffice", __name__, url_prefix="/backoffice/mediation")
