"""Landlord routes of placements: their placements, accept or decline, propose viewing slots."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("placements", __name__, url_prefix="/placements")
