"""Staff routes of the households domain."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("households_backoffice", __name__, url_prefix="/backoffice/households")
