"""Landlord routes: vetted, consented profiles (tier 1 only), and registering interest."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("households", __name__, url_prefix="/households")
