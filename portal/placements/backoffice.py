"""Staff routes of placements: pipeline, list, CSV, the placement page with its next step."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("placements_backoffice", __name__, url_prefix="/backoffice/placements")
